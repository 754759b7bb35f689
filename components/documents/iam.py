"""IAM documents: the pipeline execution role, the scheduler role, and their trust policies.

Every statement names the resources it applies to; `Resource: "*"` appears only for actions
that AWS defines on no resource type (a test checks each action, resource and condition key
against AWS's IAM reference).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.documents.arns import Arns, ecr_repository_arn, s3_bucket_arn, s3_location
from components.documents.guard_rails import guard_rail_statements
from components.documents.policy import Statement, allow, document
from ml.contract import ResourceNames, S3Layout, Step

SAGEMAKER_SERVICE = "sagemaker.amazonaws.com"
SCHEDULER_SERVICE = "scheduler.amazonaws.com"

# Job kinds in SageMaker ARNs, by the step that creates them.
_JOB_RESOURCES = {
    Step.PREPROCESS: "processing-job",
    Step.EVALUATE: "processing-job",
    Step.TRAIN: "training-job",
    Step.TRANSFORM: "transform-job",
    Step.CREATE_MODEL: "model",
}
_JOB_ACTIONS = {
    "processing-job": ("CreateProcessingJob", "DescribeProcessingJob", "StopProcessingJob"),
    "training-job": ("CreateTrainingJob", "DescribeTrainingJob", "StopTrainingJob"),
    "transform-job": ("CreateTransformJob", "DescribeTransformJob", "StopTransformJob"),
    "model": ("CreateModel", "DescribeModel"),
}


@dataclass(frozen=True)
class ExecutionScope:
    """What the pipeline execution role may touch, as plain values."""

    names: ResourceNames
    # s3:// URIs (objects or prefixes) the jobs read besides the stack bucket.
    read_uris: tuple[str, ...]
    image_uris: tuple[str, ...]
    # Empty: any instance type AWS offers; otherwise the guard rail denies the others.
    allowed_instance_types: tuple[str, ...]
    max_runtime_seconds: int
    auto_approve_models: bool
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    # Customer keys of the input buckets (inputKmsKeyArns): decrypt through S3 only.
    input_key_arns: tuple[str, ...] = ()
    # Registry mode: runs only score with the model the stack created; they train, register
    # and create nothing.
    scoring_only: bool = False


def service_trust_policy(
    service: str, source_account: str | None = None, source_arn: str | None = None
) -> dict[str, Any]:
    """One service principal may assume the role, optionally only on behalf of one account and
    one source (EventBridge Scheduler: the schedule group, per its confused-deputy guidance).

    SageMaker does not present a source account on every path that assumes the execution role
    (jobs, models, pipelines), so the execution role trusts the service without it; the role is
    only usable by principals allowed to pass it.
    """
    statement: Statement = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    condition: dict[str, Any] = {}
    if source_account:
        condition["StringEquals"] = {"aws:SourceAccount": source_account}
    if source_arn:
        condition["ArnEquals"] = {"aws:SourceArn": source_arn}
    if condition:
        statement["Condition"] = condition
    return document([statement])


def execution_role_policy(scope: ExecutionScope) -> dict[str, Any]:
    training = (
        [] if scope.scoring_only else [*_registry_statements(scope), _pass_role_statement(scope)]
    )
    statements = [
        *_stack_bucket_statements(scope),
        *_read_statements(scope),
        *_input_key_statements(scope),
        *_job_statements(scope),
        *training,
        *_image_statements(scope),
        *_log_and_metric_statements(scope),
        *_vpc_statements(scope),
        *guard_rail_statements(
            scope.max_runtime_seconds,
            scope.allowed_instance_types,
            auto_approve_models=scope.auto_approve_models,
        ),
    ]
    return document(statements)


# Where jobs write: each run's outputs and the trained models. Never `code/`, which every later
# run executes: a step that could overwrite it could change what the pipeline runs.
JOB_WRITE_PREFIXES = (S3Layout.EXECUTIONS_PREFIX, S3Layout.MODELS_PREFIX)


def _stack_bucket_statements(scope: ExecutionScope) -> list[Statement]:
    bucket = Arns(scope.names).bucket
    return [
        allow("StackBucketList", ["s3:ListBucket", "s3:GetBucketLocation"], [bucket]),
        allow("StackBucketRead", ["s3:GetObject"], [f"{bucket}/*"]),
        allow(
            "StackBucketWriteOutputs",
            ["s3:PutObject", "s3:AbortMultipartUpload"],
            [f"{bucket}/{prefix}/*" for prefix in JOB_WRITE_PREFIXES],
        ),
    ]


def _read_statements(scope: ExecutionScope) -> list[Statement]:
    """Read-only access to the configured inputs outside the stack bucket, by prefix."""
    prefixes: dict[str, set[str]] = {}
    for uri in scope.read_uris:
        bucket, key = s3_location(uri)
        if bucket != scope.names.bucket:
            prefixes.setdefault(bucket, set()).add(key)
    statements: list[Statement] = []
    for index, bucket in enumerate(sorted(prefixes)):
        arn = s3_bucket_arn(scope.names.partition, bucket)
        keys = sorted(prefixes[bucket])
        statements.append(
            allow(f"InputRead{index}", ["s3:GetObject"], [f"{arn}/{k}*" for k in keys])
        )
        statements.append(
            allow(
                f"InputList{index}",
                ["s3:ListBucket"],
                [arn],
                {"StringLike": {"s3:prefix": [f"{k}*" for k in keys]}},
            )
        )
    return statements


def _input_key_statements(scope: ExecutionScope) -> list[Statement]:
    """Customer keys of the input buckets. The stack key's own use is granted by its key policy
    (documents/kms.py), which names this role: no ARN the provider assigns appears here."""
    if not scope.input_key_arns:
        return []
    return [
        allow(
            "InputKeysDecryptThroughS3",
            ["kms:Decrypt"],
            sorted(scope.input_key_arns),
            {"StringEquals": {"kms:ViaService": _s3_in_regions_of(scope.input_key_arns)}},
        )
    ]


def _s3_in_regions_of(key_arns: tuple[str, ...]) -> list[str]:
    """S3 calls KMS from the key's (the bucket's) region."""
    return sorted({f"s3.{arn.split(':')[3]}.amazonaws.com" for arn in key_arns})


def job_arns(names: ResourceNames) -> dict[str, list[str]]:
    """ARN patterns of the jobs and models this pipeline creates, by SageMaker resource kind."""
    arns: dict[str, list[str]] = {}
    for step, kind in _JOB_RESOURCES.items():
        pattern = Arns(names).sagemaker(f"{kind}/{names.job_prefix(step)}*")
        arns.setdefault(kind, []).append(pattern)
    return arns


def _job_statements(scope: ExecutionScope) -> list[Statement]:
    statements = []
    for kind, arns in sorted(job_arns(scope.names).items()):
        if scope.scoring_only and kind != "transform-job":
            continue
        actions = [f"sagemaker:{action}" for action in _JOB_ACTIONS[kind]] + ["sagemaker:AddTags"]
        sid = "".join(part.title() for part in kind.split("-"))
        statements.append(allow(f"Pipeline{sid}s", actions, arns))
    return statements


def _registry_statements(scope: ExecutionScope) -> list[Statement]:
    arns = Arns(scope.names)
    return [
        allow(
            "RegisterModelVersions",
            ["sagemaker:CreateModelPackage"],
            [arns.model_package_group, arns.model_packages],
        ),
        allow(
            "ReadModelVersions",
            ["sagemaker:DescribeModelPackage", "sagemaker:AddTags"],
            [arns.model_packages],
        ),
        allow(
            "ReadModelGroup", ["sagemaker:DescribeModelPackageGroup"], [arns.model_package_group]
        ),
    ]


def _pass_role_statement(scope: ExecutionScope) -> Statement:
    # Jobs and models run as this same role; it may hand itself to SageMaker and nothing else.
    return allow(
        "PassOwnRoleToSageMaker",
        ["iam:PassRole"],
        [Arns(scope.names).execution_role],
        {"StringEquals": {"iam:PassedToService": SAGEMAKER_SERVICE}},
    )


def _image_statements(scope: ExecutionScope) -> list[Statement]:
    repositories = sorted({ecr_repository_arn(scope.names.partition, u) for u in scope.image_uris})
    return [
        allow(
            "PullStepImages",
            ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            repositories,
        ),
        # GetAuthorizationToken is defined on no resource: "*" is the only form AWS accepts.
        allow("RegistryLogin", ["ecr:GetAuthorizationToken"], ["*"]),
    ]


def _log_and_metric_statements(scope: ExecutionScope) -> list[Statement]:
    arns = Arns(scope.names)
    groups = arns.log_group("/aws/sagemaker/*")
    return [
        allow("JobLogGroups", ["logs:CreateLogGroup", "logs:DescribeLogStreams"], [groups]),
        allow(
            "JobLogStreams",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [f"{groups}:log-stream:*"],
        ),
        # PutMetricData is defined on no resource; the namespace condition narrows it.
        allow(
            "JobMetrics",
            ["cloudwatch:PutMetricData"],
            ["*"],
            {"StringLike": {"cloudwatch:namespace": "/aws/sagemaker/*"}},
        ),
    ]


def _vpc_statements(scope: ExecutionScope) -> list[Statement]:
    """The network interfaces SageMaker attaches to jobs in the configured subnets."""
    if not scope.subnet_ids:
        return []
    arns = Arns(scope.names)
    subnets = [arns.ec2(f"subnet/{subnet}") for subnet in scope.subnet_ids]
    groups = [arns.ec2(f"security-group/{group}") for group in scope.security_group_ids]
    interfaces = arns.ec2("network-interface/*")
    in_subnets = {"ArnEquals": {"ec2:Subnet": subnets}}
    return [
        allow(
            "JobNetworkInterfaces", ["ec2:CreateNetworkInterface"], [interfaces, *subnets, *groups]
        ),
        allow(
            "JobNetworkInterfaceLifecycle",
            [
                "ec2:CreateNetworkInterfacePermission",
                "ec2:DeleteNetworkInterface",
                "ec2:DeleteNetworkInterfacePermission",
            ],
            [interfaces],
            in_subnets,
        ),
        # Describe calls are defined on no resource.
        allow(
            "JobNetworkDescribe",
            [
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
            ],
            ["*"],
        ),
    ]


def scheduler_role_policy(pipeline_arn: str, queue_arn: str) -> dict[str, Any]:
    """Start this one pipeline and dead-letter to its queue (the key policy lets the role read
    the schedule's encrypted input)."""
    return document(
        [
            allow("StartThisPipeline", ["sagemaker:StartPipelineExecution"], [pipeline_arn]),
            allow("DeadLetter", ["sqs:SendMessage"], [queue_arn]),
        ]
    )
