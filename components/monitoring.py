"""Alerts and visibility: an encrypted topic, the failed/stopped-run rule, alarms, dashboard."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
from pulumi_aws import cloudwatch, kms, sagemaker, sns, sqs

from components.alarms import create_alarms
from components.context import Context
from components.documents import monitoring as docs
from components.documents.dashboard import DashboardScope, dashboard_body
from components.scheduling import PipelineSchedule, dead_letter_queue
from ml.contract import Step
from ml.definition.reading import step_names

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
    alarms = create_alarms(ctx, topic, schedule, alert_queue)
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
