"""What the later stages copy from dev stays there and is readable to their deploy roles only:
models/ never expires, the evaluation reports live under it, and only dev's bucket and key
admit those roles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components.documents.sharing import MODEL_DECRYPT_SID, MODEL_READ_SID
from ml.contract import STAGES, S3Layout, Step
from ml.settings import load_stack_settings
from offline.recorder import StackGraph

LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"


def expiring_prefixes(graph: StackGraph) -> list[str]:
    """Prefixes whose current objects expire (noncurrent versions expire everywhere)."""
    rules = graph.one(LIFECYCLE).inputs["rules"]
    return [
        r["filter"]["prefix"] for r in rules if r["status"] == "Enabled" and r.get("expiration")
    ]


def policy_sids(graph: StackGraph, token: str) -> set[str]:
    document = json.loads(graph.one(token).inputs["policy"])
    return {statement["Sid"] for statement in document["Statement"]}


@pytest.mark.parametrize("stage", STAGES)
def test_only_execution_outputs_expire_never_models(
    graphs: dict[str, StackGraph], stage: str
) -> None:
    prefixes = expiring_prefixes(graphs[stage])
    assert prefixes == ["executions/"]
    assert not any(f"{S3Layout.MODELS_PREFIX}/".startswith(prefix) for prefix in prefixes)


def test_the_evaluation_report_a_model_version_points_to_never_expires(
    dev_definition: dict[str, Any], graphs: dict[str, StackGraph]
) -> None:
    evaluate = next(s for s in dev_definition["Steps"] if s["Name"] == Step.EVALUATE)
    (output,) = evaluate["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    join = output["S3Output"]["S3Uri"]["Std:Join"]
    bucket = "ml-batch-pipeline-dev-111111111111-eu-west-1"
    assert join == {
        "On": "/",
        "Values": [
            f"s3://{bucket}/models/evaluations",
            {"Get": "Execution.PipelineExecutionId"},
        ],
    }
    assert not any(
        "models/evaluations/".startswith(prefix) for prefix in expiring_prefixes(graphs["dev"])
    )


def test_only_dev_admits_the_later_stages_deploy_roles(graphs: dict[str, StackGraph]) -> None:
    shared = {MODEL_READ_SID, MODEL_DECRYPT_SID}
    for stage, graph in graphs.items():
        granted = policy_sids(graph, "aws:s3/bucketPolicy:BucketPolicy")
        granted |= policy_sids(graph, "aws:kms/key:Key")
        assert granted & shared == (shared if stage == "dev" else set()), stage


def test_the_dev_grants_name_the_accounts_of_the_preprod_and_prod_stack_files(
    graphs: dict[str, StackGraph], project_dir: Path
) -> None:
    accounts = [load_stack_settings(project_dir, stage).account_id for stage in ("preprod", "prod")]
    roots = [f"arn:aws:iam::{account}:root" for account in accounts]
    bucket = json.loads(graphs["dev"].one("aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    key = json.loads(graphs["dev"].one("aws:kms/key:Key").inputs["policy"])
    (read,) = [s for s in bucket["Statement"] if s["Sid"] == MODEL_READ_SID]
    (decrypt,) = [s for s in key["Statement"] if s["Sid"] == MODEL_DECRYPT_SID]
    assert read["Principal"] == decrypt["Principal"] == {"AWS": roots}
    assert read["Resource"] == [
        "arn:aws:s3:::ml-batch-pipeline-dev-111111111111-eu-west-1/models/*"
    ]
