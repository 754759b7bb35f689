"""The bootstrap's settings: one stack per AWS account (named after its stage), checked at once.

Every problem is reported together, naming the key, the value and what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ml.contract import PROJECT, STAGES, ResourceNames
from ml.schedule import parse_five_field_cron

NAMESPACE = "ml-batch-pipeline-bootstrap"
DELIVERY_MODES = ("actions", "deployments")
# How pull-request previews get a Pulumi token: a team token for a team with read on the three
# stacks (editions with team tokens), or a dedicated member's personal token (every edition).
PREVIEW_TOKENS = ("team", "personal")
DEFAULT_PREVIEW_TEAM = f"{PROJECT}-previewers"
# Stages whose changes wait for a second person.
REVIEWED_STAGES = ("preprod", "prod")
_ACCOUNT = re.compile(r"^\d{12}$")
_REPOSITORY = re.compile(r"^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$")
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
SELF_MANAGED_SCHEMES = ("s3", "gs", "azblob", "file", "postgres")


class BootstrapSettingsError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid bootstrap configuration:\n{lines}")


@dataclass(frozen=True)
class Reviewers:
    users: tuple[str, ...]  # GitHub logins
    teams: tuple[str, ...]  # team slugs in the repository's organization


@dataclass(frozen=True)
class BootstrapSettings:
    stage: str
    account_id: str
    region: str
    repository: str  # owner/name
    pulumi_organization: str
    delivery: str
    reviewers: Reviewers
    create_oidc_provider: bool
    shared: bool  # this stack also manages the repository-wide settings
    drift_schedule: str
    preview_token: str = "team"
    preview_team: str = DEFAULT_PREVIEW_TEAM
    preview_user: str = ""
    # Empty: Pulumi Cloud. Otherwise a self-managed backend URL (s3://..., file://...).
    backend_url: str = ""

    @property
    def pulumi_cloud(self) -> bool:
        return not self.backend_url

    @property
    def names(self) -> ResourceNames:
        return ResourceNames(PROJECT, self.stage, self.account_id, self.region)

    @property
    def owner(self) -> str:
        return self.repository.split("/")[0]

    @property
    def repository_name(self) -> str:
        return self.repository.split("/")[1]

    @property
    def reviewed(self) -> bool:
        return self.stage in REVIEWED_STAGES

    @property
    def deploy_role(self) -> str:
        return f"{PROJECT}-github-deploy-{self.stage}"

    @property
    def preview_role(self) -> str:
        return f"{PROJECT}-github-preview-{self.stage}"

    @property
    def preview_scope(self) -> str:
        """auth-actions' `scope` input for the preview token."""
        if self.preview_token == "team":
            return f"team:{self.preview_team}"
        return f"user:{self.preview_user}"


def build_settings(raw: Mapping[str, Any]) -> BootstrapSettings:
    problems: list[str] = []

    def check(key: str, ok: bool, allowed: str) -> None:
        if not ok:
            value = raw.get(key)
            shown = "not set" if value is None else f"{value!r} is not allowed"
            problems.append(f"{NAMESPACE}:{key}: {shown}; allowed: {allowed}")

    stage = raw.get("stage")
    check("stage", stage in STAGES, ", ".join(STAGES))
    check("accountId", bool(_ACCOUNT.match(str(raw.get("accountId", "")))), "12 digits")
    check("region", bool(raw.get("region")), "the stack's aws:region")
    check("githubRepository", bool(_REPOSITORY.match(str(raw.get("githubRepository", "")))),
          "owner/name of the GitHub repository")  # fmt: skip
    check(
        "pulumiOrganization", bool(raw.get("pulumiOrganization")), "your Pulumi Cloud organization"
    )
    check("delivery", raw.get("delivery", "actions") in DELIVERY_MODES, " or ".join(DELIVERY_MODES))
    check("driftSchedule", _is_five_field_cron(str(raw.get("driftSchedule", "0 6 * * *"))),
          "a five-field cron expression")  # fmt: skip
    users = [str(u) for u in raw.get("reviewerUsers") or []]
    teams = [str(t) for t in raw.get("reviewerTeams") or []]
    for user in users:
        check("reviewerUsers", bool(_LOGIN.match(user)), "GitHub logins")
    preview_token = raw.get("previewToken", "team")
    check("previewToken", preview_token in PREVIEW_TOKENS, " or ".join(PREVIEW_TOKENS))
    preview_user = str(raw.get("previewUser", ""))
    if preview_token == "personal":
        check("previewUser", bool(_LOGIN.match(preview_user)),
              "the Pulumi login of the member whose token previews use")  # fmt: skip
    backend_url = str(raw.get("pulumiBackendUrl", ""))
    if backend_url:
        check("pulumiBackendUrl", backend_url.split("://", maxsplit=1)[0] in SELF_MANAGED_SCHEMES,
              "empty (Pulumi Cloud) or a self-managed backend URL: "
              + ", ".join(f"{s}://..." for s in SELF_MANAGED_SCHEMES))  # fmt: skip
        check("delivery", raw.get("delivery", "actions") == "actions",
              "actions (Pulumi Deployments needs the Pulumi Cloud backend)")  # fmt: skip
    if stage in REVIEWED_STAGES and not (users or teams):
        problems.append(
            f"{NAMESPACE}:reviewerUsers: a {stage} stack needs reviewers; allowed: at least one "
            "login in reviewerUsers or team slug in reviewerTeams"
        )
    if problems:
        raise BootstrapSettingsError(problems)
    return BootstrapSettings(
        stage=str(stage),
        account_id=str(raw["accountId"]),
        region=str(raw["region"]),
        repository=str(raw["githubRepository"]),
        pulumi_organization=str(raw["pulumiOrganization"]),
        delivery=str(raw.get("delivery", "actions")),
        reviewers=Reviewers(tuple(users), tuple(teams)),
        create_oidc_provider=bool(raw.get("createOidcProvider", True)),
        shared=bool(raw.get("shared", stage == "dev")),
        drift_schedule=str(raw.get("driftSchedule", "0 6 * * *")),
        preview_token=str(preview_token),
        preview_team=str(raw.get("previewTeam", DEFAULT_PREVIEW_TEAM)),
        preview_user=preview_user,
        backend_url=backend_url,
    )


def _is_five_field_cron(expression: str) -> bool:
    try:
        parse_five_field_cron(expression)
    except ValueError:
        return False
    return True
