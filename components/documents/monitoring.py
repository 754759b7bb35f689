"""Notification documents: which pipeline events reach the topic, and who may publish to it."""

from __future__ import annotations

from typing import Any

from components.documents.iam import VERSION

PIPELINE_STATUS_DETAIL_TYPE = "SageMaker Model Building Pipeline Execution Status Change"
ALERTING_STATUSES = ("Failed", "Stopped")
PIPELINE_METRICS_NAMESPACE = "AWS/Sagemaker/ModelBuildingPipeline"
SCHEDULER_METRICS_NAMESPACE = "AWS/Scheduler"

# What a subscriber reads: EventBridge fills the <placeholders> from the event.
NOTIFICATION_PATHS = {
    "pipeline": "$.detail.pipelineArn",
    "execution": "$.detail.pipelineExecutionArn",
    "status": "$.detail.currentPipelineExecutionStatus",
    "time": "$.time",
}
NOTIFICATION_TEMPLATE = (
    '"SageMaker pipeline <pipeline>: execution <execution> ended with status <status> at '
    '<time>. Open it in SageMaker Studio for the failing step and its reason."'
)


def pipeline_status_pattern(pipeline_arn: str) -> dict[str, Any]:
    """Executions of this pipeline (not every pipeline in the account) that fail or stop."""
    return {
        "source": ["aws.sagemaker"],
        "detail-type": [PIPELINE_STATUS_DETAIL_TYPE],
        "detail": {
            "pipelineArn": [pipeline_arn],
            "currentPipelineExecutionStatus": list(ALERTING_STATUSES),
        },
    }


def topic_policy(
    topic_arn: str, account_root: str, rule_arn: str, alarm_arn_pattern: str, account_id: str
) -> dict[str, Any]:
    """Only this stack's alarms and its rule may publish; the account manages the topic."""
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "AccountManagesTopic",
                "Effect": "Allow",
                "Principal": {"AWS": account_root},
                "Action": [
                    "sns:GetTopicAttributes",
                    "sns:SetTopicAttributes",
                    "sns:AddPermission",
                    "sns:RemovePermission",
                    "sns:DeleteTopic",
                    "sns:Subscribe",
                    "sns:ListSubscriptionsByTopic",
                    "sns:Publish",
                ],
                "Resource": topic_arn,
            },
            {
                "Sid": "StackAlarmsPublish",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {
                    "ArnLike": {"aws:SourceArn": alarm_arn_pattern},
                    "StringEquals": {"aws:SourceAccount": account_id},
                },
            },
            {
                "Sid": "PipelineStatusRulePublishes",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def dead_letter_queue_policy(queue_arn: str, rule_arn: str) -> dict[str, Any]:
    """EventBridge may park undeliverable notifications from this rule, and nothing else."""
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "PipelineStatusRuleDeadLetters",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
            }
        ],
    }
