"""The Pulumi and pulumi-policy internals the offline renders rely on, and nothing else does.

Neither SDK's public API runs a program under mocks while keeping what it registered with its
unknowns, or hands a policy a resource the way the analyzer does; the names below do that and
are not part of either API, so they may change in any release. pyproject pins both packages to
the minor version these were read at (`~=`), and tests/offline/test_internals.py checks each
still behaves as used here.
"""

from __future__ import annotations

from pulumi.output import Unknown
from pulumi.runtime import mocks as runtime_mocks
from pulumi.runtime import rpc
from pulumi.runtime import settings as runtime_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await as sync_await
from pulumi_policy.policy import _NotApplicableError as NotApplicableError
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

# How the engine marks a secret inside a property map.
SIGNATURE_KEY: str = rpc._special_sig_key
SECRET_SIGNATURE: str = rpc._special_secret_sig

__all__ = [
    "SECRET_SIGNATURE",
    "SIGNATURE_KEY",
    "UNKNOWN_STRING_VALUE",
    "NotApplicableError",
    "Unknown",
    "UnknownValueError",
    "rpc",
    "run_pulumi_func",
    "runtime_mocks",
    "runtime_settings",
    "sync_await",
    "unknown_checking_proxy",
]
