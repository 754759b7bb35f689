"""Every way pulumi-aws 7.51 gives a role permissions is judged by the pack (one test per way).

Ways: inline documents (aws.iam.RolePolicy, a Role's inline_policies, RolePoliciesExclusive
naming which inline policies the role keeps) and managed policies (a Role's
managed_policy_arns, RolePolicyAttachment, RolePolicyAttachmentsExclusive, PolicyAttachment).
"""

from __future__ import annotations

import json
from typing import Any

from offline.policy_harness import VIOLATION, run_pack
from offline.recorder import RecordedResource, StackGraph
from tests.support.recorded import recorded

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
WILDCARD = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
TAGS = {"stage": "dev", "model-approval": "manual", "project": "p", "managed-by": "pulumi"}


def resource(token: str, name: str, inputs: dict[str, Any]) -> RecordedResource:
    return recorded(token, name, inputs)


def role(**extra: Any) -> RecordedResource:
    inputs = {"name": "r", "assumeRolePolicy": json.dumps(TRUST), "tags": TAGS, **extra}
    return resource("aws:iam/role:Role", "r", inputs)


def violations(policy: str, *resources: RecordedResource) -> list[str]:
    report = run_pack(StackGraph("dev", list(resources)), only=[policy])
    return [f.message for f in report.findings if f.kind == VIOLATION]


def test_a_role_policy_document_is_judged() -> None:
    inline = resource(
        "aws:iam/rolePolicy:RolePolicy",
        "p",
        {"role": "r", "name": "p", "policy": json.dumps(WILDCARD)},
    )
    assert violations("iam-no-wildcard-actions", role(), inline)


def test_a_roles_own_inline_policies_are_judged() -> None:
    inline = [{"name": "p", "policy": json.dumps(WILDCARD)}]
    (message,) = violations("iam-no-wildcard-actions", role(inlinePolicies=inline))
    assert "allows s3:*" in message
    assert violations("iam-star-resource-only-where-unavoidable", role(inlinePolicies=inline))
    assert violations("iam-no-wildcard-actions", role(inlinePolicies=[])) == []


def test_a_roles_managed_policy_arns_are_judged() -> None:
    (message,) = violations("iam-no-broad-managed-policies", role(managedPolicyArns=[ADMIN]))
    assert f"attaches {ADMIN}" in message


def test_a_role_policy_attachment_is_judged() -> None:
    attachment = resource(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", {"role": "r", "policyArn": ADMIN}
    )
    assert violations("iam-no-broad-managed-policies", role(), attachment)


def test_exclusive_role_policy_attachments_are_judged() -> None:
    attachments = resource(
        "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
        "a",
        {"roleName": "r", "policyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess", ADMIN]},
    )
    (message,) = violations("iam-no-broad-managed-policies", role(), attachments)
    assert ADMIN in message


def test_a_policy_attachment_is_judged() -> None:
    attachment = resource(
        "aws:iam/policyAttachment:PolicyAttachment",
        "a",
        {"roles": ["r"], "policyArn": "arn:aws:iam::aws:policy/AmazonS3FullAccess"},
    )
    assert violations("iam-no-broad-managed-policies", role(), attachment)


def test_exclusive_inline_policies_name_only_declared_documents() -> None:
    declared = resource(
        "aws:iam/rolePolicy:RolePolicy", "p", {"role": "r", "name": "stack", "policy": "{}"}
    )
    exclusive = resource(
        "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive",
        "x",
        {"roleName": "r", "policyNames": ["stack", "added-by-hand"]},
    )
    (message,) = violations("stack-role-inline-policies-declared", role(), declared, exclusive)
    assert "keeps inline policies this stack does not declare: added-by-hand" in message
    exclusive.inputs["policyNames"] = ["stack"]
    assert violations("stack-role-inline-policies-declared", role(), declared, exclusive) == []
