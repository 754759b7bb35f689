from __future__ import annotations

from pathlib import Path
from typing import Any

from components.documents.kms import key_policy
from components.documents.monitoring import (
    dead_letter_queue_policy,
    pipeline_status_pattern,
    topic_policy,
)
from components.documents.storage import bucket_policy
from ml.settings import load_stack_settings
from tests.components.iam_reference import policy_problems

TOPIC = "arn:aws:sns:eu-west-1:111111111111:ml-batch-pipeline-dev-alerts"
RULE = "arn:aws:events:eu-west-1:111111111111:rule/ml-batch-pipeline-dev-execution-status"
ROOT = "arn:aws:iam::111111111111:root"


def principals(document: dict[str, Any]) -> list[Any]:
    return [statement["Principal"] for statement in document["Statement"]]


def test_key_policy_has_no_wildcard_principal_and_lets_notifiers_use_the_key(
    project_dir: Path,
) -> None:
    names = load_stack_settings(project_dir, "dev").names
    document = key_policy(names, encrypt_log_groups=False)
    assert policy_problems(document, key_policy=True) == []
    assert "*" not in principals(document)
    notify = document["Statement"][1]
    assert notify["Principal"] == {"Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]}
    assert notify["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert len(document["Statement"]) == 2


def test_key_policy_admits_the_logs_service_only_for_sagemaker_log_groups(
    project_dir: Path,
) -> None:
    names = load_stack_settings(project_dir, "prod").names
    document = key_policy(names, encrypt_log_groups=True)
    assert policy_problems(document, key_policy=True) == []
    logs = document["Statement"][2]
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert logs["Condition"] == {
        "ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": (
                "arn:aws:logs:eu-west-1:333333333333:log-group:/aws/sagemaker/*"
            )
        }
    }


def test_bucket_policy_denies_plain_http_and_old_tls_to_everyone() -> None:
    bucket = "arn:aws:s3:::ml-batch-pipeline-dev-111111111111-eu-west-1"
    document = bucket_policy(bucket)
    assert policy_problems(document) == []
    assert all(s["Effect"] == "Deny" for s in document["Statement"])
    assert [s["Condition"] for s in document["Statement"]] == [
        {"Bool": {"aws:SecureTransport": "false"}},
        {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
    ]
    assert document["Statement"][0]["Resource"] == [bucket, f"{bucket}/*"]


def test_only_this_pipelines_failed_or_stopped_runs_alert() -> None:
    pipeline = "arn:aws:sagemaker:eu-west-1:111111111111:pipeline/ml-batch-pipeline-dev"
    assert pipeline_status_pattern(pipeline) == {
        "source": ["aws.sagemaker"],
        "detail-type": ["SageMaker Model Building Pipeline Execution Status Change"],
        "detail": {
            "pipelineArn": [pipeline],
            "currentPipelineExecutionStatus": ["Failed", "Stopped"],
        },
    }


def test_topic_accepts_only_the_stack_alarms_and_rule() -> None:
    alarms = "arn:aws:cloudwatch:eu-west-1:111111111111:alarm:ml-batch-pipeline-dev-*"
    document = topic_policy(TOPIC, ROOT, RULE, alarms, "111111111111")
    assert policy_problems(document) == []
    by_sid = {s["Sid"]: s for s in document["Statement"]}
    assert by_sid["StackAlarmsPublish"]["Condition"] == {
        "ArnLike": {"aws:SourceArn": alarms},
        "StringEquals": {"aws:SourceAccount": "111111111111"},
    }
    assert by_sid["PipelineStatusRulePublishes"]["Condition"] == {
        "ArnEquals": {"aws:SourceArn": RULE}
    }
    # The only "*" principal is in a Deny.
    assert all(s["Effect"] == "Deny" for s in document["Statement"] if s["Principal"] == "*")


def test_dead_letter_queue_accepts_only_the_rule() -> None:
    queue = "arn:aws:sqs:eu-west-1:111111111111:ml-batch-pipeline-dev-alerts-dlq"
    document = dead_letter_queue_policy(queue, RULE)
    assert policy_problems(document) == []
    (statement,) = document["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": RULE}}
