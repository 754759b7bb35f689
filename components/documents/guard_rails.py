"""The execution role's guard rails: denies on the SageMaker condition keys, so what a job may
run stays bounded whatever a definition edited in the console asks for."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components.documents.policy import Statement, statement


def guard_rail_statements(
    max_runtime_seconds: int,
    allowed_instance_types: Sequence[str],
    *,
    auto_approve_models: bool,
) -> list[Statement]:
    """Denies that hold even if someone edits the definition by hand in the console.

    Each condition key is one the action supports (see the test against AWS's IAM reference): a
    `Null` test on a key an action does not have always matches and would deny the pipeline.
    """
    jobs = ["sagemaker:CreateProcessingJob", "sagemaker:CreateTrainingJob"]
    all_jobs = [*jobs, "sagemaker:CreateTransformJob"]
    statements = [
        _deny("DenyJobsWithoutVolumeKey", all_jobs, {"Null": {"sagemaker:VolumeKmsKey": "true"}}),
        _deny("DenyJobsWithoutOutputKey", all_jobs, {"Null": {"sagemaker:OutputKmsKey": "true"}}),
        _deny(
            "DenyJobsWithNetworkAccess",
            [*jobs, "sagemaker:CreateModel"],
            {"Bool": {"sagemaker:NetworkIsolation": "false"}},
        ),
        _deny("DenyUnboundedJobs", jobs, {"Null": {"sagemaker:MaxRuntimeInSeconds": "true"}}),
        _deny(
            "DenyJobsOverMaxRuntime",
            jobs,
            {"NumericGreaterThan": {"sagemaker:MaxRuntimeInSeconds": str(max_runtime_seconds)}},
        ),
    ]
    if allowed_instance_types:
        statements.append(
            _deny(
                "DenyInstanceTypesOutsideStageList",
                all_jobs,
                {
                    "ForAnyValue:StringNotEquals": {
                        "sagemaker:InstanceTypes": list(allowed_instance_types)
                    }
                },
            )
        )
    if not auto_approve_models:
        statements.append(
            _deny(
                "DenySelfApprovedModels",
                ["sagemaker:CreateModelPackage"],
                {"StringEquals": {"sagemaker:ModelApprovalStatus": "Approved"}},
            )
        )
    return statements


def _deny(sid: str, actions: list[str], condition: dict[str, Any]) -> Statement:
    # Guard rails deny on every resource: a request outside the pipeline's names is already
    # not allowed, and naming resources here would only open gaps.
    return statement(sid, "Deny", actions, ["*"], condition)
