"""The bootstrap's settings: one stack per AWS account (named after its stage), checked at once.

Each key is declared once (`BootstrapConfig`: type, default, what is allowed, description);
bootstrap/Pulumi.yaml's `config:` block is that declaration written out. Every problem is
reported together, naming the key, the value and what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from ml.contract import PROJECT, STAGES, ResourceNames
from ml.schedule import parse_five_field_cron
from ml.settings import declared
from ml.settings.declared import FROM_ENGINE, Boolean, Declaration, Strings, check, rule_broken

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


@dataclass(frozen=True)
class Allowed:
    """What a key allows, as its problems say it; the key's checks only decide."""

    text: str


def _refused_unless(accepts: Callable[[Any], object]) -> AfterValidator:
    """A check whose problem the key's `Allowed` text words."""
    return check(lambda value: None if accepts(value) else "")


def _is_five_field_cron(expression: str) -> bool:
    try:
        parse_five_field_cron(expression)
    except ValueError:
        return False
    return True


Login = Annotated[str, _refused_unless(_LOGIN.match)]
TRUE_OR_FALSE = Allowed("true or false")


class BootstrapConfig(Declaration):
    stage: Annotated[str, Allowed(", ".join(STAGES)), _refused_unless(STAGES.__contains__)] = Field(
        description="The stage whose account this stack prepares, one of dev, preprod, prod."
    )
    account_id: Annotated[str, Allowed("12 digits"), _refused_unless(_ACCOUNT.match)] = Field(
        description="The 12-digit AWS account of that stage; the program refuses other credentials."
    )
    github_repository: Annotated[
        str, Allowed("owner/name of the GitHub repository"), _refused_unless(_REPOSITORY.match)
    ] = Field(description="owner/name of the GitHub repository that holds this project.")
    pulumi_organization: Annotated[
        str, Allowed("your Pulumi Cloud organization"), _refused_unless(bool)
    ] = Field(description="The Pulumi Cloud organization that holds the stacks.")
    delivery: Annotated[
        str, Allowed(" or ".join(DELIVERY_MODES)), _refused_unless(DELIVERY_MODES.__contains__)
    ] = Field(
        "actions",
        description="actions (GitHub Actions previews and promotes) or deployments (Pulumi "
        "Deployments does). Only one system runs.",
    )
    reviewer_users: Annotated[list[Login], Allowed("GitHub logins"), FROM_ENGINE] = Field(
        [],
        description="GitHub logins who approve preprod and prod (required there, with or "
        "instead of reviewerTeams).",
    )
    reviewer_teams: Annotated[Strings, Allowed("team slugs of the repository's organization")] = (
        Field(
            [],
            description="GitHub team slugs (of the repository's organization) who approve preprod "
            "and prod.",
        )
    )
    create_oidc_provider: Annotated[Boolean, TRUE_OR_FALSE] = Field(
        default=True,
        description="Create the account's OIDC provider; false uses the one that already exists "
        "(there is one per issuer and account).",
    )
    # No default in Pulumi.yaml: unset means "on the dev stack only".
    shared: Annotated[Boolean | None, TRUE_OR_FALSE] = Field(
        None,
        description="This stack also manages the repository-wide settings (PULUMI_ORG, "
        "AWS_REGION, the Pulumi token exchange). Defaults to true on dev only.",
    )
    drift_schedule: Annotated[
        str, Allowed("a five-field cron expression"), _refused_unless(_is_five_field_cron)
    ] = Field(
        "0 6 * * *",
        description="Cron expression of the drift detection runs (deployments mode).",
    )
    preview_token: Annotated[
        str, Allowed(" or ".join(PREVIEW_TOKENS)), _refused_unless(PREVIEW_TOKENS.__contains__)
    ] = Field(
        "team",
        description="How pull-request previews get a Pulumi token. team (a team token for a team "
        "with read on the three stacks; editions with team tokens) or personal (a dedicated "
        "member's personal token; every edition). Read on shared (dev) stacks.",
    )
    preview_team: Annotated[str, Allowed("the name of a Pulumi team")] = Field(
        DEFAULT_PREVIEW_TEAM,
        description="The Pulumi team the dev bootstrap creates for previews (previewToken team).",
    )
    preview_user: Annotated[
        str, Allowed("the Pulumi login of the member whose token previews use")
    ] = Field(
        "",
        description="The Pulumi login whose personal token previews use (previewToken "
        "personal); give that member read on the three stacks and nothing more.",
    )
    pulumi_backend_url: Annotated[
        str,
        Allowed(
            "empty (Pulumi Cloud) or a self-managed backend URL: "
            + ", ".join(f"{s}://..." for s in SELF_MANAGED_SCHEMES)
        ),
        _refused_unless(lambda url: not url or url.split("://")[0] in SELF_MANAGED_SCHEMES),
    ] = Field(
        "",
        description="Empty for Pulumi Cloud (the bootstrap creates the stacks); a self-managed "
        "backend URL (s3://..., gs://..., azblob://..., file://...) makes the workflows create "
        "them on first use. Actions delivery only.",
    )

    # Rules between keys, each on the later of its keys (the earlier ones are in `info.data`
    # when valid).

    @field_validator("reviewer_teams")
    @classmethod
    def _reviewed_stages_have_reviewers(cls, teams: list[str], info: ValidationInfo) -> list[str]:
        stage, users = info.data.get("stage"), info.data.get("reviewer_users")
        if stage in REVIEWED_STAGES and users == [] and not teams:
            raise rule_broken(
                f"a {stage} stack needs reviewers; allowed: at least one login in reviewerUsers "
                "or team slug in reviewerTeams",
                key="reviewerUsers",
            )
        return teams

    @field_validator("preview_user")
    @classmethod
    def _personal_token_needs_a_login(cls, user: str, info: ValidationInfo) -> str:
        if info.data.get("preview_token") == "personal" and not _LOGIN.match(user):
            raise rule_broken("")
        return user

    @field_validator("pulumi_backend_url")
    @classmethod
    def _self_managed_backends_deliver_by_actions(cls, url: str, info: ValidationInfo) -> str:
        delivery = info.data.get("delivery")
        if url and delivery not in (None, "actions"):
            raise rule_broken(
                "actions (Pulumi Deployments needs the Pulumi Cloud backend)",
                key="delivery",
                value=delivery,
            )
        return url


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
    preview_token: str = "team"  # noqa: S105 (a kind of token, not a secret)
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
        return self.names.deploy_role

    @property
    def preview_role(self) -> str:
        return f"{PROJECT}-github-preview-{self.stage}"

    @property
    def preview_scope(self) -> str:
        """auth-actions' `scope` input for the preview token."""
        if self.preview_token == "team":  # noqa: S105 (a kind of token, not a secret)
            return f"team:{self.preview_team}"
        return f"user:{self.preview_user}"


def build_settings(raw: Mapping[str, Any]) -> BootstrapSettings:
    """Settings from every `namespace:key` value of the stack (values may be engine strings)."""
    prefix = f"{NAMESPACE}:"
    own = {key[len(prefix) :]: value for key, value in raw.items() if key.startswith(prefix)}
    config, problems = declared.validate(BootstrapConfig, own)
    messages = [f"{prefix}{problem.key}: {_phrase(problem, own)}" for problem in problems]
    region = raw.get("aws:region")
    if not region:
        shown = "not set" if region is None else f"{region!r} is not allowed"
        messages.append(f"{prefix}region: {shown}; allowed: the stack's aws:region")
    if messages or config is None:
        raise BootstrapSettingsError(messages)
    return BootstrapSettings(
        stage=config.stage,
        account_id=config.account_id,
        region=str(region),
        repository=config.github_repository,
        pulumi_organization=config.pulumi_organization,
        delivery=config.delivery,
        reviewers=Reviewers(tuple(config.reviewer_users), tuple(config.reviewer_teams)),
        create_oidc_provider=config.create_oidc_provider,
        shared=config.stage == "dev" if config.shared is None else config.shared,
        drift_schedule=config.drift_schedule,
        preview_token=config.preview_token,
        preview_team=config.preview_team,
        preview_user=config.preview_user,
        backend_url=config.pulumi_backend_url,
    )


def _phrase(problem: declared.Problem, given: Mapping[str, Any]) -> str:
    """`not set` or `<value> is not allowed`, then what the key allows."""
    if problem.kind == "unknown":
        return f"{problem.value!r} {problem.text}"
    if problem.kind == "rule" and problem.value is None:
        return problem.text  # a rule about the stack as a whole, such as its reviewers
    allowed = problem.text or _allowed(problem)
    if problem.kind == "missing" or problem.key not in given:
        return f"not set; allowed: {allowed}"
    return f"{problem.value!r} is not allowed; allowed: {allowed}"


def _allowed(problem: declared.Problem) -> str:
    metadata = problem.field.metadata if problem.field else []
    return next(m.text for m in metadata if isinstance(m, Allowed))
