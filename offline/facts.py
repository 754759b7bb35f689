"""What a reader wants to know about a rendered stack, as ordered label -> value rows."""

from __future__ import annotations

from dataclasses import dataclass

from ml.contract import Step
from ml.schedule.cadence import (
    MAX_WARM_UP_SECONDS,
    describe_window,
    missed_run_window,
    runs_per_year,
)
from ml.settings import Settings
from offline.recorder import UNKNOWN, StackGraph

PIPELINE = "aws:sagemaker/pipeline:Pipeline"
SCHEDULE = "aws:scheduler/schedule:Schedule"


def setting_rows(settings: Settings) -> dict[str, str]:
    vpc = settings.vpc
    window = missed_run_window(settings.schedule.schedule, settings.schedule.timezone)
    rows = {
        "account": settings.account_id,
        "region": settings.region,
        "model source": _model_source(settings),
        "jobs a run starts": _jobs(settings),
        "instance-hours per run": _hours_per_run(settings),
        "instance-hours per month": _hours_per_month(settings),
        "processing": _compute(
            settings.processing.instance_type, settings.processing.instance_count
        ),
        "training": _compute(settings.training.instance_type, settings.training.instance_count),
        "transform": _compute(settings.transform.instance_type, settings.transform.instance_count),
        "allowed instance types": ", ".join(settings.allowed_instance_types) or "any",
        "quality gate (max test MSE)": f"{settings.mse_threshold:g}",
        "registered models": settings.model_approval_status,
        "training data": settings.input_data_url or "sample data in the stack bucket",
        "batch data": settings.batch_data_url or "sample data in the stack bucket",
        "schedule": f"{settings.schedule.expression} ({settings.schedule.timezone})",
        "schedule state": "enabled" if settings.schedule.enabled else "disabled",
        "missed-run alarm": _missed_run(window, enabled=settings.schedule.enabled),
        "protected and retained": "yes" if settings.protect_resources else "no (destroyable)",
        "sample data uploaded": "yes" if settings.upload_sample_data else "no",
        "max job runtime": f"{settings.max_job_runtime_seconds} s",
        "parallel steps": str(settings.max_parallel_steps),
        "execution outputs kept": f"{settings.execution_retention_days} days",
        "job log groups": _log_groups(settings),
        "network": f"subnets {', '.join(vpc.subnet_ids)}" if vpc else "isolated, no VPC",
        "alert e-mails": ", ".join(settings.alarm_emails) or "none",
    }
    if settings.promoted_model:
        # A registry-mode run trains nothing: these settings have no effect there.
        for label in TRAINING_ONLY:
            rows[label] += " (unused)"
    return rows


# Settings only a training run reads.
TRAINING_ONLY = ("processing", "training", "quality gate (max test MSE)", "registered models",
                 "training data")  # fmt: skip


def _model_source(settings: Settings) -> str:
    promoted = settings.promoted_model
    if promoted is None:
        return "train (each run trains its own model)"
    group = promoted.package_arn.rsplit("/", 2)[1]
    return f"registry: version {promoted.version} of {group}, account {promoted.account}"


def _jobs(settings: Settings) -> str:
    """The instance types and counts are the processing, training and transform rows."""
    if settings.promoted_model:
        return "1 (transform)"
    return "4 (preprocess, train, evaluate, transform)"


@dataclass(frozen=True)
class _Job:
    step: str
    kind: str
    instance_type: str
    count: int
    # Instance-hours at most; None for a transform, which has no stopping condition.
    hours: float | None


def _jobs_of_a_run(settings: Settings) -> list[_Job]:
    """Each job a scheduled run starts; processing and training stop at instances x max
    runtime x attempts."""
    from ml.definition.jobs import RETRY_MAX_ATTEMPTS

    per_instance = settings.max_job_runtime_seconds / 3600 * (1 + RETRY_MAX_ATTEMPTS)
    transform = settings.transform
    last = _Job(
        Step.TRANSFORM, "transform", transform.instance_type, transform.instance_count, None
    )
    if settings.promoted_model:
        return [last]
    processing, training = settings.processing, settings.training

    def bounded(step: str, kind: str, instance_type: str, count: int) -> _Job:
        return _Job(step, kind, instance_type, count, count * per_instance)

    return [
        bounded(Step.PREPROCESS, "processing", processing.instance_type, processing.instance_count),
        bounded(Step.TRAIN, "training", training.instance_type, training.instance_count),
        bounded(Step.EVALUATE, "processing", processing.instance_type, processing.instance_count),
        last,
    ]


def job_rows(settings: Settings) -> dict[str, str]:
    """Each job a scheduled run starts: its kind, instances, and instance-hours at most."""
    return {
        job.step: f"{job.kind} {_compute(job.instance_type, job.count)}, "
        + (
            f"at most {job.hours:g} instance-hours"
            if job.hours is not None
            else "no bound (a transform job has no stopping condition)"
        )
        for job in _jobs_of_a_run(settings)
    }


def _bounded_hours(settings: Settings) -> float:
    """Processing and training instance-hours at most, over a whole run."""
    return sum(job.hours or 0.0 for job in _jobs_of_a_run(settings))


# Processing and training jobs stop at instances x max runtime x attempts; a transform job has
# no stopping condition (CreateTransformJob), so AWS gives no bound for it.
UNBOUNDED_TRANSFORM = "transform unbounded"


def _hours_per_run(settings: Settings) -> str:
    if settings.promoted_model:
        return f"no bound ({UNBOUNDED_TRANSFORM})"
    return f"at most {_bounded_hours(settings):g} processing and training; {UNBOUNDED_TRANSFORM}"


def _hours_per_month(settings: Settings) -> str:
    if not settings.schedule.enabled:
        return "none scheduled (schedule disabled)"
    runs = runs_per_year(settings.schedule.schedule, settings.schedule.timezone)
    if runs is None:
        return "set by calendar rules: the per-run figure times the runs"
    monthly, bound = runs / 12, _bounded_hours(settings)
    if not bound:
        return f"{monthly:.1f} runs; no bound ({UNBOUNDED_TRANSFORM})"
    return f"{monthly:.1f} runs: at most {bound * monthly:g} processing and training"


def parameter_rows(graph: StackGraph) -> dict[str, str]:
    """The values a scheduled run passes, which are also the definition's defaults."""
    target = graph.one(SCHEDULE).inputs["target"]
    pairs = target["sagemakerPipelineParameters"]["pipelineParameters"]
    return {pair["name"]: pair["value"] for pair in pairs}


def definition_steps(graph: StackGraph) -> list[str]:
    from ml.definition.reading import step_names

    definition = graph.one(PIPELINE).inputs["pipelineDefinition"]
    if definition == UNKNOWN:
        return ["(known once the resources it names exist)"]
    return step_names(definition)


def resource_rows(graph: StackGraph) -> dict[str, str]:
    counts: dict[str, int] = {}
    for resource in graph.resources:
        counts[resource.type] = counts.get(resource.type, 0) + 1
    return {token.split(":")[-1]: str(count) for token, count in sorted(counts.items())}


def _compute(instance_type: str, count: int) -> str:
    return f"{instance_type} x {count}"


def _missed_run(window: int | None, *, enabled: bool) -> str:
    if not enabled:
        return "none (schedule disabled)"
    if window is None:
        return "none (runs more than 7 days apart or by calendar rules)"
    quiet = (
        "quiet for that long after each update"
        if window <= MAX_WARM_UP_SECONDS
        else "once a run has started"
    )
    return f"after {describe_window(window)} without a start ({quiet})"


def _log_groups(settings: Settings) -> str:
    if not settings.log_groups.manage:
        return "not managed (account-wide names)"
    return f"managed, {settings.log_groups.retention_days} days"
