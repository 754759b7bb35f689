"""Refuse to deploy a stack into an account other than the one its config names."""

from __future__ import annotations

import pulumi
from pulumi_aws import get_caller_identity

from ml.contract import PROJECT
from ml.settings import Settings


def account_mismatch(
    stage: str, expected: str, caller_account: str, caller_arn: str, key: str
) -> str | None:
    if caller_account == expected:
        return None
    return (
        f"stack '{stage}' deploys to account {expected} ({key}), but the credentials in use "
        f"({caller_arn}) belong to account {caller_account}. Use credentials for account "
        f"{expected}, or select the stack of that account."
    )


def ensure_account_id(expected: str, stage: str, key: str = f"{PROJECT}:accountId") -> None:
    """Runs before any resource is declared, so a wrong account changes nothing."""
    identity = get_caller_identity()
    problem = account_mismatch(stage, expected, identity.account_id, identity.arn, key)
    if problem:
        raise pulumi.RunError(problem)


def ensure_account(settings: Settings) -> None:
    ensure_account_id(settings.account_id, settings.stage)
