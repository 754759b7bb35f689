from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from components.documents.iam import (
    SAGEMAKER_SERVICE,
    SCHEDULER_SERVICE,
    ExecutionScope,
    execution_role_policy,
    scheduler_role_policy,
    service_trust_policy,
)
from ml.contract import STAGES
from ml.settings import load_stack_settings
from tests.support.iam_reference import expand, policy_problems, wildcard_only

IMAGE = "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:3.0-5"
# IAM's limit on the inline policies of one role, counted without whitespace.
INLINE_POLICY_LIMIT = 10_240


def scope_for(project_dir: Path, stage: str, **changes: Any) -> ExecutionScope:
    settings = load_stack_settings(project_dir, stage)
    names = settings.names
    scope = ExecutionScope(
        names=names,
        read_uris=(
            settings.input_data_url or f"s3://{names.bucket}/input/training/abalone.csv",
            settings.batch_data_url or f"s3://{names.bucket}/input/batch/",
        ),
        image_uris=(IMAGE,),
        allowed_instance_types=settings.allowed_instance_types,
        max_runtime_seconds=settings.max_job_runtime_seconds,
        auto_approve_models=settings.auto_approve_models,
    )
    return replace(scope, **changes)


def statements(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {statement["Sid"]: statement for statement in document["Statement"]}


@pytest.mark.parametrize("stage", STAGES)
def test_every_action_resource_and_condition_key_is_backed_by_the_iam_reference(
    project_dir: Path, stage: str
) -> None:
    scope = scope_for(
        project_dir, stage, subnet_ids=("subnet-0abc12345",), security_group_ids=("sg-0abc1234",)
    )
    assert policy_problems(execution_role_policy(scope)) == []


def test_the_reference_check_catches_a_key_an_action_does_not_support() -> None:
    # CreateTransformJob has no sagemaker:NetworkIsolation key: a Deny on it would always match.
    bad = {
        "Sid": "Bad",
        "Effect": "Deny",
        "Action": ["sagemaker:CreateTransformJob"],
        "Resource": ["*"],
        "Condition": {"Bool": {"sagemaker:NetworkIsolation": "false"}},
    }
    assert policy_problems({"Statement": [bad]}) == [
        "Bad: sagemaker:CreateTransformJob does not support the condition key "
        "sagemaker:NetworkIsolation"
    ]
    unscoped = {"Sid": "Wide", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}
    assert policy_problems({"Statement": [unscoped]}) == [
        "Wide: s3:GetObject on Resource '*' although it can name a resource"
    ]


@pytest.mark.parametrize("stage", STAGES)
def test_no_wildcard_action_and_star_resources_only_where_aws_allows_nothing_else(
    project_dir: Path, stage: str
) -> None:
    for statement in execution_role_policy(scope_for(project_dir, stage))["Statement"]:
        actions = statement["Action"]
        assert "*" not in actions
        assert not any(action.endswith(":*") for action in actions)
        if statement["Effect"] == "Allow" and "*" in statement["Resource"]:
            expanded = [a for pattern in actions for a in expand(pattern)]
            assert all(wildcard_only(a) for a in expanded), statement["Sid"]


def test_writes_go_only_to_the_stack_bucket_and_inputs_are_read_only(project_dir: Path) -> None:
    scope = scope_for(project_dir, "prod")
    bucket = f"arn:aws:s3:::{scope.names.bucket}"
    writes = [
        resource
        for statement in execution_role_policy(scope)["Statement"]
        if "s3:PutObject" in statement["Action"]
        for resource in statement["Resource"]
    ]
    # Never code/: a step that could overwrite the code would change what every later run runs.
    assert writes == [f"{bucket}/executions/*", f"{bucket}/models/*"]
    found = statements(execution_role_policy(scope))
    # prod reads its data from its own data bucket, by the configured prefixes only.
    assert found["InputRead0"]["Action"] == ["s3:GetObject"]
    assert found["InputRead0"]["Resource"] == [
        "arn:aws:s3:::example-prod-data-333333333333/abalone/batch/*",
        "arn:aws:s3:::example-prod-data-333333333333/abalone/training/abalone.csv*",
    ]
    assert found["InputList0"]["Condition"] == {
        "StringLike": {"s3:prefix": ["abalone/batch/*", "abalone/training/abalone.csv*"]}
    }


def test_inputs_inside_the_stack_bucket_need_no_extra_statement(project_dir: Path) -> None:
    sids = statements(execution_role_policy(scope_for(project_dir, "dev")))
    assert not any(sid.startswith("Input") for sid in sids)


def test_pass_role_is_only_for_itself_and_only_to_sagemaker(project_dir: Path) -> None:
    scope = scope_for(project_dir, "dev")
    passes = [s for s in execution_role_policy(scope)["Statement"] if "iam:PassRole" in s["Action"]]
    assert passes == [
        {
            "Sid": "PassOwnRoleToSageMaker",
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": ["arn:aws:iam::111111111111:role/ml-batch-pipeline-dev-execution"],
            "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
        }
    ]


def test_jobs_are_scoped_by_the_contract_job_prefixes(project_dir: Path) -> None:
    found = statements(execution_role_policy(scope_for(project_dir, "dev")))
    prefix = "arn:aws:sagemaker:eu-west-1:111111111111"
    assert found["PipelineProcessingJobs"]["Resource"] == [
        f"{prefix}:processing-job/ml-batch-pipeline-dev-prep*",
        f"{prefix}:processing-job/ml-batch-pipeline-dev-eval*",
    ]
    assert found["PipelineTrainingJobs"]["Resource"] == [
        f"{prefix}:training-job/ml-batch-pipeline-dev-train*"
    ]
    assert found["PipelineModels"]["Resource"] == [f"{prefix}:model/ml-batch-pipeline-dev-model*"]
    assert found["RegisterModelVersions"]["Resource"] == [
        f"{prefix}:model-package-group/ml-batch-pipeline-dev-models",
        f"{prefix}:model-package/ml-batch-pipeline-dev-models/*",
    ]


def test_guard_rails_follow_the_stage(project_dir: Path) -> None:
    strict = statements(execution_role_policy(scope_for(project_dir, "prod")))
    assert strict["DenyInstanceTypesOutsideStageList"]["Condition"] == {
        "ForAnyValue:StringNotEquals": {
            "sagemaker:InstanceTypes": ["ml.m5.xlarge", "ml.m5.2xlarge", "ml.m5.4xlarge"]
        }
    }
    assert strict["DenyJobsOverMaxRuntime"]["Condition"] == {
        "NumericGreaterThan": {"sagemaker:MaxRuntimeInSeconds": "7200"}
    }
    assert strict["DenySelfApprovedModels"]["Effect"] == "Deny"
    relaxed = statements(
        execution_role_policy(
            scope_for(project_dir, "dev", allowed_instance_types=(), auto_approve_models=True)
        )
    )
    assert "DenyInstanceTypesOutsideStageList" not in relaxed
    assert "DenySelfApprovedModels" not in relaxed
    for sid in ("DenyJobsWithoutVolumeKey", "DenyJobsWithoutOutputKey", "DenyUnboundedJobs"):
        assert relaxed[sid]["Effect"] == "Deny"


def test_vpc_permissions_appear_only_with_subnets(project_dir: Path) -> None:
    plain = statements(execution_role_policy(scope_for(project_dir, "dev")))
    assert not any(sid.startswith("JobNetwork") for sid in plain)
    scope = scope_for(project_dir, "dev", subnet_ids=("subnet-0abc",), security_group_ids=("sg-1",))
    vpc = statements(execution_role_policy(scope))
    assert vpc["JobNetworkInterfaces"]["Resource"] == [
        "arn:aws:ec2:eu-west-1:111111111111:network-interface/*",
        "arn:aws:ec2:eu-west-1:111111111111:subnet/subnet-0abc",
        "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-1",
    ]
    assert vpc["JobNetworkInterfaceLifecycle"]["Condition"] == {
        "ArnEquals": {"ec2:Subnet": ["arn:aws:ec2:eu-west-1:111111111111:subnet/subnet-0abc"]}
    }


@pytest.mark.parametrize("stage", STAGES)
def test_the_policy_fits_iams_inline_size_limit(project_dir: Path, stage: str) -> None:
    scope = scope_for(project_dir, stage, subnet_ids=("subnet-0abc",), security_group_ids=("sg-1",))
    size = len(json.dumps(execution_role_policy(scope), separators=(",", ":")))
    assert size < INLINE_POLICY_LIMIT


def test_trust_policies_name_one_service() -> None:
    assert service_trust_policy(SAGEMAKER_SERVICE)["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": SAGEMAKER_SERVICE}, "Action": "sts:AssumeRole"}
    ]
    scheduler = service_trust_policy(SCHEDULER_SERVICE, "111111111111")["Statement"][0]
    assert scheduler["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert scheduler["Condition"] == {"StringEquals": {"aws:SourceAccount": "111111111111"}}


def test_the_scheduler_may_start_only_its_pipeline() -> None:
    pipeline = "arn:aws:sagemaker:eu-west-1:111111111111:pipeline/ml-batch-pipeline-dev"
    queue = "arn:aws:sqs:eu-west-1:111111111111:ml-batch-pipeline-dev-schedule-dlq"
    document = scheduler_role_policy(pipeline, queue)
    assert policy_problems(document) == []
    assert [(s["Action"], s["Resource"]) for s in document["Statement"]] == [
        (["sagemaker:StartPipelineExecution"], [pipeline]),
        (["sqs:SendMessage"], [queue]),
    ]


def test_jobs_decrypt_input_buckets_keys_only_through_s3(project_dir: Path) -> None:
    key = "arn:aws:kms:eu-west-1:444444444444:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    other_region = "arn:aws:kms:us-east-1:444444444444:key/mrk-1234567890abcdef1234567890abcdef"
    document = execution_role_policy(
        scope_for(project_dir, "prod", input_key_arns=(key, other_region))
    )
    assert policy_problems(document) == []
    found = statements(document)["InputKeysDecryptThroughS3"]
    assert found["Action"] == ["kms:Decrypt"]
    assert found["Resource"] == sorted([key, other_region])
    assert found["Condition"] == {
        "StringEquals": {
            "kms:ViaService": ["s3.eu-west-1.amazonaws.com", "s3.us-east-1.amazonaws.com"]
        }
    }
    assert "InputKeysDecryptThroughS3" not in statements(
        execution_role_policy(scope_for(project_dir, "prod"))
    )


def test_vpc_jobs_may_remove_the_interface_permissions_they_create(project_dir: Path) -> None:
    scope = scope_for(
        project_dir, "dev", subnet_ids=("subnet-0abc1234",), security_group_ids=("sg-0abc1234",)
    )
    lifecycle = statements(execution_role_policy(scope))["JobNetworkInterfaceLifecycle"]
    assert "ec2:DeleteNetworkInterfacePermission" in lifecycle["Action"]
    assert policy_problems(execution_role_policy(scope)) == []


def test_an_arn_placeholder_never_spans_a_segment() -> None:
    """A name placeholder matches one ARN segment: `pipeline/x:y` is not a pipeline ARN."""
    from tests.support.iam_reference import resource_defined

    assert resource_defined(
        "sagemaker:CreatePipeline", "arn:aws:sagemaker:eu-west-1:111111111111:pipeline/x"
    )
    assert not resource_defined(
        "sagemaker:CreatePipeline", "arn:aws:sagemaker:eu-west-1:111111111111:pipeline/x:extra"
    )
