"""Customer-managed keys: rotated, hard to delete in prod, no wildcard principal."""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from .common import PROD, Rule, has_wildcard_principal, json_prop, stage_of, statements, violation

KEY = "aws:kms/key:Key"
PROD_DELETION_WINDOW_DAYS = 30


def _rotation(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.props.get("enableKeyRotation") is not True:
        violation(report, args.name, "key rotation is off", "set enableKeyRotation to true")


def _deletion(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if stage_of(args.props) != PROD:
        return
    window = args.props.get("deletionWindowInDays")
    if window is None or window < PROD_DELETION_WINDOW_DAYS or not args.opts.protect:
        violation(
            report,
            args.name,
            f"a prod key can be scheduled for deletion too easily (window {window}, "
            f"protect {args.opts.protect})",
            f"protect the key and set deletionWindowInDays to {PROD_DELETION_WINDOW_DAYS}",
        )


def _no_wildcard_principal(args: ResourceValidationArgs, report: ReportViolation) -> None:
    document = json_prop(args.props, "policy")
    if document is None:
        violation(
            report,
            args.name,
            "no key policy: the default one lets any IAM principal of the account use the key",
            "set an explicit key policy",
        )
        return
    for statement in statements(document):
        if statement.get("Effect") == "Allow" and has_wildcard_principal(statement):
            violation(
                report,
                args.name,
                f"statement {statement.get('Sid', '')!r} allows any principal",
                "name the account root or the service principals",
            )


POLICIES = [
    Rule(
        "kms-key-rotation",
        "Customer-managed keys rotate yearly.",
        Severity.MEDIUM,
        "Set enableKeyRotation: true on the key.",
        ("KMS.4",),
    ).on([KEY], _rotation),
    Rule(
        "kms-prod-key-deletion-guard",
        "Prod keys are protected and wait 30 days before deletion.",
        Severity.HIGH,
        "Protect the key (protectResources: true) and set deletionWindowInDays to 30.",
        ("KMS.3",),
    ).on([KEY], _deletion),
    Rule(
        "kms-key-policy-no-wildcard-principal",
        "Key policies are explicit and allow no wildcard principal.",
        Severity.CRITICAL,
        "Write the key policy with the account root and named service principals only.",
        ("KMS.5",),
    ).on([KEY], _no_wildcard_principal),
]
