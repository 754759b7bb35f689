"""Remove what runs left outside Pulumi's state, so `pulumi destroy` can delete the rest.

Executions create model versions in the group and models named with the pipeline's prefix;
SageMaker refuses to delete a model package group that still holds versions. Running
executions are stopped first, so none registers a model after the clean-up.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ml.contract import Step
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
    packages = list(
        _pages(sagemaker.list_model_packages, "ModelPackageSummaryList", "ModelPackageArn",
               ModelPackageGroupName=names.model_package_group)
    )  # fmt: skip
    for arn in packages:
        sagemaker.delete_model_package(ModelPackageName=arn)
        report(f"deleted model package {arn}")
    prefix = names.job_prefix(Step.CREATE_MODEL)
    # NameContains matches anywhere in the name; only this pipeline's models start with it.
    models = [
        name
        for name in _pages(sagemaker.list_models, "Models", "ModelName", NameContains=prefix)
        if name.startswith(prefix)
    ]
    for name in models:
        sagemaker.delete_model(ModelName=name)
        report(f"deleted model {name}")
    return Cleaned(tuple(stopped), tuple(packages), tuple(models))


def _pages(call: Callable[..., Any], items: str, key: str, **kwargs: Any) -> Iterator[str]:
    token = None
    while True:
        page = call(**kwargs, **({"NextToken": token} if token else {}))
        for item in page.get(items, []):
            yield item[key]
        token = page.get("NextToken")
        if not token:
            return


def _running(sagemaker: Any, pipeline: str) -> list[str]:
    return [
        summary["PipelineExecutionArn"]
        for summary in _summaries(sagemaker, pipeline)
        if summary["PipelineExecutionStatus"] in RUNNING
    ]


def _summaries(sagemaker: Any, pipeline: str) -> Iterator[dict[str, Any]]:
    token = None
    while True:
        page = sagemaker.list_pipeline_executions(
            PipelineName=pipeline, **({"NextToken": token} if token else {})
        )
        yield from page.get("PipelineExecutionSummaries", [])
        token = page.get("NextToken")
        if not token:
            return


def _stop_executions(
    sagemaker: Any, pipeline: str, report: Report, poll_seconds: float,
    sleep: Callable[[float], None],
) -> list[str]:  # fmt: skip
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
