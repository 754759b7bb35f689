from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from components.documents.kms import key_policy
from components.documents.monitoring import (
    EXECUTION_STOPPED,
    GATE_REJECTED,
    NOTIFICATIONS,
    STEP_FAILED,
    dead_letter_queue_policy,
    notification_pattern,
    topic_policy,
)
from components.documents.sharing import MODEL_DECRYPT_SID, MODEL_READ_SID, ModelConsumers
from components.documents.storage import bucket_policy
from ml.contract import ResourceNames
from ml.settings import load_stack_settings
from tests.support.iam_reference import policy_problems

TOPIC = "arn:aws:sns:eu-west-1:111111111111:ml-batch-pipeline-dev-alerts"
RULES = [
    f"arn:aws:events:eu-west-1:111111111111:rule/ml-batch-pipeline-dev-{n.role}"
    for n in NOTIFICATIONS
]
ROOT = "arn:aws:iam::111111111111:root"


def principals(document: dict[str, Any]) -> list[Any]:
    return [statement["Principal"] for statement in document["Statement"]]


def test_key_policy_has_no_wildcard_principal_and_lets_notifiers_use_the_key(
    project_dir: Path,
) -> None:
    names = load_stack_settings(project_dir, "dev").names
    document = key_policy(names)
    assert policy_problems(document, key_policy=True) == []
    assert "*" not in principals(document)
    notify = document["Statement"][1]
    assert notify["Principal"] == {"Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]}
    assert notify["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    # Only on behalf of this account's alarms and rules.
    assert notify["Condition"] == {"StringEquals": {"aws:SourceAccount": "111111111111"}}


def key_statements(project_dir: Path) -> dict[str, dict[str, Any]]:
    names = load_stack_settings(project_dir, "dev").names
    return {statement["Sid"]: statement for statement in key_policy(names)["Statement"]}


def test_the_key_policy_names_the_stacks_roles_by_their_arns(project_dir: Path) -> None:
    found = key_statements(project_dir)
    role = "arn:aws:iam::111111111111:role/ml-batch-pipeline-dev-"
    assert {
        sid: s["Principal"] for sid, s in found.items() if sid != "NotificationsToEncryptedTopic"
    } == {
        "AccountAdministersKeyThroughIam": {"AWS": ROOT},
        "ExecutionRoleUsesKey": {"AWS": f"{role}execution"},
        "ExecutionRoleGrantsForJobVolumes": {"AWS": f"{role}execution"},
        "SchedulerRoleReadsScheduleInput": {"AWS": f"{role}scheduler"},
    }
    # EventBridge Scheduler reads the encrypted input and does nothing else with the key.
    assert found["SchedulerRoleReadsScheduleInput"]["Action"] == ["kms:Decrypt"]


def test_volume_grants_require_an_aws_resource(project_dir: Path) -> None:
    grant = key_statements(project_dir)["ExecutionRoleGrantsForJobVolumes"]
    assert grant["Action"] == ["kms:CreateGrant"]
    assert grant["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def test_the_job_role_never_re_encrypts(project_dir: Path) -> None:
    use = key_statements(project_dir)["ExecutionRoleUsesKey"]["Action"]
    assert "kms:ReEncrypt*" not in use
    # A job handed a key id for its outputs needs Encrypt (CreateTrainingJob OutputDataConfig).
    assert "kms:Encrypt" in use


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


DEV_BUCKET = "arn:aws:s3:::ml-batch-pipeline-dev-111111111111-eu-west-1"
CONSUMER_ROOTS = ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]
# Each consumer account's preprod and prod deploy roles: the setting names accounts only.
CONSUMER_DEPLOY_ROLES = [
    f"arn:aws:iam::{account}:role/ml-batch-pipeline-github-deploy-{stage}"
    for account in ("222222222222", "333333333333")
    for stage in ("preprod", "prod")
]


def consumers(project_dir: Path, *account_ids: str) -> tuple[ResourceNames, ModelConsumers]:
    names = load_stack_settings(project_dir, "dev").names
    return names, ModelConsumers(names, account_ids)


def test_without_consumer_accounts_no_other_account_is_granted_anything(
    project_dir: Path,
) -> None:
    names, nobody = consumers(project_dir)
    assert key_policy(names, nobody) == key_policy(names)
    assert bucket_policy(DEV_BUCKET, nobody) == bucket_policy(DEV_BUCKET)
    sids = {s["Sid"] for s in key_policy(names, nobody)["Statement"]}
    sids |= {s["Sid"] for s in bucket_policy(DEV_BUCKET, nobody)["Statement"]}
    assert not {MODEL_READ_SID, MODEL_DECRYPT_SID} & sids


def test_consumer_deploy_roles_may_only_read_models(project_dir: Path) -> None:
    _, two = consumers(project_dir, "222222222222", "333333333333")
    document = bucket_policy(DEV_BUCKET, two)
    assert policy_problems(document) == []
    # The TLS denies stay, first; the one Allow is the models' read.
    assert [s["Sid"] for s in document["Statement"]] == [
        "DenyInsecureTransport",
        "DenyOutdatedTls",
        MODEL_READ_SID,
    ]
    assert document["Statement"][2] == {
        "Sid": MODEL_READ_SID,
        "Effect": "Allow",
        "Principal": {"AWS": CONSUMER_ROOTS},
        "Action": ["s3:GetObject"],
        "Resource": [f"{DEV_BUCKET}/models/*"],
        "Condition": {"ArnEquals": {"aws:PrincipalArn": CONSUMER_DEPLOY_ROLES}},
    }


def test_consumer_deploy_roles_may_only_decrypt_through_s3(project_dir: Path) -> None:
    names, two = consumers(project_dir, "222222222222", "333333333333")
    document = key_policy(names, two)
    assert policy_problems(document, key_policy=True) == []
    # Every statement the stack's own principals rely on is still there, unchanged.
    assert document["Statement"][:-1] == key_policy(names)["Statement"]
    assert document["Statement"][-1] == {
        "Sid": MODEL_DECRYPT_SID,
        "Effect": "Allow",
        "Principal": {"AWS": CONSUMER_ROOTS},
        "Action": ["kms:Decrypt"],
        "Resource": "*",
        "Condition": {
            "StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"},
            "ArnEquals": {"aws:PrincipalArn": CONSUMER_DEPLOY_ROLES},
        },
    }


def test_one_consumer_account_admits_its_two_deploy_roles_only(project_dir: Path) -> None:
    _, one = consumers(project_dir, "222222222222")
    (read,) = [s for s in bucket_policy(DEV_BUCKET, one)["Statement"] if s["Effect"] == "Allow"]
    assert read["Principal"] == {"AWS": ["arn:aws:iam::222222222222:root"]}
    assert read["Condition"]["ArnEquals"]["aws:PrincipalArn"] == CONSUMER_DEPLOY_ROLES[:2]


PIPELINE = "arn:aws:sagemaker:eu-west-1:111111111111:pipeline/ml-batch-pipeline-dev"
STEP_EVENT = "SageMaker Model Building Pipeline Execution Step Status Change"


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """EventBridge matching for the pattern forms used here: value lists and anything-but."""

    def fits(rule: Any, value: Any) -> bool:
        if isinstance(rule, dict):
            return all(fits(rule[k], (value or {}).get(k)) for k in rule)
        return any(
            value not in r["anything-but"] if isinstance(r, dict) else value == r for r in rule
        )

    return fits(pattern, event)


def step_event(step: str, status: str = "Failed") -> dict[str, Any]:
    return {
        "source": "aws.sagemaker",
        "detail-type": STEP_EVENT,
        "detail": {"pipelineArn": PIPELINE, "stepName": step, "currentStepStatus": status},
    }


def execution_event(status: str, pipeline: str = PIPELINE) -> dict[str, Any]:
    return {
        "source": "aws.sagemaker",
        "detail-type": "SageMaker Model Building Pipeline Execution Status Change",
        "detail": {"pipelineArn": pipeline, "currentPipelineExecutionStatus": status},
    }


@pytest.mark.parametrize(
    ("event", "notified_by"),
    [
        (step_event("Train"), STEP_FAILED),
        (step_event("QualityGateFailed"), GATE_REJECTED),
        (execution_event("Stopped"), EXECUTION_STOPPED),
        # The failed execution itself: its step already said why, once.
        (execution_event("Failed"), None),
        (step_event("Train", "Succeeded"), None),
        (execution_event("Stopped", PIPELINE.replace("-dev", "-other")), None),
    ],
)
def test_each_event_is_one_notification_at_most(event: dict[str, Any], notified_by: Any) -> None:
    matched = [
        n
        for n in NOTIFICATIONS
        if matches(notification_pattern(n, PIPELINE, "QualityGateFailed"), event)
    ]
    assert matched == ([notified_by] if notified_by else [])


def test_notifications_are_readable_text_that_say_what_happened() -> None:
    for notification in NOTIFICATIONS:
        # A quoted template arrives with its quotes; placeholders are all defined.
        assert not notification.template.startswith('"')
        assert set(re.findall(r"<(\w+)>", notification.template)) == set(notification.paths)
    assert "quality gate rejected the model" in GATE_REJECTED.template
    assert "not a failure" in GATE_REJECTED.template
    assert "<reason>" in STEP_FAILED.template


def test_topic_accepts_only_the_stack_alarms_and_rule() -> None:
    alarms = "arn:aws:cloudwatch:eu-west-1:111111111111:alarm:ml-batch-pipeline-dev-*"
    document = topic_policy(TOPIC, ROOT, RULES, alarms, "111111111111")
    assert policy_problems(document) == []
    by_sid = {s["Sid"]: s for s in document["Statement"]}
    assert by_sid["StackAlarmsPublish"]["Condition"] == {
        "ArnLike": {"aws:SourceArn": alarms},
        "StringEquals": {"aws:SourceAccount": "111111111111"},
    }
    assert by_sid["PipelineEventRulesPublish"]["Condition"] == {
        "ArnEquals": {"aws:SourceArn": sorted(RULES)}
    }
    # The only "*" principal is in a Deny.
    assert all(s["Effect"] == "Deny" for s in document["Statement"] if s["Principal"] == "*")


def test_dead_letter_queue_accepts_only_the_rule() -> None:
    queue = "arn:aws:sqs:eu-west-1:111111111111:ml-batch-pipeline-dev-alerts-dlq"
    document = dead_letter_queue_policy(queue, RULES)
    assert policy_problems(document) == []
    (statement,) = document["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": sorted(RULES)}}
