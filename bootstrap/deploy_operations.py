"""The deploy role's statements for what starts and watches the pipeline: its schedule, the
alert topic and queues, event rules, alarms, dashboard and the SageMaker log groups."""

from __future__ import annotations

from components.documents.arns import Arns
from components.documents.policy import Statement, allow
from ml.contract import ResourceNames


def scheduling_statements(names: ResourceNames) -> list[Statement]:
    arns = Arns(names)
    return [
        allow(
            "StackScheduleGroup",
            [
                "scheduler:CreateScheduleGroup",
                "scheduler:DeleteScheduleGroup",
                "scheduler:GetScheduleGroup",
                "scheduler:TagResource",
                "scheduler:UntagResource",
                "scheduler:ListTagsForResource",
            ],
            [arns.schedule_group],
        ),
        allow(
            "StackSchedule",
            [
                "scheduler:CreateSchedule",
                "scheduler:UpdateSchedule",
                "scheduler:DeleteSchedule",
                "scheduler:GetSchedule",
            ],
            [arns.arn("scheduler", f"schedule/{names.pipeline}/*")],
        ),
    ]


def monitoring_statements(names: ResourceNames) -> list[Statement]:
    arns, pipeline = Arns(names), names.pipeline
    return [
        allow(
            "StackQueues",
            [
                "sqs:CreateQueue",
                "sqs:DeleteQueue",
                "sqs:GetQueueAttributes",
                "sqs:SetQueueAttributes",
                "sqs:GetQueueUrl",
                "sqs:TagQueue",
                "sqs:UntagQueue",
                "sqs:ListQueueTags",
            ],
            [arns.queue(f"{pipeline}-*")],
        ),
        allow(
            "StackTopic",
            [
                "sns:CreateTopic",
                "sns:DeleteTopic",
                "sns:GetTopicAttributes",
                "sns:SetTopicAttributes",
                "sns:TagResource",
                "sns:UntagResource",
                "sns:ListTagsForResource",
                "sns:Subscribe",
                "sns:ListSubscriptionsByTopic",
            ],
            [arns.topic(names.alerts_topic)],
        ),
        # Subscription actions are defined on no resource type.
        allow(
            "Subscriptions",
            ["sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes", "sns:Unsubscribe"],
            ["*"],
        ),
        allow(
            "StackEventRule",
            [
                "events:PutRule",
                "events:DeleteRule",
                "events:DescribeRule",
                "events:PutTargets",
                "events:RemoveTargets",
                "events:ListTargetsByRule",
                "events:TagResource",
                "events:UntagResource",
                "events:ListTagsForResource",
            ],
            [arns.event_rule(f"{pipeline}-*")],
        ),
        allow(
            "StackAlarms",
            [
                "cloudwatch:PutMetricAlarm",
                "cloudwatch:DeleteAlarms",
                "cloudwatch:DescribeAlarms",
                "cloudwatch:TagResource",
                "cloudwatch:UntagResource",
                "cloudwatch:ListTagsForResource",
            ],
            [arns.alarm(f"{pipeline}-*")],
        ),
        allow(
            "StackDashboard",
            ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"],
            [arns.arn("cloudwatch", f"dashboard/{pipeline}", region=False)],
        ),
        allow(
            "SageMakerLogGroups",
            # Never DeleteLogGroup: these groups are the account's and outlive the stack. An
            # adopted group may carry a key the stack does not set: DisassociateKmsKey.
            [
                "logs:CreateLogGroup",
                "logs:PutRetentionPolicy",
                "logs:DeleteRetentionPolicy",
                "logs:DisassociateKmsKey",
                "logs:TagResource",
                "logs:UntagResource",
                "logs:ListTagsForResource",
            ],
            [arns.log_group("/aws/sagemaker/*")],
        ),
        allow("DescribeLogGroups", ["logs:DescribeLogGroups"], ["*"]),
    ]
