"""Each stage's deploy role policy: what `pulumi up`, `ml execute` and `ml cleanup` need."""

from __future__ import annotations

from typing import Any

from bootstrap.deploy_operations import monitoring_statements, scheduling_statements
from bootstrap.promotion import promotion_statements
from components.documents.arns import Arns
from components.documents.iam import SAGEMAKER_SERVICE, SCHEDULER_SERVICE, job_arns
from components.documents.policy import Statement, allow, document
from ml.contract import ResourceNames, S3Layout

SAMPLE_KEYS = (S3Layout.SAMPLE_TRAINING_KEY, S3Layout.SAMPLE_BATCH_KEY)
ALARM_SSM_SERVICE = "ssm.alarms.cloudwatch.amazonaws.com"


DEPLOY_SESSION_SECONDS = 10800


def deploy_policy(
    names: ResourceNames, model_source: ResourceNames | None = None
) -> dict[str, Any]:
    """What one stage's `pulumi up`, `python -m ml execute` and `cleanup` need, on that stage's
    resource names only (the names are deterministic: see ml.contract.ResourceNames); for a
    stage that copies dev's approved models, reads of `model_source`'s (bootstrap/promotion.py)."""
    return document(
        [
            *_storage(names),
            *_keys(names),
            *_roles(names),
            *_sagemaker(names),
            *scheduling_statements(names),
            *monitoring_statements(names),
            *promotion_statements(names, model_source),
        ]
    )


def _storage(names: ResourceNames) -> list[Statement]:
    bucket = Arns(names).bucket
    # The objects Pulumi manages: the step code and the sample data. Training data, models and
    # predictions are the jobs' business: the deploy role never reads them (but for the copies
    # of dev's approved models a preprod or prod stage makes: bootstrap/promotion.py).
    managed = [f"{bucket}/{S3Layout.CODE_PREFIX}/*", *(f"{bucket}/{key}" for key in SAMPLE_KEYS)]
    return [
        allow(
            "StackBucket",
            # The provider reads every bucket setting on refresh, hence GetBucket*; tags go
            # through S3's resource tagging (TagResource) first, bucket tagging as a fallback.
            [
                "s3:CreateBucket",
                "s3:DeleteBucket",
                "s3:DeleteBucketPolicy",
                "s3:GetBucket*",
                "s3:GetAccelerateConfiguration",
                "s3:GetEncryptionConfiguration",
                "s3:GetLifecycleConfiguration",
                "s3:GetReplicationConfiguration",
                "s3:ListBucket",
                "s3:ListBucketVersions",
                "s3:ListTagsForResource",
                "s3:TagResource",
                "s3:UntagResource",
                "s3:PutBucket*",
                "s3:PutEncryptionConfiguration",
                "s3:PutLifecycleConfiguration",
            ],
            [bucket],
        ),
        allow(
            "ManagedObjects",
            [
                "s3:GetObject",
                "s3:GetObjectTagging",
                "s3:PutObject",
                "s3:PutObjectTagging",
                "s3:DeleteObjectTagging",
            ],
            managed,
        ),
        # Emptying a destroyable bucket, and removing what runs left: deletes only, no reads.
        allow(
            "DeleteObjects",
            ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:AbortMultipartUpload"],
            [f"{bucket}/*"],
        ),
    ]


def _keys(names: ResourceNames) -> list[Statement]:
    arns = Arns(names)
    tagged = {
        "StringEquals": {
            "aws:ResourceTag/project": names.project,
            "aws:ResourceTag/stage": names.stage,
        }
    }
    requested = {
        "StringEquals": {
            "aws:RequestTag/project": names.project,
            "aws:RequestTag/stage": names.stage,
        }
    }
    return [
        # Keys get their id at creation: CreateKey has no resource, so the request's tags scope it.
        allow("CreateStackKey", ["kms:CreateKey"], ["*"], requested),
        allow("TagNewStackKey", ["kms:TagResource"], [arns.arn("kms", "key/*")], requested),
        allow(
            "ManageStackKey",
            [
                "kms:DescribeKey",
                "kms:GetKeyPolicy",
                "kms:GetKeyRotationStatus",
                "kms:PutKeyPolicy",
                "kms:EnableKeyRotation",
                "kms:ListResourceTags",
                "kms:TagResource",
                "kms:UntagResource",
                "kms:UpdateKeyDescription",
                "kms:ScheduleKeyDeletion",
                "kms:CancelKeyDeletion",
                "kms:CreateAlias",
                "kms:DeleteAlias",
                "kms:UpdateAlias",
            ],
            [arns.arn("kms", "key/*")],
            tagged,
        ),
        # Data keys only as S3 (uploads of the managed objects) and Scheduler (the schedule's
        # encrypted input) ask for them on the deploy role's behalf.
        allow(
            "StackKeyDataThroughServices",
            ["kms:Decrypt", "kms:GenerateDataKey"],
            [arns.arn("kms", "key/*")],
            {
                "StringEquals": tagged["StringEquals"]
                | {
                    "kms:ViaService": [
                        f"s3.{names.region}.amazonaws.com",
                        f"scheduler.{names.region}.amazonaws.com",
                    ],
                }
            },
        ),
        allow(
            "StackKeyAlias",
            ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
            [arns.arn("kms", f"alias/{names.pipeline}")],
        ),
        allow("ListAliases", ["kms:ListAliases"], ["*"]),
    ]


def _roles(names: ResourceNames) -> list[Statement]:
    arns = Arns(names)
    return [
        allow(
            "StackRoles",
            [
                "iam:CreateRole",
                "iam:DeleteRole",
                "iam:GetRole",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
                "iam:UpdateAssumeRolePolicy",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:PutRolePolicy",
                "iam:GetRolePolicy",
                "iam:DeleteRolePolicy",
                "iam:ListRolePolicies",
                "iam:ListAttachedRolePolicies",
                "iam:ListInstanceProfilesForRole",
            ],
            [arns.role(f"{names.pipeline}-*")],
        ),
        # Each role goes to the one service that uses it.
        allow(
            "PassExecutionRoleToSageMaker",
            ["iam:PassRole"],
            [arns.execution_role],
            {"StringEquals": {"iam:PassedToService": SAGEMAKER_SERVICE}},
        ),
        allow(
            "PassSchedulerRoleToScheduler",
            ["iam:PassRole"],
            [arns.scheduler_role],
            {"StringEquals": {"iam:PassedToService": SCHEDULER_SERVICE}},
        ),
        # An alarm that opens an OpsItem needs CloudWatch's service-linked role, created on
        # first use with the caller's permissions.
        allow(
            "AlarmOpsItemServiceRole",
            ["iam:CreateServiceLinkedRole"],
            [
                arns.role(
                    f"aws-service-role/{ALARM_SSM_SERVICE}/AWSServiceRoleForCloudWatchAlarms_ActionSSM"
                )
            ],
            {"StringEquals": {"iam:AWSServiceName": ALARM_SSM_SERVICE}},
        ),
    ]


def _sagemaker(names: ResourceNames) -> list[Statement]:
    arns = Arns(names)
    pipeline = arns.pipeline(names.pipeline)
    return [
        allow(
            "StackPipeline",
            [
                "sagemaker:CreatePipeline",
                "sagemaker:UpdatePipeline",
                "sagemaker:DeletePipeline",
                "sagemaker:DescribePipeline",
                "sagemaker:AddTags",
                "sagemaker:DeleteTags",
                "sagemaker:ListTags",
                "sagemaker:StartPipelineExecution",
                "sagemaker:ListPipelineExecutions",
            ],
            [pipeline],
        ),
        allow(
            "StackPipelineExecutions",
            [
                "sagemaker:DescribePipelineExecution",
                "sagemaker:ListPipelineExecutionSteps",
                "sagemaker:StopPipelineExecution",
            ],
            [f"{pipeline}/execution/*"],
        ),
        allow(
            "StackModelRegistry",
            [
                "sagemaker:CreateModelPackageGroup",
                "sagemaker:DescribeModelPackageGroup",
                "sagemaker:DeleteModelPackageGroup",
                "sagemaker:AddTags",
                "sagemaker:DeleteTags",
                "sagemaker:ListTags",
            ],
            [arns.model_package_group],
        ),
        allow("StackModelVersions", ["sagemaker:DeleteModelPackage"], [arns.model_packages]),
        # AWS's reference data disagrees on its resource type; "*" satisfies every reading.
        allow("ListModelVersions", ["sagemaker:ListModelPackages"], ["*"]),
        allow("StackModels", ["sagemaker:DeleteModel"], job_arns(names)["model"]),
        allow("ListModels", ["sagemaker:ListModels"], ["*"]),
    ]
