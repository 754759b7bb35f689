"""Roles and their inline policies: least privilege, scoped PassRole, one trusted service,
and the SageMaker guard rails on the pipeline execution role."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from .common import Rule, as_list, json_prop, statements, violation

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
# Every way pulumi-aws 7.51 gives a role permissions: inline documents (RolePolicy, a Role's
# inlinePolicies, or a managed Policy's document) and managed policy attachments (a Role's
# managedPolicyArns, RolePolicyAttachment, RolePolicyAttachmentsExclusive, PolicyAttachment).
# RolePoliciesExclusive only names which inline policies a role keeps (see stack.py).
POLICY_DOCUMENTS = (ROLE_POLICY, POLICY, ROLE)
ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE_POLICY_ATTACHMENTS_EXCLUSIVE = (
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive"
)
POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment"
ROLE_POLICIES_EXCLUSIVE = "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive"
ATTACHMENTS = (ROLE, ROLE_POLICY_ATTACHMENT, ROLE_POLICY_ATTACHMENTS_EXCLUSIVE, POLICY_ATTACHMENT)

# Actions AWS defines on no resource type: "*" is the only resource they accept.
UNSCOPED_ACTIONS = frozenset(
    {
        "ecr:getauthorizationtoken",
        "cloudwatch:putmetricdata",
        "ec2:describedhcpoptions",
        "ec2:describenetworkinterfaces",
        "ec2:describesecuritygroups",
        "ec2:describesubnets",
        "ec2:describevpcs",
        "sagemaker:search",
    }
)
BROAD_MANAGED_POLICIES = ("AdministratorAccess", "PowerUserAccess", "FullAccess", "IAMFullAccess")
# Denies the pipeline execution role must carry (keys each action supports; see the tests).
REQUIRED_GUARD_KEYS = {
    "sagemaker:VolumeKmsKey": ("sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob"),
    "sagemaker:OutputKmsKey": ("sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob"),
    "sagemaker:NetworkIsolation": ("sagemaker:CreateTrainingJob", "sagemaker:CreateModel"),
    "sagemaker:MaxRuntimeInSeconds": ("sagemaker:CreateTrainingJob",),
}


def _allows(document: Any) -> list[dict[str, Any]]:
    return [s for s in statements(document) if s.get("Effect") == "Allow"]


def _documents(args: ResourceValidationArgs) -> list[Any]:
    """The permission documents a resource carries: its `policy`, or a role's inline ones."""
    if args.resource_type == ROLE:
        inline = args.props.get("inlinePolicies") or []
        return [
            json_prop(p, "policy") for p in inline if isinstance(p, Mapping) and p.get("policy")
        ]
    return [json_prop(args.props, "policy")]


def _allowed_statements(args: ResourceValidationArgs) -> list[dict[str, Any]]:
    return [s for document in _documents(args) for s in _allows(document)]


def _managed_arns(args: ResourceValidationArgs) -> list[str]:
    props = args.props
    if args.resource_type == ROLE:
        return [str(a) for a in as_list(props.get("managedPolicyArns"))]
    if args.resource_type == ROLE_POLICY_ATTACHMENTS_EXCLUSIVE:
        return [str(a) for a in as_list(props.get("policyArns"))]
    return [str(props.get("policyArn", ""))]


def _no_wildcard_actions(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for statement in _allowed_statements(args):
        broad = [a for a in as_list(statement.get("Action")) if a == "*" or a.endswith(":*")]
        if broad or statement.get("NotAction"):
            violation(
                report,
                args.name,
                f"statement {statement.get('Sid', '')!r} allows {', '.join(broad) or 'NotAction'}",
                "list the actions the role needs",
            )


def _star_resource_only_where_unavoidable(
    args: ResourceValidationArgs, report: ReportViolation
) -> None:
    for statement in _allowed_statements(args):
        if "*" not in as_list(statement.get("Resource")):
            continue
        scoped = [a for a in as_list(statement.get("Action")) if a.lower() not in UNSCOPED_ACTIONS]
        if scoped:
            violation(
                report,
                args.name,
                f"statement {statement.get('Sid', '')!r} allows {', '.join(scoped)} on every "
                "resource",
                "name the ARNs (bucket, key, job-name prefixes, pipeline) in Resource",
            )


def _no_decrypt_everything(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for statement in _allowed_statements(args):
        actions = [a.lower() for a in as_list(statement.get("Action"))]
        decrypts = any(a in ("kms:decrypt", "kms:*", "*") for a in actions)
        if decrypts and "*" in as_list(statement.get("Resource")):
            violation(
                report,
                args.name,
                f"statement {statement.get('Sid', '')!r} decrypts with every key",
                "allow kms:Decrypt on the stack key's ARN only",
            )


def _pass_role_scoped(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for statement in _allowed_statements(args):
        if "iam:passrole" not in [a.lower() for a in as_list(statement.get("Action"))]:
            continue
        condition = (statement.get("Condition") or {}).get("StringEquals") or {}
        resources = as_list(statement.get("Resource"))
        if any("*" in r for r in resources) or "iam:PassedToService" not in condition:
            violation(
                report,
                args.name,
                f"statement {statement.get('Sid', '')!r} may pass roles too widely",
                "allow iam:PassRole on the one role ARN with iam:PassedToService",
            )


def _no_broad_managed_policies(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for arn in _managed_arns(args):
        if any(arn.endswith(broad) for broad in BROAD_MANAGED_POLICIES):
            violation(
                report, args.name, f"attaches {arn}", "attach least-privilege inline policies"
            )


def _trust_one_service(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for statement in _allows(json_prop(args.props, "assumeRolePolicy")):
        principal = statement.get("Principal")
        services = as_list(principal.get("Service")) if isinstance(principal, dict) else []
        others = (
            [k for k in (principal or {}) if k != "Service"] if isinstance(principal, dict) else []
        )
        if len(services) != 1 or others:
            violation(
                report,
                args.name,
                f"the trust policy names {principal!r}",
                "trust exactly one service principal",
            )
        elif services[0] == "scheduler.amazonaws.com":
            condition = (statement.get("Condition") or {}).get("StringEquals") or {}
            if "aws:SourceAccount" not in condition:
                violation(
                    report,
                    args.name,
                    "the scheduler may assume the role for any account",
                    "add Condition StringEquals aws:SourceAccount with the stack's account",
                )


def _execution_guard_rails(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for document in _documents(args):
        _guard_rails_in(document, args, report)


def _guard_rails_in(document: Any, args: ResourceValidationArgs, report: ReportViolation) -> None:
    actions = {a.lower() for s in _allows(document) for a in as_list(s.get("Action"))}
    if "sagemaker:createtrainingjob" not in actions:
        return  # not a pipeline execution role
    denied: dict[str, set[str]] = {}
    for statement in statements(document):
        if statement.get("Effect") != "Deny":
            continue
        keys = [k for operator in (statement.get("Condition") or {}).values() for k in operator]
        for key in keys:
            denied.setdefault(key, set()).update(as_list(statement.get("Action")))
    for key, needed in REQUIRED_GUARD_KEYS.items():
        missing = [a for a in needed if a not in denied.get(key, set())]
        if missing:
            violation(
                report,
                args.name,
                f"no guard rail on {key} for {', '.join(missing)}",
                f"add a Deny of {', '.join(missing)} conditioned on {key}",
            )


POLICIES = [
    Rule(
        "iam-no-wildcard-actions",
        "Inline policies allow named actions, never * or service:*.",
        Severity.CRITICAL,
        "Replace wildcard actions with the actions the role uses.",
        ("IAM.1", "IAM.21", "CKV_AWS_1", "CKV_AWS_49", "CKV_AWS_62", "CKV_AWS_63"),
    ).on(POLICY_DOCUMENTS, _no_wildcard_actions),
    Rule(
        "iam-star-resource-only-where-unavoidable",
        'Resource "*" appears only with actions AWS defines on no resource.',
        Severity.HIGH,
        "Scope each statement to the ARNs it needs.",
        ("IAM.21", "CKV_AWS_355", "CKV_AWS_356"),
    ).on(POLICY_DOCUMENTS, _star_resource_only_where_unavoidable),
    Rule(
        "iam-no-decrypt-with-every-key",
        'No policy allows kms:Decrypt on Resource "*".',
        Severity.HIGH,
        "Allow kms:Decrypt on the stack key's ARN.",
        ("KMS.1", "KMS.2"),
    ).on(POLICY_DOCUMENTS, _no_decrypt_everything),
    Rule(
        "iam-pass-role-scoped",
        "iam:PassRole names one role and the service it is passed to.",
        Severity.HIGH,
        "Allow iam:PassRole on the role's ARN with StringEquals iam:PassedToService.",
        ("IAM.21",),
    ).on(POLICY_DOCUMENTS, _pass_role_scoped),
    Rule(
        "iam-no-broad-managed-policies",
        "Roles attach no administrator, power-user or FullAccess managed policies.",
        Severity.CRITICAL,
        "Detach the managed policy and grant the needed actions inline.",
        ("IAM.1", "CKV_AWS_274"),
    ).on(list(ATTACHMENTS), _no_broad_managed_policies),
    Rule(
        "iam-trust-one-service",
        "Service roles trust exactly one service principal; the scheduler only for its account.",
        Severity.HIGH,
        "Name one service in the trust policy; add aws:SourceAccount for the scheduler.",
        ("IAM confused deputy",),
    ).on([ROLE], _trust_one_service),
    Rule(
        "iam-sagemaker-guard-rails",
        "The pipeline execution role denies jobs without KMS keys, network isolation or a "
        "runtime bound.",
        Severity.HIGH,
        "Keep the guard-rail Deny statements of components/documents/iam.py.",
        ("SageMaker.5", "WA ML lens"),
    ).on(POLICY_DOCUMENTS, _execution_guard_rails),
]
