"""prod in registry mode: it copies the promoted artifact into its own bucket, creates the model
that serves it, and each run starts one batch transform with it."""

from __future__ import annotations

import json
from typing import Any

from components.documents.arns import ecr_repository_arn
from ml.contract import SCORING_PARAMETERS, SERVING_ENVIRONMENT, Step
from offline.policy_harness import CANNOT_CHECK, run_pack
from offline.recorder import StackGraph
from policies.guardrails import POLICIES
from tests.support.promotion import IMAGE_URI, MODEL_DATA_URL

COPY = "aws:s3/objectCopy:ObjectCopy"
MODEL = "aws:sagemaker/model:Model"
BUCKET = "ml-batch-pipeline-prod-333333333333-eu-west-1"
KEY = "models/ml-batch-pipeline-dev-train-abc123/output/model.tar.gz"


def definition(graph: StackGraph) -> dict[str, Any]:
    pipeline = graph.one("aws:sagemaker/pipeline:Pipeline")
    document: dict[str, Any] = json.loads(pipeline.inputs["pipelineDefinition"])
    return document


def test_the_artifact_is_copied_into_the_stack_bucket_under_its_key(
    prod_from_registry: StackGraph,
) -> None:
    copy = prod_from_registry.one(COPY)
    assert copy.inputs["source"] == MODEL_DATA_URL.removeprefix("s3://")
    assert (copy.inputs["bucket"], copy.inputs["key"]) == (BUCKET, KEY)
    assert (copy.inputs["expectedSourceBucketOwner"], copy.inputs["expectedBucketOwner"]) == (
        "111111111111",
        "333333333333",
    )
    assert copy.inputs["serverSideEncryption"] == "aws:kms"
    assert copy.inputs["taggingDirective"] == "REPLACE"
    key = prod_from_registry.one("aws:kms/key:Key")
    assert copy.property_dependencies["kmsKeyId"] == [key.urn]
    assert copy.delete_before_replace


def test_the_model_serves_the_copy_with_the_packages_own_image(
    prod_from_registry: StackGraph,
) -> None:
    model = prod_from_registry.one(MODEL)
    container = model.inputs["primaryContainer"]
    assert container["image"] == IMAGE_URI
    assert container["modelDataUrl"] == f"s3://{BUCKET}/{KEY}"
    assert container["environment"] == SERVING_ENVIRONMENT
    assert model.inputs["enableNetworkIsolation"] is True
    assert model.inputs["name"].startswith("ml-batch-pipeline-prod-promoted-")


def test_a_run_starts_one_transform_with_that_model(prod_from_registry: StackGraph) -> None:
    document = definition(prod_from_registry)
    (step,) = document["Steps"]
    assert step["Name"] == Step.TRANSFORM
    assert step["Arguments"]["ModelName"] == prod_from_registry.one(MODEL).inputs["name"]
    assert [p["Name"] for p in document["Parameters"]] == list(SCORING_PARAMETERS)
    schedule = prod_from_registry.one("aws:scheduler/schedule:Schedule")
    passed = schedule.inputs["target"]["sagemakerPipelineParameters"]["pipelineParameters"]
    assert [p["name"] for p in passed] == list(SCORING_PARAMETERS)


def test_no_step_code_is_uploaded(prod_from_registry: StackGraph) -> None:
    keys = [
        r.inputs["key"] for r in prod_from_registry.of_type("aws:s3/bucketObjectv2:BucketObjectv2")
    ]
    assert not [key for key in keys if key.startswith("code/")]


def test_the_role_only_scores_and_pulls_only_the_packages_image(
    prod_from_registry: StackGraph,
) -> None:
    policy = json.loads(
        prod_from_registry.one(
            "aws:iam/rolePolicy:RolePolicy", "batch-inference-execution-policy"
        ).inputs["policy"]
    )
    allowed = {a for s in policy["Statement"] if s["Effect"] == "Allow" for a in s["Action"]}
    assert "sagemaker:CreateTransformJob" in allowed
    assert not allowed & {
        "sagemaker:CreateTrainingJob",
        "sagemaker:CreateProcessingJob",
        "sagemaker:CreateModel",
        "sagemaker:CreateModelPackage",
        "iam:PassRole",
    }
    pulls = next(s for s in policy["Statement"] if s["Sid"] == "PullStepImages")
    assert pulls["Resource"] == [ecr_repository_arn("aws", IMAGE_URI)]


def test_the_registry_stack_passes_every_policy(prod_from_registry: StackGraph) -> None:
    report = run_pack(prod_from_registry)
    assert (report.mandatory, report.advisory, report.of(CANNOT_CHECK)) == ([], [], [])
    assert len(report.passed) == len(POLICIES)


def test_the_dashboard_watches_the_one_step(prod_from_registry: StackGraph) -> None:
    dashboard = prod_from_registry.one("aws:cloudwatch/dashboard:Dashboard")
    widgets = json.loads(dashboard.inputs["dashboardBody"])["widgets"]
    failures = next(w for w in widgets if w["properties"].get("title") == "Step failures")
    steps = {m[-1] for m in failures["properties"]["metrics"] if isinstance(m[-1], str)}
    assert steps == {Step.TRANSFORM}
