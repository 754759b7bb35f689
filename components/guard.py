"""Refuse to deploy a stack into an account other than the one its config names."""

from __future__ import annotations

import pulumi
from pulumi_aws import get_caller_identity

from ml.accounts import account_mismatch
from ml.contract import PROJECT
from ml.settings import Settings


def ensure_account_id(expected: str, stage: str, key: str = f"{PROJECT}:accountId") -> None:
    """Runs before any resource is declared, so a wrong account changes nothing."""
    identity = get_caller_identity()
    problem = account_mismatch(stage, expected, identity.account_id, identity.arn, key)
    if problem:
        raise pulumi.RunError(problem)


def ensure_account(settings: Settings) -> None:
    ensure_account_id(settings.account_id, settings.stage)
