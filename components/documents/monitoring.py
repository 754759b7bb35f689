"""Notification documents: which pipeline events reach the topic, and who may publish to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.documents.policy import document, statement

PIPELINE_STATUS_DETAIL_TYPE = "SageMaker Model Building Pipeline Execution Status Change"
STEP_STATUS_DETAIL_TYPE = "SageMaker Model Building Pipeline Execution Step Status Change"
PIPELINE_METRICS_NAMESPACE = "AWS/Sagemaker/ModelBuildingPipeline"
SCHEDULER_METRICS_NAMESPACE = "AWS/Scheduler"


@dataclass(frozen=True)
class Notification:
    """One kind of pipeline event and what its e-mail says.

    The template is plain text, not a quoted JSON string: EventBridge delivers a quoted template
    with its quotes (EventBridge user guide, input transformation; PutTargets' InputTemplate
    takes plain text with placeholders). Only the execution status event has no failure reason;
    the step status event carries `failureReason` (SageMaker developer guide, EventBridge events).
    """

    role: str
    description: str
    paths: dict[str, str]
    template: str


_COMMON_PATHS = {
    "pipeline": "$.detail.pipelineArn",
    "execution": "$.detail.pipelineExecutionArn",
    "time": "$.time",
}
_STEP_PATHS = {**_COMMON_PATHS, "step": "$.detail.stepName", "reason": "$.detail.failureReason"}

EXECUTION_STOPPED = Notification(
    "execution-stopped",
    "Executions of {pipeline} that someone stopped",
    _COMMON_PATHS,
    "SageMaker pipeline <pipeline>: execution <execution> was stopped at <time>.",
)
STEP_FAILED = Notification(
    "step-failed",
    "Steps of {pipeline} that failed (one message per failed step, with its reason)",
    _STEP_PATHS,
    "SageMaker pipeline <pipeline>: step <step> of execution <execution> failed at <time>. "
    "Reason: <reason>",
)
GATE_REJECTED = Notification(
    "gate-rejected",
    "Models of {pipeline} that the quality gate rejected",
    {**_COMMON_PATHS, "reason": "$.detail.failureReason"},
    "SageMaker pipeline <pipeline>: the quality gate rejected the model of execution "
    "<execution> at <time> (not a failure of the pipeline). <reason>",
)
NOTIFICATIONS = (EXECUTION_STOPPED, STEP_FAILED, GATE_REJECTED)


def notification_pattern(
    notification: Notification, pipeline_arn: str, gate_step: str
) -> dict[str, Any]:
    """Events of this pipeline only; each event matches exactly one notification."""
    if notification is EXECUTION_STOPPED:
        return {
            "source": ["aws.sagemaker"],
            "detail-type": [PIPELINE_STATUS_DETAIL_TYPE],
            "detail": {
                "pipelineArn": [pipeline_arn],
                "currentPipelineExecutionStatus": ["Stopped"],
            },
        }
    step = [gate_step] if notification is GATE_REJECTED else [{"anything-but": [gate_step]}]
    return {
        "source": ["aws.sagemaker"],
        "detail-type": [STEP_STATUS_DETAIL_TYPE],
        "detail": {
            "pipelineArn": [pipeline_arn],
            "currentStepStatus": ["Failed"],
            "stepName": step,
        },
    }


def topic_policy(
    topic_arn: str,
    account_root: str,
    rule_arns: list[str],
    alarm_arn_pattern: str,
    account_id: str,
) -> dict[str, Any]:
    """Only this stack's alarms and its rules may publish; the account manages the topic."""
    manage = [
        "sns:GetTopicAttributes",
        "sns:SetTopicAttributes",
        "sns:AddPermission",
        "sns:RemovePermission",
        "sns:DeleteTopic",
        "sns:Subscribe",
        "sns:ListSubscriptionsByTopic",
        "sns:Publish",
    ]
    alarms = {
        "ArnLike": {"aws:SourceArn": alarm_arn_pattern},
        "StringEquals": {"aws:SourceAccount": account_id},
    }
    return document(
        [
            statement(
                "AccountManagesTopic",
                "Allow",
                manage,
                topic_arn,
                principal={"AWS": account_root},
            ),
            statement(
                "StackAlarmsPublish",
                "Allow",
                "sns:Publish",
                topic_arn,
                alarms,
                principal={"Service": "cloudwatch.amazonaws.com"},
            ),
            _from_rules("PipelineEventRulesPublish", "sns:Publish", topic_arn, rule_arns),
            statement(
                "DenyInsecureTransport",
                "Deny",
                "sns:Publish",
                topic_arn,
                {"Bool": {"aws:SecureTransport": "false"}},
                principal="*",
            ),
        ]
    )


def dead_letter_queue_policy(queue_arn: str, rule_arns: list[str]) -> dict[str, Any]:
    """EventBridge may park undeliverable notifications from these rules, and nothing else."""
    return document(
        [_from_rules("PipelineEventRulesDeadLetter", "sqs:SendMessage", queue_arn, rule_arns)]
    )


def _from_rules(sid: str, action: str, resource: str, rule_arns: list[str]) -> dict[str, Any]:
    return statement(
        sid,
        "Allow",
        action,
        resource,
        {"ArnEquals": {"aws:SourceArn": sorted(rule_arns)}},
        principal={"Service": "events.amazonaws.com"},
    )
