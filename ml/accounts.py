"""The one rule every command that touches AWS follows: act only on the stack's own account."""

from __future__ import annotations


def account_mismatch(
    stage: str, expected: str, caller_account: str, caller_arn: str, key: str
) -> str | None:
    """None when the credentials belong to the stack's account, else what to do about it."""
    if caller_account == expected:
        return None
    return (
        f"stack '{stage}' deploys to account {expected} ({key}), but the credentials in use "
        f"({caller_arn}) belong to account {caller_account}. Use credentials for account "
        f"{expected}, or select the stack of that account."
    )
