"""The EventBridge Scheduler schedule that starts the pipeline with this stage's values."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
from pulumi_aws import iam, kms, sagemaker, scheduler, sqs

from components.context import Context
from components.documents.iam import SCHEDULER_SERVICE, scheduler_role_policy, service_trust_policy
from components.documents.schedule import (
    MAX_EVENT_AGE_SECONDS,
    RETRY_ATTEMPTS,
    schedule_parameters,
)
from ml.contract import SCORING_PARAMETERS
from ml.definition.inputs import parameter_defaults

DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600


@dataclass(frozen=True)
class PipelineSchedule:
    group: scheduler.ScheduleGroup
    schedule: scheduler.Schedule
    dead_letter_queue: sqs.Queue


def dead_letter_queue(ctx: Context, role: str) -> sqs.Queue:
    """SQS-managed encryption: the sender needs no key permissions to park a message."""
    return sqs.Queue(
        ctx.child(role),
        name=f"{ctx.names.pipeline}-{role}",
        sqs_managed_sse_enabled=True,
        message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS,
        tags=ctx.tags,
        opts=ctx.opts(),
    )


def create_scheduler_role(ctx: Context) -> iam.Role:
    names = ctx.names
    return iam.Role(
        ctx.child("scheduler-role"),
        name=names.scheduler_role,
        description=f"Lets EventBridge Scheduler start the {names.pipeline} pipeline",
        assume_role_policy=json.dumps(
            service_trust_policy(SCHEDULER_SERVICE, names.account_id, ctx.arns.schedule_group)
        ),
        tags=ctx.tags,
        opts=ctx.opts(),
    )


def create_schedule(
    ctx: Context, pipeline: sagemaker.Pipeline, key: kms.Key, role: iam.Role
) -> PipelineSchedule:
    names, settings, arns = ctx.names, ctx.settings, ctx.arns
    queue = dead_letter_queue(ctx, "schedule-dlq")
    # ARNs from the resources' names (known in a first preview), still computed from their
    # outputs so that the document depends on them.
    pipeline_arn = pipeline.pipeline_name.apply(arns.pipeline)
    policy = iam.RolePolicy(
        ctx.child("scheduler-policy"),
        name="start-pipeline",
        role=role.name,
        policy=pulumi.Output.all(pipeline_arn, queue.name.apply(arns.queue)).apply(
            lambda values: json.dumps(scheduler_role_policy(*values))
        ),
        opts=ctx.opts(),
    )
    group = scheduler.ScheduleGroup(
        ctx.child("schedule-group"), name=names.pipeline, tags=ctx.tags, opts=ctx.opts()
    )
    # A scoring-only pipeline declares only the transform's parameters.
    declared = SCORING_PARAMETERS if settings.promoted_model else None
    parameters = schedule_parameters(parameter_defaults(settings, names.bucket), declared)
    schedule = scheduler.Schedule(
        ctx.child("schedule"),
        name=f"{names.pipeline}-run",
        group_name=group.name,
        description=f"Runs the {names.pipeline} pipeline with the {settings.stage} stage's values",
        schedule_expression=settings.schedule.expression,
        schedule_expression_timezone=settings.schedule.timezone,
        state="ENABLED" if settings.schedule.enabled else "DISABLED",
        flexible_time_window=scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
        kms_key_arn=key.arn,
        target=scheduler.ScheduleTargetArgs(
            arn=pipeline_arn,
            role_arn=role.name.apply(arns.role),
            retry_policy=scheduler.ScheduleTargetRetryPolicyArgs(
                maximum_event_age_in_seconds=MAX_EVENT_AGE_SECONDS,
                maximum_retry_attempts=RETRY_ATTEMPTS,
            ),
            dead_letter_config=scheduler.ScheduleTargetDeadLetterConfigArgs(arn=queue.arn),
            sagemaker_pipeline_parameters=scheduler.ScheduleTargetSagemakerPipelineParametersArgs(
                pipeline_parameters=[
                    scheduler.ScheduleTargetSagemakerPipelineParametersPipelineParameterArgs(
                        name=name, value=value
                    )
                    for name, value in parameters
                ]
            ),
        ),
        # The role must be able to start the pipeline before the first run fires.
        opts=ctx.opts(depends_on=[policy]),
    )
    return PipelineSchedule(group, schedule, queue)
