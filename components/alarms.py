"""The alarms: what produces no pipeline event (a run that never started, a schedule that could
not start one, notifications stuck in their dead-letter queue) still reaches someone."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_aws import cloudwatch, sns, sqs

from components.context import Context
from components.documents import monitoring as docs
from components.scheduling import PipelineSchedule
from ml.schedule.cadence import MAX_WARM_UP_SECONDS, describe_window, missed_run_window

ALERT_PERIOD_SECONDS = 300
# A notification channel that does not go through the alerts topic (CloudWatch alarm action
# `arn:aws:ssm:region:account-id:opsitem:severity#CATEGORY=category-name`, PutMetricAlarm).
OPS_ITEM_SEVERITY = 2
OPS_ITEM_CATEGORY = "Availability"


@dataclass(frozen=True)
class _Metric:
    namespace: str
    name: str
    dimensions: Mapping[str, pulumi.Input[str]]
    statistic: str = "Sum"


def _alarm(
    ctx: Context,
    role: str,
    description: str,
    metric: _Metric,
    actions: Sequence[pulumi.Input[str]],
    *,
    below: bool = False,
    period: int = ALERT_PERIOD_SECONDS,
    missing: str = "notBreaching",
    quiet: cloudwatch.MetricAlarmWarmUpConfigurationArgs | None = None,
    insufficient_data_actions: Sequence[pulumi.Input[str]] = (),
) -> cloudwatch.MetricAlarm:
    return cloudwatch.MetricAlarm(
        ctx.child(role),
        name=f"{ctx.names.pipeline}-{role}",
        alarm_description=description,
        namespace=metric.namespace,
        metric_name=metric.name,
        dimensions=metric.dimensions,
        statistic=metric.statistic,
        period=period,
        evaluation_periods=1,
        threshold=1,
        comparison_operator="LessThanThreshold" if below else "GreaterThanOrEqualToThreshold",
        treat_missing_data=missing,
        actions_enabled=True,
        alarm_actions=list(actions),
        insufficient_data_actions=list(insufficient_data_actions) or None,
        warm_up_configuration=quiet,
        tags=ctx.tags,
        opts=ctx.opts(),
    )


def create_alarms(
    ctx: Context, topic: sns.Topic, schedule: PipelineSchedule, alert_queue: sqs.Queue
) -> tuple[cloudwatch.MetricAlarm, ...]:
    """Failed and stopped runs and gate rejections are e-mailed by the event rules (one message
    each, with the reason); the alarms cover what produces no event."""
    group = {"ScheduleGroup": schedule.group.name}
    alarms = [
        _alarm(
            ctx,
            "schedule-target-errors",
            "The schedule could not start the pipeline (permissions, throttling or a bad value).",
            _Metric(docs.SCHEDULER_METRICS_NAMESPACE, "TargetErrorCount", group),
            [topic.arn],
        ),
        _alarm(
            ctx,
            "schedule-dead-letters",
            "Scheduled starts gave up and went to the dead-letter queue.",
            _Metric(docs.SCHEDULER_METRICS_NAMESPACE, "InvocationsSentToDeadLetterCount", group),
            [topic.arn],
        ),
        _alarm(
            ctx,
            "schedule-dead-letters-undeliverable",
            "Scheduled starts gave up and could not even be put in the dead-letter queue.",
            _Metric(
                docs.SCHEDULER_METRICS_NAMESPACE,
                "InvocationsFailedToBeSentToDeadLetterCount",
                group,
            ),
            [topic.arn],
        ),
        _alarm(
            ctx,
            "alerts-dead-letters",
            "Pipeline notifications could not reach the alerts topic: they wait in the "
            "dead-letter queue. Raised as an OpsItem, since the topic is what failed.",
            _Metric(
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                {"QueueName": alert_queue.name},
                statistic="Maximum",
            ),
            [ctx.arns.ops_item(OPS_ITEM_SEVERITY, OPS_ITEM_CATEGORY)],
        ),
    ]
    missed = _missed_run_alarm(ctx, topic)
    return tuple(alarms + ([missed] if missed else []))


def _missed_run_alarm(ctx: Context, topic: sns.Topic) -> cloudwatch.MetricAlarm | None:
    """ExecutionStarted < 1 over the longest gap between scheduled runs.

    A new or updated alarm would evaluate at once with no data (missing = breaching) and e-mail
    before the first run could have happened. Up to CloudWatch's 48-hour warm-up, the alarm
    stays quiet for one whole window after each create or update (and it exists only while the
    schedule is enabled, so enabling it creates it). Longer windows cannot be covered that way:
    those alarms treat missing data as missing and notify when a window passes without a start
    after one has been seen (OK -> INSUFFICIENT_DATA); a new alarm's first state notifies no one.
    """
    window = missed_run_window(ctx.settings.schedule.schedule, ctx.settings.schedule.timezone)
    # A disabled schedule starts nothing, so a missed-run alarm would fire forever.
    if not ctx.settings.schedule.enabled or window is None:
        return None
    pipeline = {"PipelineName": ctx.names.pipeline}
    description = (
        f"No execution started in the last {describe_window(window)} although the schedule "
        f"{ctx.settings.schedule.expression} should have started one."
    )
    metric = _Metric(docs.PIPELINE_METRICS_NAMESPACE, "ExecutionStarted", pipeline)
    if window <= MAX_WARM_UP_SECONDS:
        # No datapoint means no execution started: that is the alarm, after one quiet window.
        when: dict[str, Any] = {
            "missing": "breaching",
            "quiet": cloudwatch.MetricAlarmWarmUpConfigurationArgs(
                warm_up_period_duration_in_minutes=math.ceil(window / 60),
                only_start_evaluating_after_warm_up_period_ends=True,
            ),
        }
    else:
        when = {"missing": "missing", "insufficient_data_actions": [topic.arn]}
    return _alarm(
        ctx, "missed-run", description, metric, [topic.arn], below=True, period=window, **when
    )
