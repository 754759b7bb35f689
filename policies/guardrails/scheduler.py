"""EventBridge Scheduler schedules: bounded retries, a dead-letter queue, explicit timing."""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from .common import Rule, peek, violation

SCHEDULE = "aws:scheduler/schedule:Schedule"
MAX_RETRY_ATTEMPTS = 10
MAX_EVENT_AGE_SECONDS = 6 * 3600


def _retry_and_dead_letter(args: ResourceValidationArgs, report: ReportViolation) -> None:
    target = args.props.get("target") or {}
    retry = target.get("retryPolicy") or {}
    attempts, age = retry.get("maximumRetryAttempts"), retry.get("maximumEventAgeInSeconds")
    if (
        attempts is None
        or age is None
        or attempts > MAX_RETRY_ATTEMPTS
        or age > MAX_EVENT_AGE_SECONDS
    ):
        violation(
            report,
            args.name,
            f"retry policy is {dict(retry)!r}; unset, AWS retries 185 times over 24 hours",
            f"set maximumRetryAttempts <= {MAX_RETRY_ATTEMPTS} and maximumEventAgeInSeconds "
            f"<= {MAX_EVENT_AGE_SECONDS}",
        )
    if not peek(target.get("deadLetterConfig") or {}, "arn"):
        violation(
            report,
            args.name,
            "failed starts are dropped without a trace",
            "set target.deadLetterConfig.arn to an encrypted SQS queue",
        )


def _explicit_timing(args: ResourceValidationArgs, report: ReportViolation) -> None:
    window = (args.props.get("flexibleTimeWindow") or {}).get("mode")
    if window != "OFF":
        violation(report, args.name, f"flexible time window is {window!r}", "set mode OFF")
    if not args.props.get("scheduleExpressionTimezone"):
        violation(
            report,
            args.name,
            "no time zone: cron schedules run in UTC",
            "set scheduleExpressionTimezone (scheduleTimezone in the stack file)",
        )


def _customer_key(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if not peek(args.props, "kmsKeyArn"):
        violation(report, args.name, "the schedule uses an AWS-owned key", "set kmsKeyArn")


POLICIES = [
    Rule(
        "scheduler-retry-and-dead-letter",
        "Schedules retry a few times within a bounded age, then dead-letter.",
        Severity.MEDIUM,
        "Set target.retryPolicy and target.deadLetterConfig on the schedule.",
        ("WA reliability",),
    ).on([SCHEDULE], _retry_and_dead_letter),
    Rule(
        "scheduler-explicit-timing",
        "Schedules run at the stated time: flexible window off, explicit time zone.",
        Severity.LOW,
        "Set flexibleTimeWindow.mode OFF and scheduleExpressionTimezone.",
        ("WA operations",),
        "P1",
    ).on([SCHEDULE], _explicit_timing),
    Rule(
        "scheduler-customer-key",
        "Schedules encrypt their target input with the stack's key.",
        Severity.LOW,
        "Set kmsKeyArn on the schedule.",
        ("WA security",),
        "P1",
    ).on([SCHEDULE], _customer_key),
]
