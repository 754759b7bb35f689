"""The pieces every IAM document is made of: one writer for statements and documents, used by
the stack's role and resource policies and by the bootstrap's deploy role and trust policies."""

from __future__ import annotations

from typing import Any

VERSION = "2012-10-17"

Statement = dict[str, Any]
Condition = dict[str, Any]


def document(statements: list[Statement]) -> dict[str, Any]:
    return {"Version": VERSION, "Statement": statements}


def allow(
    sid: str, actions: list[str], resources: list[str], condition: Condition | None = None
) -> Statement:
    return statement(sid, "Allow", actions, resources, condition)


def statement(
    sid: str,
    effect: str,
    actions: list[str] | str,
    resources: list[str] | str,
    condition: Condition | None = None,
    *,
    principal: dict[str, Any] | str | None = None,
) -> Statement:
    """Keys in IAM's usual order; Principal only in resource policies, Condition when set."""
    written: Statement = {"Sid": sid, "Effect": effect}
    if principal is not None:
        written["Principal"] = principal
    written |= {"Action": actions, "Resource": resources}
    if condition:
        written["Condition"] = condition
    return written
