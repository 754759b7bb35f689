"""Alerts and visibility: an encrypted topic, the failed/stopped-run rule, alarms, dashboard."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_aws import cloudwatch, kms, sagemaker, sns, sqs

from components.context import Context
from components.documents import monitoring as docs
from components.documents.dashboard import DashboardScope, dashboard_body
from components.scheduling import PipelineSchedule, dead_letter_queue
from ml.contract import Step
from ml.definition.reading import step_names
from ml.schedule.cadence import (
    MAX_WARM_UP_SECONDS,
    describe_window,
    missed_run_window,
)

ALERT_PERIOD_SECONDS = 300
# A notification channel that does not go through the alerts topic (CloudWatch alarm action
# `arn:aws:ssm:region:account-id:opsitem:severity#CATEGORY=category-name`, PutMetricAlarm).
OPS_ITEM_SEVERITY = 2
OPS_ITEM_CATEGORY = "Availability"
RULE_TARGET_RETRIES = 8
RULE_TARGET_MAX_AGE_SECONDS = 3600
# The account-wide groups SageMaker writes job logs to (created by the first job of each kind).
SAGEMAKER_JOB_LOG_GROUPS = tuple(
    f"/aws/sagemaker/{kind}" for kind in ("ProcessingJobs", "TrainingJobs", "TransformJobs")
)


@dataclass(frozen=True)
class Monitoring:
    topic: sns.Topic
    dashboard: cloudwatch.Dashboard
    alarms: tuple[cloudwatch.MetricAlarm, ...]


def create_monitoring(
    ctx: Context,
    key: kms.Key,
    pipeline: sagemaker.Pipeline,
    definition: pulumi.Output[str],
    schedule: PipelineSchedule,
) -> Monitoring:
    topic = _topic(ctx, key)
    alert_queue = dead_letter_queue(ctx, "alerts-dlq")
    rules = [_notification_rule(ctx, n, pipeline, topic, alert_queue) for n in docs.NOTIFICATIONS]
    # ARNs from names (known in a first preview), computed from the resources' outputs so that
    # the documents depend on them.
    arns = ctx.arns
    rule_arns = pulumi.Output.all(*(rule.name.apply(arns.event_rule) for rule in rules))
    topic_arn = topic.name.apply(arns.topic)
    sqs.QueuePolicy(
        ctx.child("alerts-dlq-policy"),
        queue_url=alert_queue.url,
        policy=pulumi.Output.all(alert_queue.name.apply(arns.queue), rule_arns).apply(
            lambda values: json.dumps(docs.dead_letter_queue_policy(values[0], list(values[1])))
        ),
        opts=ctx.opts(),
    )
    alarms = _alarms(ctx, topic, schedule, alert_queue)
    sns.TopicPolicy(
        ctx.child("alerts-policy"),
        arn=topic.arn,
        policy=pulumi.Output.all(topic_arn, rule_arns).apply(
            lambda values: json.dumps(
                docs.topic_policy(
                    values[0],
                    ctx.arns.account_root,
                    list(values[1]),
                    ctx.arns.alarm(f"{ctx.names.pipeline}-*"),
                    ctx.names.account_id,
                )
            )
        ),
        opts=ctx.opts(),
    )
    _log_groups(ctx)
    dashboard = _dashboard(ctx, definition, schedule, alert_queue, alarms)
    return Monitoring(topic, dashboard, alarms)


def _topic(ctx: Context, key: kms.Key) -> sns.Topic:
    topic = sns.Topic(
        ctx.child("alerts"),
        name=ctx.names.alerts_topic,
        display_name=f"{ctx.names.pipeline} alerts",
        kms_master_key_id=key.arn,
        tags=ctx.tags,
        opts=ctx.opts(),
    )
    for email in ctx.settings.alarm_emails:
        # Each address receives a confirmation e-mail; nothing arrives until it is confirmed.
        # Named by address: removing one address leaves the others' subscriptions alone.
        sns.TopicSubscription(
            ctx.child(f"alerts-email-{email}"),
            topic=topic.arn,
            protocol="email",
            endpoint=email,
            opts=ctx.opts(),
        )
    return topic


def _notification_rule(
    ctx: Context,
    notification: docs.Notification,
    pipeline: sagemaker.Pipeline,
    topic: sns.Topic,
    queue: sqs.Queue,
) -> cloudwatch.EventRule:
    """One rule per kind of event, so every event is one e-mail that says what happened."""
    rule = cloudwatch.EventRule(
        ctx.child(notification.role),
        name=f"{ctx.names.pipeline}-{notification.role}",
        description=notification.description.format(pipeline=ctx.names.pipeline),
        # The pipeline's ARN from its name: the pattern is whole in a first preview.
        event_pattern=pipeline.pipeline_name.apply(
            lambda name: json.dumps(
                docs.notification_pattern(
                    notification, ctx.arns.pipeline(name), Step.QUALITY_GATE_FAILED
                )
            )
        ),
        tags=ctx.tags,
        opts=ctx.opts(),
    )
    cloudwatch.EventTarget(
        ctx.child(f"{notification.role}-target"),
        rule=rule.name,
        target_id="alerts-topic",
        arn=topic.arn,
        input_transformer=cloudwatch.EventTargetInputTransformerArgs(
            input_paths=notification.paths, input_template=notification.template
        ),
        retry_policy=cloudwatch.EventTargetRetryPolicyArgs(
            maximum_event_age_in_seconds=RULE_TARGET_MAX_AGE_SECONDS,
            maximum_retry_attempts=RULE_TARGET_RETRIES,
        ),
        dead_letter_config=cloudwatch.EventTargetDeadLetterConfigArgs(arn=queue.arn),
        opts=ctx.opts(),
    )
    return rule


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


def _alarms(
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


def _log_groups(ctx: Context) -> None:
    """Opt-in retention for the account's SageMaker job log groups.

    They are shared by every job in the account: an existing group is adopted (imported, then
    updated to this retention), none is ever deleted with the stack, and none is encrypted with
    the stack's key, which a dev teardown schedules for deletion.
    """
    if not ctx.settings.log_groups.manage:
        return
    existing = set(
        cloudwatch.get_log_groups(log_group_name_prefix="/aws/sagemaker/").log_group_names or []
    )
    for name in SAGEMAKER_JOB_LOG_GROUPS:
        cloudwatch.LogGroup(
            ctx.child(f"logs-{name.rsplit('/', 1)[1].lower()}"),
            name=name,
            retention_in_days=ctx.settings.log_groups.retention_days,
            skip_destroy=True,
            tags=ctx.tags,
            opts=pulumi.ResourceOptions.merge(
                ctx.opts(),
                pulumi.ResourceOptions(
                    import_=name if name in existing else None, retain_on_delete=True
                ),
            ),
        )


def _dashboard(
    ctx: Context,
    definition: pulumi.Output[str],
    schedule: PipelineSchedule,
    alert_queue: sqs.Queue,
    alarms: tuple[cloudwatch.MetricAlarm, ...],
) -> cloudwatch.Dashboard:
    def body(values: list[str]) -> str:
        definition_json, group, schedule_queue, alerts_queue, *alarm_arns = values
        scope = DashboardScope(
            region=ctx.names.region,
            pipeline=ctx.names.pipeline,
            steps=tuple(step_names(definition_json)),
            schedule_group=group,
            dead_letter_queues=(schedule_queue, alerts_queue),
            alarm_arns=tuple(alarm_arns),
        )
        return json.dumps(dashboard_body(scope))

    return cloudwatch.Dashboard(
        ctx.child("dashboard"),
        dashboard_name=ctx.names.pipeline,
        dashboard_body=pulumi.Output.all(
            definition,
            schedule.group.name,
            schedule.dead_letter_queue.name,
            alert_queue.name,
            *(alarm.arn for alarm in alarms),
        ).apply(body),
        opts=ctx.opts(),
    )
