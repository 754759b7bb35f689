"""Alerts and visibility: an encrypted topic, the failed/stopped-run rule, alarms, dashboard."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_aws import cloudwatch, kms, sagemaker, sns, sqs

from components.context import Context
from components.documents import monitoring as docs
from components.documents.cadence import missed_run_window
from components.documents.dashboard import DashboardScope, dashboard_body
from components.documents.definition import step_names
from components.scheduling import PipelineSchedule, dead_letter_queue

ALERT_PERIOD_SECONDS = 300
RULE_TARGET_RETRIES = 8
RULE_TARGET_MAX_AGE_SECONDS = 3600
SAGEMAKER_LOG_GROUPS = ("ProcessingJobs", "TrainingJobs", "TransformJobs")


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
    rule = _status_rule(ctx, pipeline, topic, alert_queue)
    alarms = _alarms(ctx, topic, schedule, alert_queue)
    sns.TopicPolicy(
        ctx.child("alerts-policy"),
        arn=topic.arn,
        policy=pulumi.Output.all(topic.arn, rule.arn).apply(
            lambda arns: json.dumps(
                docs.topic_policy(
                    arns[0],
                    ctx.arns.account_root,
                    arns[1],
                    ctx.arns.alarm(f"{ctx.names.pipeline}-*"),
                    ctx.names.account_id,
                )
            )
        ),
        opts=ctx.opts(),
    )
    _log_groups(ctx, key)
    dashboard = _dashboard(ctx, definition, schedule, alert_queue, alarms)
    return Monitoring(topic, dashboard, alarms)


def _topic(ctx: Context, key: kms.Key) -> sns.Topic:
    topic = sns.Topic(
        ctx.child("alerts"),
        name=f"{ctx.names.pipeline}-alerts",
        display_name=f"{ctx.names.pipeline} alerts",
        kms_master_key_id=key.arn,
        tags=ctx.tags,
        opts=ctx.opts(),
    )
    for index, email in enumerate(ctx.settings.alarm_emails):
        # Each address receives a confirmation e-mail; nothing arrives until it is confirmed.
        sns.TopicSubscription(
            ctx.child(f"alerts-email-{index}"),
            topic=topic.arn,
            protocol="email",
            endpoint=email,
            opts=ctx.opts(),
        )
    return topic


def _status_rule(
    ctx: Context, pipeline: sagemaker.Pipeline, topic: sns.Topic, queue: sqs.Queue
) -> cloudwatch.EventRule:
    rule = cloudwatch.EventRule(
        ctx.child("execution-status"),
        name=f"{ctx.names.pipeline}-execution-status",
        description=f"Executions of {ctx.names.pipeline} that fail or stop",
        event_pattern=pipeline.arn.apply(lambda arn: json.dumps(docs.pipeline_status_pattern(arn))),
        tags=ctx.tags,
        opts=ctx.opts(),
    )
    sqs.QueuePolicy(
        ctx.child("alerts-dlq-policy"),
        queue_url=queue.url,
        policy=pulumi.Output.all(queue.arn, rule.arn).apply(
            lambda arns: json.dumps(docs.dead_letter_queue_policy(*arns))
        ),
        opts=ctx.opts(),
    )
    cloudwatch.EventTarget(
        ctx.child("execution-status-target"),
        rule=rule.name,
        target_id="alerts-topic",
        arn=topic.arn,
        input_transformer=cloudwatch.EventTargetInputTransformerArgs(
            input_paths=docs.NOTIFICATION_PATHS, input_template=docs.NOTIFICATION_TEMPLATE
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
    topic: sns.Topic,
    *,
    below: bool = False,
    period: int = ALERT_PERIOD_SECONDS,
    missing: str = "notBreaching",
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
        alarm_actions=[topic.arn],
        tags=ctx.tags,
        opts=ctx.opts(),
    )


def _alarms(
    ctx: Context, topic: sns.Topic, schedule: PipelineSchedule, alert_queue: sqs.Queue
) -> tuple[cloudwatch.MetricAlarm, ...]:
    pipeline = {"PipelineName": ctx.names.pipeline}
    group = {"ScheduleGroup": schedule.group.name}
    alarms = [
        _alarm(
            ctx,
            "execution-failed",
            "A pipeline execution failed: see the failing step in SageMaker Studio.",
            _Metric(docs.PIPELINE_METRICS_NAMESPACE, "ExecutionFailed", pipeline),
            topic,
        ),
        _alarm(
            ctx,
            "schedule-target-errors",
            "The schedule could not start the pipeline (permissions, throttling or a bad value).",
            _Metric(docs.SCHEDULER_METRICS_NAMESPACE, "TargetErrorCount", group),
            topic,
        ),
        _alarm(
            ctx,
            "schedule-dead-letters",
            "Scheduled starts gave up and went to the dead-letter queue.",
            _Metric(docs.SCHEDULER_METRICS_NAMESPACE, "InvocationsSentToDeadLetterCount", group),
            topic,
        ),
        _alarm(
            ctx,
            "alerts-dead-letters",
            "Failure notifications could not reach the alerts topic.",
            _Metric(
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                {"QueueName": alert_queue.name},
                statistic="Maximum",
            ),
            topic,
        ),
    ]
    window = missed_run_window(ctx.settings.schedule.schedule, ctx.settings.schedule.timezone)
    # A disabled schedule starts nothing, so a missed-run alarm would fire forever.
    if ctx.settings.schedule.enabled and window is not None:
        alarms.append(
            _alarm(
                ctx,
                "missed-run",
                f"No execution started in the last {_duration(window)} although the "
                f"schedule {ctx.settings.schedule.expression} should have started one.",
                _Metric(docs.PIPELINE_METRICS_NAMESPACE, "ExecutionStarted", pipeline),
                topic,
                below=True,
                period=window,
                # No datapoint means no execution started: that is the alarm.
                missing="breaching",
            )
        )
    return tuple(alarms)


def _log_groups(ctx: Context, key: kms.Key) -> None:
    """Opt-in: these names are account-wide, and often already exist or belong to others."""
    if not ctx.settings.log_groups.manage:
        return
    for kind in SAGEMAKER_LOG_GROUPS:
        cloudwatch.LogGroup(
            ctx.child(f"logs-{kind.lower()}"),
            name=f"/aws/sagemaker/{kind}",
            retention_in_days=ctx.settings.log_groups.retention_days,
            kms_key_id=key.arn,
            tags=ctx.tags,
            opts=ctx.opts(),
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


def _duration(seconds: int) -> str:
    return f"{seconds // 3600} hours" if seconds >= 7200 else f"{seconds // 60} minutes"
