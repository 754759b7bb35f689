"""The SageMaker pipeline, read from its inline definition: every job step is isolated,
encrypted, bounded and retried; security flags are literals; models wait for a human."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from .common import PROD, Rule, approves_automatically, stage_of, violation

PIPELINE = "aws:sagemaker/pipeline:Pipeline"
MODEL_GROUP = "aws:sagemaker/modelPackageGroup:ModelPackageGroup"
JOB_TYPES = ("Training", "Processing", "Transform")
RETRIED_ERRORS = {
    "SageMaker.JOB_INTERNAL_ERROR",
    "SageMaker.CAPACITY_ERROR",
    "SageMaker.RESOURCE_LIMIT",
}
MAX_RETRY_ATTEMPTS = 20
MANUAL = "PendingManualApproval"
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|ACCESS_KEY|API_KEY|PRIVATE_KEY", re.I)

# Where each job type keeps its security settings, as paths into the step's Arguments.
ISOLATION = {
    "Training": ("EnableNetworkIsolation",),
    "Processing": ("NetworkConfig", "EnableNetworkIsolation"),
    "Model": ("EnableNetworkIsolation",),
}
KMS_KEYS = {
    "Training": (("ResourceConfig", "VolumeKmsKeyId"), ("OutputDataConfig", "KmsKeyId")),
    "Processing": (
        ("ProcessingResources", "ClusterConfig", "VolumeKmsKeyId"),
        ("ProcessingOutputConfig", "KmsKeyId"),
    ),
    "Transform": (("TransformResources", "VolumeKmsKeyId"), ("TransformOutput", "KmsKeyId")),
}
TRAFFIC_ENCRYPTION = {
    "Training": ("EnableInterContainerTrafficEncryption",),
    "Processing": ("NetworkConfig", "EnableInterContainerTrafficEncryption"),
}
RUNTIME = ("StoppingCondition", "MaxRuntimeInSeconds")


def steps(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every step, including those inside condition branches."""
    pending = list(definition.get("Steps") or [])
    while pending:
        step = pending.pop(0)
        yield step
        if step.get("Type") == "Condition":
            arguments = step.get("Arguments") or {}
            pending[0:0] = [*arguments.get("IfSteps", []), *arguments.get("ElseSteps", [])]


def _at(arguments: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = arguments
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _is_expression(value: Any) -> bool:
    """A value resolved at run time ({"Get": ...}, {"Std:Join": ...}): callers could change it."""
    return isinstance(value, dict)


def _definition(args: ResourceValidationArgs) -> dict[str, Any]:
    if "pipelineDefinition" not in list(args.props):
        # Reported once, by sagemaker-pipeline-inline-definition.
        args.not_applicable("the definition is not inline, so it cannot be read here")
    document: dict[str, Any] = json.loads(args.props["pipelineDefinition"])
    return document


def _inline(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if "pipelineDefinition" not in list(args.props):
        violation(
            report,
            args.name,
            "the definition is not inline (pipelineDefinitionS3Location), so no policy can "
            "check its steps",
            "pass the built definition as pipelineDefinition",
        )


def _check_paths(
    args: ResourceValidationArgs,
    report: ReportViolation,
    paths: Mapping[str, tuple[tuple[str, ...], ...]],
    *,
    expected: Any,
    fix: str,
) -> None:
    for step in steps(_definition(args)):
        for path in paths.get(step.get("Type", ""), ()):
            value = _at(step.get("Arguments") or {}, path)
            ok = value is not None and not _is_expression(value)
            if ok and expected is not None:
                ok = value == expected
            if not ok:
                violation(
                    report,
                    args.name,
                    f"step {step['Name']} has {'.'.join(path)} = {json.dumps(value)}",
                    fix,
                )


def _isolation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    paths = {kind: (path,) for kind, path in ISOLATION.items()}
    _check_paths(
        args, report, paths, expected=True, fix="set network isolation to the literal true"
    )


def _kms(args: ResourceValidationArgs, report: ReportViolation) -> None:
    _check_paths(
        args,
        report,
        KMS_KEYS,
        expected=None,
        fix="encrypt volumes and outputs with the stack key's ARN",
    )


def _runtime(args: ResourceValidationArgs, report: ReportViolation) -> None:
    paths = {"Training": (RUNTIME,), "Processing": (RUNTIME,)}
    _check_paths(
        args, report, paths, expected=None, fix="set StoppingCondition.MaxRuntimeInSeconds"
    )


def _traffic_encryption(args: ResourceValidationArgs, report: ReportViolation) -> None:
    paths = {kind: (path,) for kind, path in TRAFFIC_ENCRYPTION.items()}
    _check_paths(
        args, report, paths, expected=True, fix="encrypt inter-container traffic (literal true)"
    )


def _retries(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for step in steps(_definition(args)):
        if step.get("Type") not in JOB_TYPES:
            continue
        covered: set[str] = set()
        for policy in step.get("RetryPolicies") or []:
            attempts = policy.get("MaxAttempts")
            if attempts is not None and attempts <= MAX_RETRY_ATTEMPTS:
                covered.update(policy.get("ExceptionType") or [])
        missing = sorted(RETRIED_ERRORS - covered)
        if missing:
            violation(
                report,
                args.name,
                f"step {step['Name']} does not retry {', '.join(missing)} (with MaxAttempts <= 20)",
                "add a SageMakerJobStepRetryPolicy for those exception types",
            )


def _approval(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if approves_automatically(args.props):
        return
    definition = _definition(args)
    defaults = {p["Name"]: p.get("DefaultValue") for p in definition.get("Parameters") or []}
    for step in steps(definition):
        if step.get("Type") != "RegisterModel":
            continue
        status = (step.get("Arguments") or {}).get("ModelApprovalStatus")
        if isinstance(status, dict) and str(status.get("Get", "")).startswith("Parameters."):
            status = defaults.get(status["Get"].split(".", 1)[1])
        if status != MANUAL:
            violation(
                report,
                args.name,
                f"step {step['Name']} registers models as {json.dumps(status)} on a stage "
                "without automatic approval",
                f"register with {MANUAL} (or set autoApproveModels on this stage)",
            )


def _no_secrets(args: ResourceValidationArgs, report: ReportViolation) -> None:
    definition = _definition(args)
    names = [p["Name"] for p in definition.get("Parameters") or []]
    for step in steps(definition):
        arguments = step.get("Arguments") or {}
        for container in [arguments, *(arguments.get("PrimaryContainer"),)]:
            names += list((container or {}).get("Environment") or {})
    for name in names:
        if SECRET_NAME.search(name):
            violation(
                report,
                args.name,
                f"{name!r} looks like a secret, and DescribePipeline returns it in clear",
                "read secrets at run time from Secrets Manager, not from parameters or environment",
            )


def _parallelism(args: ResourceValidationArgs, report: ReportViolation) -> None:
    limit = (args.props.get("parallelismConfiguration") or {}).get("maxParallelExecutionSteps")
    if not limit:
        violation(report, args.name, "no parallelism limit", "set maxParallelExecutionSteps")


def _registry_kept_in_prod(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if stage_of(args.props) == PROD and not args.opts.protect:
        violation(
            report,
            args.name,
            "the prod model registry can be deleted with the stack",
            "set protectResources: true on prod",
        )


POLICIES = [
    Rule(
        "sagemaker-pipeline-inline-definition",
        "Pipelines carry their definition inline, where previews and policies can read it.",
        Severity.MEDIUM,
        "Set pipelineDefinition (not pipelineDefinitionS3Location).",
        ("reviewability",),
    ).on([PIPELINE], _inline),
    Rule(
        "sagemaker-pipeline-network-isolation",
        "Training, processing and model steps run with network isolation, as a literal.",
        Severity.HIGH,
        "Build the steps with enable_network_isolation=True.",
        ("SageMaker.5", "CKV_AWS_370"),
    ).on([PIPELINE], _isolation),
    Rule(
        "sagemaker-pipeline-kms",
        "Every job step encrypts its volumes and outputs with a KMS key.",
        Severity.HIGH,
        "Pass volume_kms_key and output_kms_key (the stack key) to every job.",
        ("SageMaker.2", "CKV_AWS_187"),
    ).on([PIPELINE], _kms),
    Rule(
        "sagemaker-pipeline-max-runtime",
        "Training and processing steps have a maximum runtime.",
        Severity.MEDIUM,
        "Set max_runtime_in_seconds on the estimator and processors.",
        ("WA ML lens cost control",),
    ).on([PIPELINE], _runtime),
    Rule(
        "sagemaker-pipeline-job-retries",
        "Every job step retries internal, capacity and limit errors (at most 20 attempts).",
        Severity.MEDIUM,
        "Add SageMakerJobStepRetryPolicy with JOB_INTERNAL_ERROR, CAPACITY_ERROR, RESOURCE_LIMIT.",
        ("WA ML lens reliability",),
    ).on([PIPELINE], _retries),
    Rule(
        "sagemaker-pipeline-manual-approval",
        "Registered models wait for a human unless the stage approves automatically.",
        Severity.HIGH,
        "Register with PendingManualApproval; only stages with autoApproveModels may approve.",
        ("WA ML lens governance",),
    ).on([PIPELINE], _approval),
    Rule(
        "sagemaker-pipeline-no-secrets",
        "No parameter or container environment variable carries a secret.",
        Severity.HIGH,
        "Move secrets to Secrets Manager and read them at run time.",
        ("CKV_AWS_46",),
    ).on([PIPELINE], _no_secrets),
    Rule(
        "sagemaker-pipeline-traffic-encryption",
        "Training and processing encrypt traffic between their instances.",
        Severity.LOW,
        "Set encrypt_inter_container_traffic=True.",
        ("SageMaker.4",),
        "P1",
    ).on([PIPELINE], _traffic_encryption),
    Rule(
        "sagemaker-pipeline-parallelism",
        "The pipeline limits how many steps run at once.",
        Severity.LOW,
        "Set parallelism_configuration.max_parallel_execution_steps.",
        ("WA ML lens cost control",),
        "P1",
    ).on([PIPELINE], _parallelism),
    Rule(
        "sagemaker-prod-registry-protected",
        "The prod model package group is protected from deletion.",
        Severity.MEDIUM,
        "Set protectResources: true on prod.",
        ("WA ML lens governance",),
    ).on([MODEL_GROUP], _registry_kept_in_prod),
]
