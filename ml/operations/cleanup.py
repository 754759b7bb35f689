"""Remove what runs left outside Pulumi's state, so `pulumi destroy` can delete the rest.

Executions create model versions in the group and models named with the pipeline's prefix;
SageMaker refuses to delete a model package group that still holds versions. Running
executions are stopped first, so none registers a model after the clean-up.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ml.contract import Step
from ml.operations.aws import paged
from ml.operations.execute import RUNNING, Report
from ml.settings import Settings

POLL_SECONDS = 15.0
# Stopping a step waits for its job to stop: allow 15 minutes.
MAX_POLLS = 60


class StillRunningError(RuntimeError):
    pass


@dataclass(frozen=True)
class Cleaned:
    stopped: tuple[str, ...]
    model_packages: tuple[str, ...]
    models: tuple[str, ...]


def cleanup(
    settings: Settings,
    sagemaker: Any,
    report: Report,
    poll_seconds: float = POLL_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> Cleaned:
    names = settings.names
    stopped = _stop_executions(sagemaker, names.pipeline, report, poll_seconds, sleep)
    # Listed in full before deleting: deleting while paginating can skip items.
    packages = [
        item["ModelPackageArn"]
        for item in paged(
            sagemaker,
            "list_model_packages",
            "ModelPackageSummaryList",
            ModelPackageGroupName=names.model_package_group,
            # Left out, the API lists only unversioned packages (ListModelPackages,
            # ModelPackageType), and every package of a group is versioned.
            ModelPackageType="Both",
        )
    ]
    for arn in packages:
        sagemaker.delete_model_package(ModelPackageName=arn)
        report(f"deleted model package {arn}")
    prefix = names.job_prefix(Step.CREATE_MODEL)
    # NameContains matches anywhere in the name; only this pipeline's models start with it.
    models = [
        item["ModelName"]
        for item in paged(sagemaker, "list_models", "Models", NameContains=prefix)
        if item["ModelName"].startswith(prefix)
    ]
    for name in models:
        sagemaker.delete_model(ModelName=name)
        report(f"deleted model {name}")
    return Cleaned(tuple(stopped), tuple(packages), tuple(models))


def _running(sagemaker: Any, pipeline: str) -> list[str]:
    return [
        summary["PipelineExecutionArn"]
        for summary in paged(
            sagemaker,
            "list_pipeline_executions",
            "PipelineExecutionSummaries",
            PipelineName=pipeline,
        )
        if summary["PipelineExecutionStatus"] in RUNNING
    ]


def _stop_executions(
    sagemaker: Any,
    pipeline: str,
    report: Report,
    poll_seconds: float,
    sleep: Callable[[float], None],
) -> list[str]:
    running = _running(sagemaker, pipeline)
    for arn in running:
        sagemaker.stop_pipeline_execution(
            PipelineExecutionArn=arn, ClientRequestToken=str(uuid.uuid4())
        )
        report(f"stopping execution {arn}")
    polls = 0
    while running and (still := _running(sagemaker, pipeline)):
        if polls >= MAX_POLLS:
            raise StillRunningError(
                f"{len(still)} execution(s) still stopping after {MAX_POLLS} checks: "
                f"{', '.join(still)}; run the clean-up again once they have stopped"
            )
        sleep(poll_seconds)
        polls += 1
    return running
