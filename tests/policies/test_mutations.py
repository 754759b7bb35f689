"""Remove one hardening setting of the component at a time, and the matching policy must fail.

Each case renders the real program with a legacy stack transformation that undoes one setting
(transformations run under mocks; the recorded graph is never edited), then runs the pack.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pytest

from offline.policy_harness import VIOLATION, run_pack
from offline.recorder import render_stack
from tests.policies.cases import approved_by_default, drop_statements, in_step, unconditioned
from tests.support.promotion import REGISTRY_MODE

Change = Callable[[dict[str, Any], pulumi.ResourceOptions], None]

BUCKET = "aws:s3/bucket:Bucket"
KEY = "aws:kms/key:Key"
PIPELINE = "aws:sagemaker/pipeline:Pipeline"
SCHEDULE = "aws:scheduler/schedule:Schedule"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


@dataclass(frozen=True)
class Mutation:
    setting: str
    policy: str
    token: str
    change: Change
    name: str | None = None  # only the child with this role
    stack: str = "dev"
    config: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.setting


def prop(key: str, value: Any) -> Change:
    def change(props: dict[str, Any], _: pulumi.ResourceOptions) -> None:
        props[key] = value

    return change


def attr(key: str, attribute: str, value: Any, index: int | None = None) -> Change:
    """Set an attribute of an input type (Args object), e.g. target.retry_policy."""

    def change(props: dict[str, Any], _: pulumi.ResourceOptions) -> None:
        target = props[key] if index is None else props[key][index]
        setattr(target, attribute, value)

    return change


def unprotect(_: dict[str, Any], opts: pulumi.ResourceOptions) -> None:
    opts.protect = False


def json_edit(key: str, edit: Callable[[Any], None]) -> Change:
    """Edit a JSON document input, whether it is a plain string or an Output."""

    def rewrite(text: str) -> str:
        document = json.loads(text)
        edit(document)
        return json.dumps(document)

    def change(props: dict[str, Any], _: pulumi.ResourceOptions) -> None:
        value = props[key]
        props[key] = value.apply(rewrite) if isinstance(value, pulumi.Output) else rewrite(value)

    return change


def scheduled_approval(props: dict[str, Any], _: pulumi.ResourceOptions) -> None:
    for pair in props["target"].sagemaker_pipeline_parameters.pipeline_parameters:
        if pair.name == "ModelApprovalStatus":
            pair.value = "Approved"


def without_rule(rule_id: str) -> Change:
    def change(props: dict[str, Any], _: pulumi.ResourceOptions) -> None:
        props["rules"] = [rule for rule in props["rules"] if rule.id != rule_id]

    return change


S3 = "aws:s3/"
REGISTRY = dict(REGISTRY_MODE)
MUTATIONS = [
    Mutation("model network isolation", "sagemaker-model-network-isolation",
             "aws:sagemaker/model:Model", prop("enable_network_isolation", False),
             stack="prod", config=REGISTRY),
    Mutation("model image", "sagemaker-model-aws-xgboost-image", "aws:sagemaker/model:Model",
             attr("primary_container", "image",
                  "123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-server:1"),
             stack="prod", config=REGISTRY),
    Mutation("model image of another region", "sagemaker-model-aws-xgboost-image",
             "aws:sagemaker/model:Model",
             attr("primary_container", "image",
                  "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"),
             stack="prod", config=REGISTRY),
    Mutation("copy under another key", "s3-promoted-copy-in-stack-bucket",
             "aws:s3/objectCopy:ObjectCopy", prop("key", "models/elsewhere/model.tar.gz"),
             stack="prod", config=REGISTRY),
    Mutation("public access block", "s3-public-access-block",
             f"{S3}bucketPublicAccessBlock:BucketPublicAccessBlock",
             prop("block_public_acls", False)),
    Mutation("ACLs disabled", "s3-bucket-owner-enforced",
             f"{S3}bucketOwnershipControls:BucketOwnershipControls",
             attr("rule", "object_ownership", "ObjectWriter")),
    Mutation("bucket key", "s3-sse-kms-bucket-key",
             f"{S3}bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
             attr("rules", "bucket_key_enabled", False, index=0)),
    Mutation("versioning", "s3-versioning-enabled", f"{S3}bucketVersioning:BucketVersioning",
             attr("versioning_configuration", "status", "Suspended")),
    Mutation("lifecycle abort rule", "s3-lifecycle-rules",
             f"{S3}bucketLifecycleConfiguration:BucketLifecycleConfiguration",
             without_rule("abort-incomplete-uploads")),
    Mutation("TLS-only bucket policy", "s3-tls-only", f"{S3}bucketPolicy:BucketPolicy",
             json_edit("policy", drop_statements("DenyInsecureTransport"))),
    Mutation("hardening attached to the bucket", "stack-bucket-hardening-complete",
             f"{S3}bucketVersioning:BucketVersioning",
             prop("bucket", "ml-batch-pipeline-dev-111111111111-eu-west-1")),
    Mutation("prod bucket protection", "s3-deletion-follows-stage", BUCKET, unprotect,
             stack="prod"),
    Mutation("dev bucket destroyable", "s3-deletion-follows-stage", BUCKET,
             prop("force_destroy", False)),
    Mutation("key rotation", "kms-key-rotation", KEY, prop("enable_key_rotation", False)),
    Mutation("prod key deletion window", "kms-prod-key-deletion-guard", KEY,
             prop("deletion_window_in_days", 7), stack="prod"),
    Mutation("key admits notifiers", "stack-topic-key-admits-notifiers", KEY,
             json_edit("policy", drop_statements("NotificationsToEncryptedTopic"))),
    Mutation("execution guard rails", "iam-sagemaker-guard-rails", ROLE_POLICY,
             json_edit("policy", drop_statements("DenyJobsWithoutOutputKey")),
             name="execution-policy"),
    Mutation("PassRole condition", "iam-pass-role-scoped", ROLE_POLICY,
             json_edit("policy", lambda d: next(s for s in d["Statement"] if s["Sid"] == (
                 "PassOwnRoleToSageMaker")).pop("Condition")),
             name="execution-policy"),
    Mutation("scoped execution resources", "iam-star-resource-only-where-unavoidable",
             ROLE_POLICY, json_edit("policy", lambda d: d["Statement"][1].update(Resource="*")),
             name="execution-policy"),
    Mutation("scheduler trust source account", "iam-trust-one-service", ROLE,
             json_edit("assume_role_policy", lambda d: d["Statement"][0].pop("Condition")),
             name="scheduler-role"),
    Mutation("scheduler role scope", "stack-scheduler-role-starts-only-its-pipeline",
             ROLE_POLICY, json_edit("policy", lambda d: d["Statement"][0]["Action"].append(
                 "sagemaker:StopPipelineExecution")), name="scheduler-policy"),
    Mutation("inline definition", "sagemaker-pipeline-inline-definition", PIPELINE,
             prop("pipeline_definition", None)),
    Mutation("training network isolation", "sagemaker-pipeline-network-isolation", PIPELINE,
             json_edit("pipeline_definition", in_step("Train", lambda s: s["Arguments"].update(
                 EnableNetworkIsolation=False)))),
    Mutation("transform volume key", "sagemaker-pipeline-kms", PIPELINE,
             json_edit("pipeline_definition", in_step("Transform", lambda s: s["Arguments"][
                 "TransformResources"].pop("VolumeKmsKeyId")))),
    Mutation("max runtime", "sagemaker-pipeline-max-runtime", PIPELINE,
             json_edit("pipeline_definition", in_step("Evaluate", lambda s: s["Arguments"].pop(
                 "StoppingCondition")))),
    Mutation("job retries", "sagemaker-pipeline-job-retries", PIPELINE,
             json_edit("pipeline_definition", in_step("Train", lambda s: s.pop("RetryPolicies")))),
    Mutation("manual approval", "sagemaker-pipeline-manual-approval", PIPELINE,
             json_edit("pipeline_definition", approved_by_default)),
    Mutation("inter-container encryption", "sagemaker-pipeline-traffic-encryption", PIPELINE,
             json_edit("pipeline_definition", in_step("Train", lambda s: s["Arguments"].pop(
                 "EnableInterContainerTrafficEncryption")))),
    Mutation("parallelism limit", "sagemaker-pipeline-parallelism", PIPELINE,
             prop("parallelism_configuration", None)),
    Mutation("prod model registry protection", "sagemaker-prod-registry-protected",
             "aws:sagemaker/modelPackageGroup:ModelPackageGroup", unprotect, stack="prod"),
    Mutation("schedule retry policy", "scheduler-retry-and-dead-letter", SCHEDULE,
             attr("target", "retry_policy", None)),
    Mutation("schedule dead-letter queue", "scheduler-retry-and-dead-letter", SCHEDULE,
             attr("target", "dead_letter_config", None)),
    Mutation("schedule flexible window off", "scheduler-explicit-timing", SCHEDULE,
             attr("flexible_time_window", "mode", "FLEXIBLE")),
    Mutation("schedule key", "scheduler-customer-key", SCHEDULE, prop("kms_key_arn", None)),
    Mutation("scheduled manual approval", "stack-schedule-no-self-approval", SCHEDULE,
             scheduled_approval),
    Mutation("topic customer key", "sns-topic-customer-key", "aws:sns/topic:Topic",
             prop("kms_master_key_id", "alias/aws/sns")),
    Mutation("topic publishers by source", "sns-topic-policy-scoped",
             "aws:sns/topicPolicy:TopicPolicy", json_edit("policy", unconditioned)),
    Mutation("alarm actions", "cloudwatch-alarm-actions", ALARM, prop("alarm_actions", [])),
    Mutation("stopped-run rule", "stack-pipeline-failure-alerting",
             "aws:cloudwatch/eventRule:EventRule", prop("event_pattern", '{"source": ["x"]}'),
             name="execution-stopped"),
    Mutation("missed-run alarm", "stack-missed-run-alarm", ALARM,
             prop("metric_name", "ExecutionSucceeded"), name="missed-run"),
    Mutation("notification dead-letter queue", "events-target-retry-and-dead-letter",
             "aws:cloudwatch/eventTarget:EventTarget", prop("dead_letter_config", None)),
    Mutation("queue encryption", "sqs-queue-encrypted", "aws:sqs/queue:Queue",
             prop("sqs_managed_sse_enabled", False)),
    Mutation("log retention", "logs-retention-and-key", "aws:cloudwatch/logGroup:LogGroup",
             prop("retention_in_days", None),
             config={"ml-batch-pipeline:manageLogGroups": "true"}),
    Mutation("stage tags", "stage-and-approval-tags", BUCKET, prop("tags", {})),
]  # fmt: skip


def transformation(mutation: Mutation) -> Callable[..., Any]:
    def transform(args: pulumi.ResourceTransformationArgs) -> Any:
        if args.type_ != mutation.token:
            return None
        if mutation.name and args.name != f"batch-inference-{mutation.name}":
            return None
        props = dict(args.props)
        mutation.change(props, args.opts)
        return pulumi.ResourceTransformationResult(props, args.opts)

    return transform


@pytest.mark.parametrize("mutation", MUTATIONS, ids=str)
def test_removing_a_hardening_setting_fails_its_policy(mutation: Mutation) -> None:
    graph = render_stack(
        mutation.stack,
        config_overrides=mutation.config,
        before_program=lambda: pulumi.runtime.register_stack_transformation(
            transformation(mutation)
        ),
    )
    findings = [f for f in run_pack(graph).findings if f.kind == VIOLATION]
    assert mutation.policy in {f.policy for f in findings}, findings
