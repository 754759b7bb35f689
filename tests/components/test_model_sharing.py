"""What a registered model version points to stays: models/ never expires, and the evaluation
reports live under it."""

from __future__ import annotations

from typing import Any

import pytest

from ml.contract import STAGES, S3Layout, Step
from offline.recorder import StackGraph

LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"


def expiring_prefixes(graph: StackGraph) -> list[str]:
    """Prefixes whose current objects expire (noncurrent versions expire everywhere)."""
    rules = graph.one(LIFECYCLE).inputs["rules"]
    return [
        r["filter"]["prefix"] for r in rules if r["status"] == "Enabled" and r.get("expiration")
    ]


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
