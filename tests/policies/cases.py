"""One case per policy: which resource it judges, how to break it, and what it must then say.

Each case starts from a real rendered stack: the compliant resource is the one the component
creates, the violating one is a copy with `violate` applied, and the missing and unknown
variants remove `key` or make it unknown (as in a preview).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ml.definition.reading import walk_steps

Mutator = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Case:
    policy: str
    resource: str  # the component child's role: batch-inference-<resource>
    key: str  # the top-level input the rule reads
    violate: Mutator
    expect: str  # part of the violation message
    stack: str = "dev"
    missing_violates: bool = True
    protect: bool | None = None  # the violating resource's protect option, when it matters

    @property
    def resource_name(self) -> str:
        return f"batch-inference-{self.resource}"

    def __str__(self) -> str:
        return self.policy


def setting(key: str, value: Any) -> Mutator:
    def mutate(inputs: dict[str, Any]) -> None:
        inputs[key] = value

    return mutate


def nested(*path: str, value: Any) -> Mutator:
    def mutate(inputs: dict[str, Any]) -> None:
        node = inputs
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def document(key: str, edit: Callable[[Any], None]) -> Mutator:
    """Edit a JSON document held as a string input (policies, the pipeline definition)."""

    def mutate(inputs: dict[str, Any]) -> None:
        parsed = json.loads(inputs[key])
        edit(parsed)
        inputs[key] = json.dumps(parsed)

    return mutate


def in_step(name: str, edit: Callable[[dict[str, Any]], None]) -> Callable[[Any], None]:
    """Edit the named step of a parsed definition, wherever it is nested."""

    def change(definition: Any) -> None:
        edit(next(s for s in walk_steps(definition) if s["Name"] == name))

    return change


def step(name: str, edit: Callable[[dict[str, Any]], None]) -> Mutator:
    return document("pipelineDefinition", in_step(name, edit))


def drop_statements(*sids: str) -> Callable[[Any], None]:
    def edit(policy: Any) -> None:
        policy["Statement"] = [s for s in policy["Statement"] if s.get("Sid") not in sids]

    return edit


def add_statement(statement: dict[str, Any]) -> Callable[[Any], None]:
    return lambda policy: policy["Statement"].append(statement)


def approved_by_default(definition: Any) -> None:
    for parameter in definition["Parameters"]:
        if parameter["Name"] == "ModelApprovalStatus":
            parameter["DefaultValue"] = "Approved"


def _secret_parameter(definition: dict[str, Any]) -> None:
    definition["Parameters"].append({"Name": "DatabasePassword", "Type": "String"})


def _scheduler_trust_any_account(policy: Any) -> None:
    del policy["Statement"][0]["Condition"]


def _schedule_parameter(name: str, value: str) -> Mutator:
    def mutate(inputs: dict[str, Any]) -> None:
        for pair in inputs["target"]["sagemakerPipelineParameters"]["pipelineParameters"]:
            if pair["name"] == name:
                pair["value"] = value

    return mutate


def unconditioned(policy: Any) -> None:
    """Allow statements without their conditions (who may publish, from where)."""
    for statement in policy["Statement"]:
        if statement["Effect"] == "Allow":
            statement.pop("Condition", None)


RESOURCE_CASES = [
    Case(
        "sagemaker-model-network-isolation",
        "promoted-model",
        "enableNetworkIsolation",
        setting("enableNetworkIsolation", False),
        "may reach the network",
        stack="prod-registry",
    ),
    Case(
        "sagemaker-model-aws-xgboost-image",
        "promoted-model",
        "primaryContainer",
        nested(
            "primaryContainer", "image", value="123456789012.dkr.ecr.eu-west-1.amazonaws.com/x:1"
        ),
        "is not an AWS XGBoost image",
        stack="prod-registry",
        missing_violates=False,
    ),
    Case(
        "s3-public-access-block",
        "bucket-public-access-block",
        "blockPublicAcls",
        setting("blockPublicAcls", False),
        "blockPublicAcls not true",
    ),
    Case(
        "s3-bucket-owner-enforced",
        "bucket-ownership",
        "rule",
        nested("rule", "objectOwnership", value="ObjectWriter"),
        "'ObjectWriter'",
    ),
    Case(
        "s3-no-acl-grants",
        "bucket",
        "acl",
        setting("acl", "public-read"),
        "grants access by ACL",
        missing_violates=False,
    ),
    Case(
        "s3-sse-kms-bucket-key",
        "bucket-encryption",
        "rules",
        lambda i: i["rules"][0].update(bucketKeyEnabled=False),
        "bucket key is off",
    ),
    Case(
        "s3-versioning-enabled",
        "bucket-versioning",
        "versioningConfiguration",
        nested("versioningConfiguration", "status", value="Suspended"),
        "'Suspended'",
    ),
    Case(
        "s3-lifecycle-rules",
        "bucket-lifecycle",
        "rules",
        lambda i: i.update(rules=[r for r in i["rules"] if r["id"] != "abort-incomplete-uploads"]),
        "abort of incomplete multipart uploads",
    ),
    Case(
        "s3-tls-only",
        "bucket-policy",
        "policy",
        document("policy", drop_statements("DenyInsecureTransport")),
        "without TLS",
    ),
    Case(
        "s3-no-public-principal",
        "bucket-policy",
        "policy",
        document(
            "policy",
            add_statement(
                {
                    "Sid": "Open",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::x/*",
                }
            ),
        ),
        "allows any principal",
        missing_violates=False,
    ),
    Case(
        "s3-deletion-follows-stage",
        "bucket",
        "forceDestroy",
        setting("forceDestroy", True),
        "prod data can be deleted",
        stack="prod",
        missing_violates=False,
    ),
    Case(
        "kms-key-rotation",
        "key",
        "enableKeyRotation",
        setting("enableKeyRotation", False),
        "rotation is off",
    ),
    Case(
        "kms-prod-key-deletion-guard",
        "key",
        "deletionWindowInDays",
        setting("deletionWindowInDays", 7),
        "window 7",
        stack="prod",
    ),
    Case(
        "kms-key-policy-no-wildcard-principal",
        "key",
        "policy",
        document("policy", lambda p: p["Statement"][1].update(Principal="*")),
        "allows any principal",
    ),
    Case(
        "iam-no-wildcard-actions",
        "execution-policy",
        "policy",
        document("policy", lambda p: p["Statement"][0].update(Action=["s3:*"])),
        "allows s3:*",
        missing_violates=False,
    ),
    Case(
        "iam-star-resource-only-where-unavoidable",
        "execution-policy",
        "policy",
        document("policy", lambda p: p["Statement"][1].update(Resource=["*"])),
        "on every resource",
        missing_violates=False,
    ),
    Case(
        "iam-no-decrypt-with-every-key",
        "execution-policy",
        "policy",
        document(
            "policy",
            add_statement(
                {"Sid": "AllKeys", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": "*"}
            ),
        ),
        "decrypts with every key",
        missing_violates=False,
    ),
    Case(
        "iam-pass-role-scoped",
        "execution-policy",
        "policy",
        document(
            "policy",
            lambda p: next(s for s in p["Statement"] if s["Sid"] == "PassOwnRoleToSageMaker").pop(
                "Condition"
            ),
        ),
        "may pass roles too widely",
        missing_violates=False,
    ),
    Case(
        "iam-no-broad-managed-policies",
        "execution-role",
        "managedPolicyArns",
        setting("managedPolicyArns", ["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"]),
        "AmazonSageMakerFullAccess",
        missing_violates=False,
    ),
    Case(
        "iam-trust-one-service",
        "scheduler-role",
        "assumeRolePolicy",
        document("assumeRolePolicy", _scheduler_trust_any_account),
        "for any account",
        missing_violates=False,
    ),
    Case(
        "iam-sagemaker-guard-rails",
        "execution-policy",
        "policy",
        document("policy", drop_statements("DenyJobsWithoutVolumeKey")),
        "no guard rail on sagemaker:VolumeKmsKey",
        missing_violates=False,
    ),
    Case(
        "sagemaker-pipeline-inline-definition",
        "pipeline",
        "pipelineDefinition",
        lambda i: (
            i.update(pipelineDefinitionS3Location={"bucket": "b", "objectKey": "k"})
            or i.pop("pipelineDefinition")
        ),
        "the definition is not inline",
    ),
    Case(
        "sagemaker-pipeline-network-isolation",
        "pipeline",
        "pipelineDefinition",
        step("Train", lambda s: s["Arguments"].update(EnableNetworkIsolation=False)),
        "step Train has EnableNetworkIsolation = false",
        missing_violates=False,
    ),
    Case(
        "sagemaker-pipeline-kms",
        "pipeline",
        "pipelineDefinition",
        step("Transform", lambda s: s["Arguments"]["TransformResources"].pop("VolumeKmsKeyId")),
        "step Transform has TransformResources.VolumeKmsKeyId = null",
        missing_violates=False,
    ),
    Case(
        "sagemaker-pipeline-max-runtime",
        "pipeline",
        "pipelineDefinition",
        step("Preprocess", lambda s: s["Arguments"].pop("StoppingCondition")),
        "step Preprocess has StoppingCondition.MaxRuntimeInSeconds = null",
        missing_violates=False,
    ),
    Case(
        "sagemaker-pipeline-job-retries",
        "pipeline",
        "pipelineDefinition",
        step("Transform", lambda s: s.pop("RetryPolicies")),
        "step Transform does not retry",
        missing_violates=False,
    ),
    Case(
        "sagemaker-pipeline-manual-approval",
        "pipeline",
        "pipelineDefinition",
        document("pipelineDefinition", approved_by_default),
        'registers models as "Approved"',
        missing_violates=False,
    ),
    Case(
        "sagemaker-pipeline-no-secrets",
        "pipeline",
        "pipelineDefinition",
        document("pipelineDefinition", _secret_parameter),
        "'DatabasePassword' looks like a secret",
        missing_violates=False,
    ),
    Case(
        "sagemaker-pipeline-traffic-encryption",
        "pipeline",
        "pipelineDefinition",
        step(
            "Train",
            lambda s: s["Arguments"].update(
                EnableInterContainerTrafficEncryption={"Get": "Parameters.Encrypt"}
            ),
        ),
        'step Train has EnableInterContainerTrafficEncryption = {"Get"',
        missing_violates=False,
    ),
    Case(
        "sagemaker-pipeline-parallelism",
        "pipeline",
        "parallelismConfiguration",
        setting("parallelismConfiguration", {}),
        "no parallelism limit",
    ),
    Case(
        "sagemaker-prod-registry-protected",
        "model-group",
        "tags",
        lambda _: None,
        "can be deleted with the stack",
        stack="prod",
        protect=False,
        missing_violates=False,
    ),
    Case(
        "scheduler-retry-and-dead-letter",
        "schedule",
        "target",
        lambda i: i["target"].pop("deadLetterConfig"),
        "dropped without a trace",
    ),
    Case(
        "scheduler-explicit-timing",
        "schedule",
        "flexibleTimeWindow",
        nested("flexibleTimeWindow", "mode", value="FLEXIBLE"),
        "flexible time window",
    ),
    Case(
        "scheduler-customer-key", "schedule", "kmsKeyArn", setting("kmsKeyArn", ""), "AWS-owned key"
    ),
    Case(
        "sns-topic-customer-key",
        "alerts",
        "kmsMasterKeyId",
        setting("kmsMasterKeyId", "alias/aws/sns"),
        "alarms cannot publish to alias/aws/sns",
    ),
    Case(
        "sns-topic-policy-scoped",
        "alerts-policy",
        "policy",
        document("policy", unconditioned),
        "publish from anywhere",
        missing_violates=False,
    ),
    Case(
        "cloudwatch-alarm-actions",
        "schedule-target-errors",
        "alarmActions",
        setting("alarmActions", []),
        "notifies no one",
    ),
    Case(
        "events-target-retry-and-dead-letter",
        "step-failed-target",
        "deadLetterConfig",
        lambda i: i.pop("deadLetterConfig"),
        "no dead-letter queue",
    ),
    Case(
        "sqs-queue-encrypted",
        "schedule-dlq",
        "sqsManagedSseEnabled",
        setting("sqsManagedSseEnabled", False),
        "stored unencrypted",
    ),
    Case(
        "logs-retention-and-key",
        "logs-processingjobs",
        "retentionInDays",
        setting("kmsKeyId", "arn:aws:kms:eu-west-1:111111111111:key/stack-key"),
        "account-wide SageMaker job logs are encrypted with a stack's key",
        stack="dev-logs",
    ),
    Case(
        "stage-and-approval-tags",
        "bucket",
        "tags",
        lambda i: i["tags"].pop("stage"),
        "judge it as prod",
    ),
]

STACK_CASES = [
    Case(
        "s3-promoted-copy-in-stack-bucket",
        "promoted-artifact",
        "key",
        setting("key", "models/somewhere-else/model.tar.gz"),
        "is not the source's",
        stack="prod-registry",
    ),
    Case(
        "stack-topic-key-admits-notifiers",
        "key",
        "policy",
        document("policy", drop_statements("NotificationsToEncryptedTopic")),
        "may not use: alarms and events fail silently",
    ),
    Case(
        "stack-scheduler-role-starts-only-its-pipeline",
        "scheduler-policy",
        "policy",
        document(
            "policy",
            lambda p: p["Statement"][0]["Action"].append("sagemaker:StopPipelineExecution"),
        ),
        "may do more than start",
        missing_violates=False,
    ),
    Case(
        "stack-schedule-no-self-approval",
        "schedule",
        "target",
        _schedule_parameter("ModelApprovalStatus", "Approved"),
        "register models as Approved",
        missing_violates=False,
    ),
    Case(
        "stack-pipeline-failure-alerting",
        "step-failed",
        "eventPattern",
        document("eventPattern", lambda p: p["detail"].update(currentStepStatus=["Succeeded"])),
        "failed steps of this pipeline would go unnoticed",
    ),
    Case(
        "stack-missed-run-alarm",
        "missed-run",
        "metricName",
        setting("metricName", "ExecutionSucceeded"),
        "stops starting runs",
    ),
]
