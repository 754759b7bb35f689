"""Every use of a pinned action, checked against that action's own contract at the pinned commit.

GitHub passes unknown `with:` keys through with only a warning, and an action reads its inputs
its own way, so these are recorded from each action's `action.yml` and source at the commit the
workflows pin (the comment after each SHA names its release):
- pulumi/actions 8e5e406f (v7.0.0): `action.yml`; `src/config.ts` (booleans through
  `getBooleanInput`: only true/false; `command` one of up, update, refresh, destroy, preview,
  output); `src/main.ts` (selects the stack, creates it only with `upsert`).
- pulumi/auth-actions 14141591 (v2.1.0): `action.yml`; `src/main.ts` (`requested-token-type`
  required in code; the GitHub token's audience is `urn:pulumi:org:<organization>`; the expiry
  input is `token-expiration`).
- aws-actions/configure-aws-credentials e6de0542 (v6.2.3): `action.yml`; `src/index.ts`
  (`role-duration-seconds` defaults to 3600, 900 to 43200 allowed; `role-session-name` 2 to 64
  characters of `[\\w+=,.@-]`; OIDC audience `sts.amazonaws.com`).
- actions/checkout 3d3c42e5 (v7.0.1): `action.yml` (`fetch-depth` 1 by default, 0 = all history).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from bootstrap.deploy_policy import DEPLOY_SESSION_SECONDS
from bootstrap.pulumi_cloud import PULUMI_AUDIENCE
from bootstrap.trust import STS_AUDIENCE
from tests.support.workflows import all_steps


@dataclass(frozen=True)
class Contract:
    inputs: frozenset[str]
    booleans: frozenset[str] = frozenset()
    required: frozenset[str] = frozenset()
    choices: dict[str, frozenset[str]] = field(default_factory=dict)


CONTRACTS = {
    "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d": Contract(
        inputs=frozenset(
            [
                "command",
                "stack-name",
                "pulumi-version",
                "pulumi-version-file",
                "work-dir",
                "comment-on-pr",
                "comment-on-pr-number",
                "comment-on-summary",
                "github-token",
                "cloud-url",
                "secrets-provider",
                "parallel",
                "message",
                "config-map",
                "expect-no-changes",
                "diff",
                "replace",
                "exclude",
                "exclude-dependents",
                "target",
                "target-dependents",
                "policyPacks",
                "policyPackConfigs",
                "refresh",
                "upsert",
                "remove",
                "edit-pr-comment",
                "color",
                "exclude-protected",
                "plan",
                "suppress-outputs",
                "suppress-progress",
                "always-include-summary",
                "continue-on-error",
                "log-verbosity",
                "log-flow",
                "debug",
            ]
        ),
        booleans=frozenset(
            [
                "comment-on-pr",
                "comment-on-summary",
                "expect-no-changes",
                "diff",
                "exclude-dependents",
                "target-dependents",
                "refresh",
                "upsert",
                "remove",
                "edit-pr-comment",
                "exclude-protected",
                "suppress-outputs",
                "suppress-progress",
                "always-include-summary",
                "continue-on-error",
                "log-flow",
                "debug",
            ]
        ),
        required=frozenset({"command", "stack-name"}),
        choices={"command": frozenset({"up", "update", "refresh", "destroy", "preview", "output"})},
    ),
    "pulumi/auth-actions@141415910c3beb54e03b48e9057c204c97b956f2": Contract(
        inputs=frozenset(
            [
                "organization",
                "requested-token-type",
                "scope",
                "token-expiration",
                "export-environment-variables",
                "cloud-url",
            ]
        ),
        booleans=frozenset({"export-environment-variables"}),
        required=frozenset({"organization", "requested-token-type"}),
        choices={
            "requested-token-type": frozenset(
                f"urn:pulumi:token-type:access_token:{kind}"
                for kind in ("organization", "team", "personal")
            )
        },
    ),
    "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c": Contract(
        inputs=frozenset(
            [
                "aws-region",
                "role-to-assume",
                "audience",
                "role-duration-seconds",
                "role-session-name",
                "role-skip-session-tagging",
                "role-chaining",
                "output-credentials",
                "output-env-credentials",
                "unset-current-credentials",
                "special-characters-workaround",
                "disable-retry",
                "retry-max-attempts",
                "mask-aws-account-id",
                "use-existing-credentials",
                "allowed-account-ids",
                "force-skip-oidc",
                "action-timeout-s",
                "custom-tags",
                "sts-endpoint",
                "aws-profile",
                "overwrite-aws-profile",
                "http-proxy",
                "no-proxy",
                "web-identity-token-file",
                "role-external-id",
                "transitive-tag-keys",
                "inline-session-policy",
                "managed-session-policies",
                "aws-access-key-id",
                "aws-secret-access-key",
                "aws-session-token",
            ]
        ),
        required=frozenset({"aws-region", "role-to-assume"}),
    ),
    "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1": Contract(
        inputs=frozenset(
            [
                "repository",
                "ref",
                "token",
                "ssh-key",
                "ssh-known-hosts",
                "ssh-strict",
                "ssh-user",
                "allow-unsafe-pr-checkout",
                "persist-credentials",
                "path",
                "clean",
                "filter",
                "sparse-checkout",
                "sparse-checkout-cone-mode",
                "fetch-depth",
                "fetch-tags",
                "show-progress",
                "lfs",
                "submodules",
                "set-safe-directory",
                "github-server-url",
            ]
        ),
        booleans=frozenset({"persist-credentials", "clean", "fetch-tags", "lfs"}),
    ),
}
EXPRESSION = re.compile(r"^\$\{\{.*\}\}$")


def uses_of(action: str) -> list[dict[str, Any]]:
    return [s for s in all_steps() if s.get("uses", "").split(" ")[0] == action]


def test_every_pinned_third_party_action_has_a_recorded_contract() -> None:
    pinned = {
        s["uses"]
        for s in all_steps()
        if "uses" in s and not s["uses"].startswith(("./", "actions/setup-python@"))
    }
    assert pinned == set(CONTRACTS)


@pytest.mark.parametrize("action", sorted(CONTRACTS))
def test_every_use_passes_only_inputs_the_action_reads(action: str) -> None:
    contract = CONTRACTS[action]
    uses = uses_of(action)
    assert uses
    for step in uses:
        given = step.get("with", {})
        assert set(given) <= contract.inputs, set(given) - contract.inputs
        assert contract.required <= set(given), contract.required - set(given)
        for name in contract.booleans & set(given):
            value = given[name]
            assert value in (True, False, "true", "false") or EXPRESSION.match(value), name
        for name, allowed in contract.choices.items():
            value = given.get(name)
            assert value in allowed or EXPRESSION.match(str(value)), f"{name}: {value}"


def test_pulumi_tokens_are_requested_for_the_audience_the_issuer_trusts() -> None:
    """auth-actions asks GitHub for a token with audience `urn:pulumi:org:<organization>`."""
    for step in uses_of("pulumi/auth-actions@141415910c3beb54e03b48e9057c204c97b956f2"):
        organization = step["with"]["organization"]
        assert PULUMI_AUDIENCE.format(organization) == f"urn:pulumi:org:{organization}"
    assert PULUMI_AUDIENCE == "urn:pulumi:org:{}"


def test_aws_sessions_fit_the_roles_and_their_names_are_valid() -> None:
    for step in uses_of(
        "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c"
    ):
        given = step["with"]
        # No `audience`: the action's default is the one the roles trust.
        assert given.get("audience", "sts.amazonaws.com") == STS_AUDIENCE
        seconds = int(given.get("role-duration-seconds", 3600))
        assert 900 <= seconds <= min(43200, DEPLOY_SESSION_SECONDS)
        # The longest input value a session name can take here is `preview-preprod`.
        name = given["role-session-name"].replace("${{ inputs.stack }}", "preprod")
        assert re.fullmatch(r"[\w+=,.@-]{2,64}", name), name
