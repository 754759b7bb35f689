"""Start an execution of a stack's pipeline and, on request, follow it to the end.

While waiting, each step's status change is reported once; a failed or stopped run ends with
the failing step and its reason, and a non-zero exit.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ml.contract import APPROVAL_STATUSES, Param
from ml.operations.aws import paged
from ml.settings import Settings, checks, value_problem

RUNNING = ("Executing", "Stopping")
POLL_SECONDS = 30.0

Report = Callable[[str], None]


@dataclass(frozen=True)
class Outcome:
    arn: str
    status: str
    # (step, reason) of every step that failed or stopped.
    failures: tuple[tuple[str, str], ...] = ()

    @property
    def succeeded(self) -> bool:
        return self.status == "Succeeded"


def parse_parameters(pairs: Sequence[str], settings: Settings) -> list[dict[str, str]]:
    """`Name=Value` pairs, checked against the pipeline's parameters and the stage."""
    allowed = [str(p) for p in Param]
    parameters = []
    for pair in pairs:
        name, separator, value = pair.partition("=")
        if not separator or not value:
            raise ValueError(f"--param {pair!r} is not Name=Value")
        if name not in allowed:
            raise ValueError(
                f"--param {name!r} is not a pipeline parameter; allowed: {', '.join(allowed)}"
            )
        problem = _value_problem(Param(name), value, settings)
        if problem:
            raise ValueError(f"--param {name}={value!r} {problem}")
        if (
            name == Param.MODEL_APPROVAL_STATUS
            and value == "Approved"
            and not (settings.auto_approve_models)
        ):
            # The execution role would deny the registration at the end of the run anyway.
            raise ValueError(
                f"--param {pair} needs autoApproveModels: true in the {settings.stage} stack "
                "file; allowed: ModelApprovalStatus=PendingManualApproval"
            )
        parameters.append({"Name": name, "Value": value})
    return parameters


def start(settings: Settings, sagemaker: Any, parameters: list[dict[str, str]]) -> str:
    response = sagemaker.start_pipeline_execution(
        PipelineName=settings.names.pipeline,
        PipelineExecutionDisplayName=f"cli-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}",
        PipelineParameters=parameters,
        ClientRequestToken=str(uuid.uuid4()),
    )
    arn: str = response["PipelineExecutionArn"]
    return arn


def follow(
    sagemaker: Any,
    arn: str,
    report: Report,
    poll_seconds: float = POLL_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    """Poll until the execution ends, reporting each step's new status once."""
    seen: dict[str, str] = {}
    while True:
        status = sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)
        steps = _steps(sagemaker, arn)
        for step in reversed(steps):  # the service lists the newest first
            name, state = step["StepName"], step["StepStatus"]
            if seen.get(name) != state:
                seen[name] = state
                report(f"  {name}: {state}")
        if status["PipelineExecutionStatus"] not in RUNNING:
            return _outcome(arn, status, steps)
        sleep(poll_seconds)


def _steps(sagemaker: Any, arn: str) -> list[dict[str, Any]]:
    return list(
        paged(
            sagemaker,
            "list_pipeline_execution_steps",
            "PipelineExecutionSteps",
            PipelineExecutionArn=arn,
        )
    )


def _outcome(arn: str, status: dict[str, Any], steps: list[dict[str, Any]]) -> Outcome:
    failures = [
        (step["StepName"], step.get("FailureReason", "no reason given"))
        for step in reversed(steps)
        if step["StepStatus"] in ("Failed", "Stopped")
    ]
    if not failures and status.get("FailureReason"):
        failures.append(("(pipeline)", status["FailureReason"]))
    return Outcome(arn, status["PipelineExecutionStatus"], tuple(failures))


_INSTANCE_TYPES = (
    Param.PROCESSING_INSTANCE_TYPE,
    Param.TRAINING_INSTANCE_TYPE,
    Param.TRANSFORM_INSTANCE_TYPE,
)
_COUNTS = (
    Param.PROCESSING_INSTANCE_COUNT,
    Param.TRAINING_INSTANCE_COUNT,
    Param.TRANSFORM_INSTANCE_COUNT,
)


def _value_problem(name: Param, value: str, settings: Settings) -> str | None:
    """The checks the stack file's value of the same setting passes, before anything starts."""
    if name == Param.MODEL_APPROVAL_STATUS:
        if value in APPROVAL_STATUSES:
            return None
        return f"is not an approval status; allowed: {', '.join(APPROVAL_STATUSES)}"
    if name in _COUNTS and not value.isdigit():
        return "is not a whole number"
    # Each parameter overrides the setting of the same name (ProcessingInstanceType is
    # processingInstanceType).
    problem = value_problem(name[0].lower() + name[1:], int(value) if name in _COUNTS else value)
    if problem is None and name in _INSTANCE_TYPES:
        problem = checks.check_allow_list(value, settings.allowed_instance_types)
    return problem
