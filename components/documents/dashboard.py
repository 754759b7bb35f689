"""The CloudWatch dashboard: is the pipeline running on time, succeeding, and who failed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.documents.monitoring import (
    PIPELINE_METRICS_NAMESPACE,
    SCHEDULER_METRICS_NAMESPACE,
)

WIDTH = 12
HEIGHT = 6
HOUR = 3600


@dataclass(frozen=True)
class DashboardScope:
    region: str
    pipeline: str
    # The steps the definition really has, in order (condition branches included).
    steps: tuple[str, ...]
    schedule_group: str
    dead_letter_queues: tuple[str, ...]
    alarm_arns: tuple[str, ...]


def dashboard_body(scope: DashboardScope) -> dict[str, Any]:
    widgets = [
        _executions(scope),
        _duration(scope),
        _step_failures(scope),
        _scheduler(scope),
        _dead_letters(scope),
        _alarms(scope),
    ]
    for index, widget in enumerate(widgets):
        widget.update(x=(index % 2) * WIDTH, y=(index // 2) * HEIGHT, width=WIDTH, height=HEIGHT)
    return {"widgets": widgets}


def _metric_widget(
    scope: DashboardScope, title: str, metrics: list[list[Any]], stat: str = "Sum"
) -> dict[str, Any]:
    return {
        "type": "metric",
        "properties": {
            "title": title,
            "region": scope.region,
            "metrics": metrics,
            "stat": stat,
            "period": HOUR,
            "view": "timeSeries",
        },
    }


def _executions(scope: DashboardScope) -> dict[str, Any]:
    metrics = [
        [PIPELINE_METRICS_NAMESPACE, f"Execution{outcome}", "PipelineName", scope.pipeline]
        for outcome in ("Started", "Succeeded", "Failed", "Stopped")
    ]
    return _metric_widget(scope, "Pipeline executions", metrics)


def _duration(scope: DashboardScope) -> dict[str, Any]:
    metric = [PIPELINE_METRICS_NAMESPACE, "ExecutionDuration", "PipelineName", scope.pipeline]
    return _metric_widget(scope, "Execution duration (ms)", [metric], stat="Maximum")


def _step_failures(scope: DashboardScope) -> dict[str, Any]:
    metrics = [
        [PIPELINE_METRICS_NAMESPACE, "StepFailed", "PipelineName", scope.pipeline, "StepName", step]
        for step in scope.steps
    ]
    return _metric_widget(scope, "Step failures", metrics)


def _scheduler(scope: DashboardScope) -> dict[str, Any]:
    metrics = [
        [SCHEDULER_METRICS_NAMESPACE, name, "ScheduleGroup", scope.schedule_group]
        for name in (
            "InvocationAttemptCount",
            "TargetErrorCount",
            "InvocationDroppedCount",
            "InvocationsSentToDeadLetterCount",
        )
    ]
    return _metric_widget(scope, "Scheduled starts", metrics)


def _dead_letters(scope: DashboardScope) -> dict[str, Any]:
    metrics = [
        ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue]
        for queue in scope.dead_letter_queues
    ]
    return _metric_widget(scope, "Dead-lettered starts and notifications", metrics, stat="Maximum")


def _alarms(scope: DashboardScope) -> dict[str, Any]:
    return {"type": "alarm", "properties": {"title": "Alarms", "alarms": list(scope.alarm_arns)}}
