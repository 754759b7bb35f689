"""Refuse to deploy a stack into an account other than the one its config names."""

from __future__ import annotations

import pulumi
from pulumi_aws import get_caller_identity

from ml.settings import Settings


def account_mismatch(settings: Settings, caller_account: str, caller_arn: str) -> str | None:
    if caller_account == settings.account_id:
        return None
    return (
        f"stack '{settings.stage}' deploys to account {settings.account_id} "
        f"(ml-batch-pipeline:accountId), but the credentials in use ({caller_arn}) belong to "
        f"account {caller_account}. Use credentials for account {settings.account_id}, or "
        "select the stack of that account."
    )


def ensure_account(settings: Settings) -> None:
    """Runs before any resource is declared, so a wrong account changes nothing."""
    identity = get_caller_identity()
    problem = account_mismatch(settings, identity.account_id, identity.arn)
    if problem:
        raise pulumi.RunError(problem)
