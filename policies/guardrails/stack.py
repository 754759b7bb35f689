"""Rules that span resources, matched through property dependencies (ids are unknown in a real
preview, dependencies are not)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, Severity, StackValidationArgs

from .common import (
    Rule,
    approves_automatically,
    as_list,
    json_prop,
    of_type,
    statements,
    violation,
)
from .iam import ROLE_POLICIES_EXCLUSIVE, ROLE_POLICY
from .kms import KEY
from .monitoring import ALARM, EVENT_TARGET, TOPIC
from .s3 import (
    ACCESS_BLOCK,
    BUCKETS,
    ENCRYPTION,
    ENCRYPTION_V2,
    LIFECYCLE,
    LIFECYCLE_V2,
    OWNERSHIP,
    POLICY,
    VERSIONING,
    VERSIONING_V2,
)
from .sagemaker import PIPELINE
from .scheduler import SCHEDULE

ROLE = "aws:iam/role:Role"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
BUCKET_COMPANIONS = {
    "public access block": (ACCESS_BLOCK,),
    "ownership controls": (OWNERSHIP,),
    "default encryption": (ENCRYPTION, ENCRYPTION_V2),
    "versioning": (VERSIONING, VERSIONING_V2),
    "lifecycle rules": (LIFECYCLE, LIFECYCLE_V2),
    "TLS-only policy": (POLICY,),
}
NOTIFIERS = ("cloudwatch.amazonaws.com", "events.amazonaws.com")
SCHEDULER_EXTRA_ACTIONS = {"sqs:sendmessage", "kms:decrypt"}


def _depending_on(
    resources: Iterable[PolicyResource], target: PolicyResource, prop: str
) -> list[PolicyResource]:
    """Resources whose input `prop` was computed from `target`'s outputs."""
    return [
        r
        for r in resources
        if any(d.urn == target.urn for d in r.property_dependencies.get(prop, []))
    ]


def _bucket_hardening(args: StackValidationArgs, report: ReportViolation) -> None:
    for bucket in of_type(args.resources, *BUCKETS):
        attached = {r.resource_type for r in _depending_on(args.resources, bucket, "bucket")}
        missing = [what for what, types in BUCKET_COMPANIONS.items() if not attached & set(types)]
        if missing:
            violation(
                report,
                bucket.name,
                f"the bucket has no {', '.join(missing)}",
                "create the missing aws.s3 bucket resources with bucket=<this bucket>.id",
                bucket.urn,
            )


def _key_admits_notifiers(args: StackValidationArgs, report: ReportViolation) -> None:
    for topic in of_type(args.resources, TOPIC):
        for key in of_type(topic.property_dependencies.get("kmsMasterKeyId", []), KEY):
            allowed = set()
            for statement in statements(json_prop(key.props, "policy")):
                actions = {a.lower() for a in as_list(statement.get("Action"))}
                principal = statement.get("Principal")
                services = as_list(principal.get("Service")) if isinstance(principal, dict) else []
                if (
                    statement.get("Effect") == "Allow"
                    and {"kms:decrypt", "kms:generatedatakey*"} <= actions
                ):
                    allowed.update(services)
            missing = [s for s in NOTIFIERS if s not in allowed]
            if missing:
                violation(
                    report,
                    key.name,
                    f"topic {topic.name} is encrypted with this key, which {', '.join(missing)} "
                    "may not use: alarms and events fail silently",
                    "allow those services kms:Decrypt and kms:GenerateDataKey* in the key policy",
                    key.urn,
                )


def _schedule_parts(schedule: PolicyResource) -> tuple[list[PolicyResource], list[PolicyResource]]:
    deps = schedule.property_dependencies.get("target", [])
    return of_type(deps, ROLE), of_type(deps, PIPELINE)


def _scheduler_role_scoped(args: StackValidationArgs, report: ReportViolation) -> None:
    for schedule in of_type(args.resources, SCHEDULE):
        roles, _ = _schedule_parts(schedule)
        pipeline_arn = (schedule.props.get("target") or {}).get("arn")
        for role in roles:
            for policy in _depending_on(of_type(args.resources, ROLE_POLICY), role, "role"):
                for statement in statements(json_prop(policy.props, "policy")):
                    if statement.get("Effect") != "Allow":
                        continue
                    actions = {a.lower() for a in as_list(statement.get("Action"))}
                    starts = "sagemaker:startpipelineexecution" in actions
                    extra = actions - SCHEDULER_EXTRA_ACTIONS - {"sagemaker:startpipelineexecution"}
                    if extra or (starts and as_list(statement.get("Resource")) != [pipeline_arn]):
                        violation(
                            report,
                            policy.name,
                            f"the role of schedule {schedule.name} may do more than start "
                            f"{pipeline_arn} ({', '.join(sorted(actions))} on "
                            f"{as_list(statement.get('Resource'))})",
                            "allow sagemaker:StartPipelineExecution on the target pipeline only",
                            policy.urn,
                        )


def _no_self_approval(args: StackValidationArgs, report: ReportViolation) -> None:
    for schedule in of_type(args.resources, SCHEDULE):
        target = schedule.props.get("target") or {}
        parameters = (target.get("sagemakerPipelineParameters") or {}).get("pipelineParameters")
        values = {p.get("name"): p.get("value") for p in as_list(parameters)}
        if values.get("ModelApprovalStatus") != "Approved":
            continue
        _, pipelines = _schedule_parts(schedule)
        if not pipelines or not all(approves_automatically(p.props) for p in pipelines):
            violation(
                report,
                schedule.name,
                "scheduled runs register models as Approved on a stage without automatic approval",
                "pass ModelApprovalStatus=PendingManualApproval, or set autoApproveModels",
                schedule.urn,
            )


STEP_STATUS = "SageMaker Model Building Pipeline Execution Step Status Change"
EXECUTION_STATUS = "SageMaker Model Building Pipeline Execution Status Change"


def _watched_events(pattern: dict[str, Any]) -> set[str]:
    """Which of the two alerting events a rule's pattern matches: failed steps, stopped runs."""
    kinds = set(pattern.get("detail-type") or [])
    detail = pattern.get("detail") or {}
    watched = set()
    # A rule for a few named steps (the quality gate's, say) does not cover the others.
    names = detail.get("stepName")
    every_step = names is None or all(isinstance(n, dict) for n in names)
    if STEP_STATUS in kinds and "Failed" in (detail.get("currentStepStatus") or []) and every_step:
        watched.add("failed steps")
    if EXECUTION_STATUS in kinds and "Stopped" in (
        detail.get("currentPipelineExecutionStatus") or []
    ):
        watched.add("stopped runs")
    return watched


def _failure_alerting(args: StackValidationArgs, report: ReportViolation) -> None:
    targets = of_type(args.resources, EVENT_TARGET)
    for pipeline in of_type(args.resources, PIPELINE):
        watched: set[str] = set()
        for rule in _depending_on(of_type(args.resources, EVENT_RULE), pipeline, "eventPattern"):
            if _depending_on(targets, rule, "rule"):
                watched |= _watched_events(json_prop(rule.props, "eventPattern") or {})
        missing = {"failed steps", "stopped runs"} - watched
        if missing:
            violation(
                report,
                pipeline.name,
                f"{' and '.join(sorted(missing))} of this pipeline would go unnoticed",
                "add EventBridge rules on this pipeline's failed steps and stopped executions, "
                "each with a target on the alerts topic",
                pipeline.urn,
            )


def _kept_inline_policies_declared(args: StackValidationArgs, report: ReportViolation) -> None:
    """A role's exclusive list of inline policies may name only documents this stack declares
    (RolePolicy), so that every permission the role keeps passes through the pack."""
    declared: dict[str, set[str]] = {}
    for policy in of_type(args.resources, ROLE_POLICY):
        declared.setdefault(str(policy.props.get("role")), set()).add(str(policy.props.get("name")))
    for exclusive in of_type(args.resources, ROLE_POLICIES_EXCLUSIVE):
        role = str(exclusive.props.get("roleName"))
        unknown = sorted(
            set(map(str, exclusive.props.get("policyNames") or [])) - declared.get(role, set())
        )
        if unknown:
            violation(
                report,
                exclusive.name,
                f"role {role} keeps inline policies this stack does not declare: "
                f"{', '.join(unknown)}",
                "declare each as an aws.iam.RolePolicy of this role, or drop it from the list",
                exclusive.urn,
            )


def _missed_run_alarm(args: StackValidationArgs, report: ReportViolation) -> None:
    for schedule in of_type(args.resources, SCHEDULE):
        if schedule.props.get("state") != "ENABLED":
            continue
        _, pipelines = _schedule_parts(schedule)
        names = {p.props.get("pipelineName") for p in pipelines}
        watched = [
            a
            for a in of_type(args.resources, ALARM)
            if a.props.get("metricName") == "ExecutionStarted"
            and (a.props.get("dimensions") or {}).get("PipelineName") in names
        ]
        if not watched:
            violation(
                report,
                schedule.name,
                "nobody hears when the schedule stops starting runs",
                "add an ExecutionStarted < 1 alarm over the schedule's period (at most 7 days)",
                schedule.urn,
            )


POLICIES = [
    Rule(
        "stack-bucket-hardening-complete",
        "Each bucket has its public access block, ownership controls, encryption, versioning, "
        "lifecycle and TLS-only policy.",
        Severity.HIGH,
        "Create the missing bucket configuration resources for the bucket.",
        ("S3.1", "S3.5", "S3.12", "S3.13", "S3.14", "S3.17"),
    ).stack(_bucket_hardening),
    Rule(
        "stack-topic-key-admits-notifiers",
        "A topic's customer key lets CloudWatch and EventBridge encrypt messages.",
        Severity.HIGH,
        "Add a key policy statement for cloudwatch.amazonaws.com and events.amazonaws.com.",
        ("SNS encryption with CloudWatch alarms",),
    ).stack(_key_admits_notifiers),
    Rule(
        "stack-scheduler-role-starts-only-its-pipeline",
        "A schedule's role may start its own pipeline and nothing else.",
        Severity.HIGH,
        "Scope the scheduler role's policy to sagemaker:StartPipelineExecution on the target.",
        ("IAM.21",),
    ).stack(_scheduler_role_scoped),
    Rule(
        "stack-schedule-no-self-approval",
        "No schedule passes ModelApprovalStatus=Approved to a pipeline of a manual stage.",
        Severity.HIGH,
        "Pass PendingManualApproval, or set autoApproveModels: true on the stage.",
        ("WA ML lens governance",),
    ).stack(_no_self_approval),
    Rule(
        "stack-pipeline-failure-alerting",
        "Each pipeline's failed steps and stopped runs reach a topic through event rules.",
        Severity.MEDIUM,
        "Add rules on failed steps and stopped executions with targets on the alerts topic.",
        ("CloudWatch.15", "WA operations"),
    ).stack(_failure_alerting),
    Rule(
        "stack-role-inline-policies-declared",
        "A role's exclusive inline policy list names only policies the stack declares.",
        Severity.HIGH,
        "Declare every kept inline policy as a RolePolicy of the role.",
        ("IAM.21",),
    ).stack(_kept_inline_policies_declared),
    Rule(
        "stack-missed-run-alarm",
        "An enabled schedule has an alarm for runs that never started.",
        Severity.LOW,
        "Add an ExecutionStarted < 1 alarm over the schedule's period.",
        ("WA operations",),
        "P1",
    ).stack(_missed_run_alarm),
]
