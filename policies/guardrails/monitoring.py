"""Alerting that works when needed: encrypted topics the notifiers may use, alarms with actions,
event targets that retry and dead-letter, encrypted queues, log retention."""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from .common import (
    AFTER_APPLY,
    Rule,
    as_list,
    has_wildcard_principal,
    json_prop,
    peek,
    statements,
    violation,
)

TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
QUEUE = "aws:sqs/queue:Queue"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
AWS_MANAGED_SNS_KEY = "alias/aws/sns"


def _topic_key(args: ResourceValidationArgs, report: ReportViolation) -> None:
    key = peek(args.props, "kmsMasterKeyId")
    if key is AFTER_APPLY:
        return  # an output of a key the stack creates: a customer-managed key
    if not key or str(key).endswith(AWS_MANAGED_SNS_KEY):
        violation(
            report,
            args.name,
            f"encrypted with {key or 'nothing'}: alarms cannot publish to alias/aws/sns",
            "set kmsMasterKeyId to the stack key (whose policy admits CloudWatch and EventBridge)",
        )


def _topic_policy(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for statement in statements(json_prop(args.props, "policy")):
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal") or {}
        services = as_list(principal.get("Service")) if isinstance(principal, dict) else []
        conditions = statement.get("Condition") or {}
        scoped = any("aws:SourceArn" in keys for keys in conditions.values())
        if has_wildcard_principal(statement) or (services and not scoped):
            violation(
                report,
                args.name,
                f"statement {statement.get('Sid', '')!r} lets {principal!r} publish from anywhere",
                "allow only the stack's alarms and rule, with aws:SourceArn",
            )


def _alarm_actions(args: ResourceValidationArgs, report: ReportViolation) -> None:
    actions = peek(args.props, "alarmActions")
    if args.props.get("actionsEnabled") is False or not (
        actions is AFTER_APPLY or len(actions or [])
    ):
        violation(
            report,
            args.name,
            "the alarm notifies no one",
            "set alarmActions to the alerts topic and keep actionsEnabled true",
        )


def _event_target(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if not peek(args.props.get("deadLetterConfig") or {}, "arn"):
        violation(report, args.name, "no dead-letter queue", "set deadLetterConfig.arn")
    if not args.props.get("retryPolicy"):
        violation(report, args.name, "no explicit retry policy", "set retryPolicy")


def _queue_encrypted(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.props.get("sqsManagedSseEnabled") is not True and not args.props.get("kmsMasterKeyId"):
        violation(
            report,
            args.name,
            "messages are stored unencrypted",
            "set sqsManagedSseEnabled true or kmsMasterKeyId",
        )


# Shared by every SageMaker job in the account and outliving any stack: a stack's key would take
# the account's job logs down with it.
ACCOUNT_WIDE_LOG_GROUP_PREFIX = "/aws/sagemaker/"


def _log_group(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if not args.props.get("retentionInDays"):
        violation(report, args.name, "logs are kept forever", "set retentionInDays")
    shared = str(args.props.get("name", "")).startswith(ACCOUNT_WIDE_LOG_GROUP_PREFIX)
    if shared and args.props.get("kmsKeyId"):
        violation(
            report,
            args.name,
            "account-wide SageMaker job logs are encrypted with a stack's key",
            "leave kmsKeyId unset on /aws/sagemaker/* groups",
        )
    elif not shared and not args.props.get("kmsKeyId"):
        violation(report, args.name, "logs use the service key", "set kmsKeyId")


POLICIES = [
    Rule(
        "sns-topic-customer-key",
        "Alert topics use a customer-managed key (not alias/aws/sns, which alarms cannot use).",
        Severity.HIGH,
        "Encrypt the topic with the stack key.",
        ("SNS.1", "CKV_AWS_26"),
    ).on([TOPIC], _topic_key),
    Rule(
        "sns-topic-policy-scoped",
        "Only named sources (aws:SourceArn) may publish to alert topics.",
        Severity.HIGH,
        "Condition each service statement on aws:SourceArn; never allow Principal *.",
        ("SNS.4",),
    ).on([TOPIC_POLICY], _topic_policy),
    Rule(
        "cloudwatch-alarm-actions",
        "Every alarm notifies someone.",
        Severity.MEDIUM,
        "Set alarmActions to the alerts topic and actionsEnabled to true.",
        ("CloudWatch.15", "CloudWatch.17"),
    ).on([ALARM], _alarm_actions),
    Rule(
        "events-target-retry-and-dead-letter",
        "Event rule targets retry and dead-letter what they cannot deliver.",
        Severity.MEDIUM,
        "Set retryPolicy and deadLetterConfig on the EventTarget.",
        ("WA reliability",),
    ).on([EVENT_TARGET], _event_target),
    Rule(
        "sqs-queue-encrypted",
        "Queues encrypt messages at rest.",
        Severity.MEDIUM,
        "Set sqsManagedSseEnabled: true (or a KMS key the senders may use).",
        ("SQS.1", "CKV_AWS_27"),
    ).on([QUEUE], _queue_encrypted),
    Rule(
        "logs-retention-and-key",
        "Log groups have a retention, and a customer key unless shared account-wide.",
        Severity.LOW,
        "Set retentionInDays; set kmsKeyId except on the account's /aws/sagemaker/* groups.",
        ("CloudWatch.16", "CKV_AWS_158", "CKV_AWS_66"),
        "P1",
    ).on([LOG_GROUP], _log_group),
]
