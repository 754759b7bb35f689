"""Pulumi Cloud: the program's stacks, the GitHub token exchange, the preview team, and in
deployments mode the stack's deployment settings, drift detection and the enforced policy pack."""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
import tempfile
from pathlib import Path

import pulumi
import pulumi_pulumiservice as service
import yaml
from pulumi_policy import EnforcementLevel

from bootstrap import trust
from bootstrap.aws_access import GITHUB_ISSUER
from bootstrap.settings import BootstrapSettings
from ml.contract import PROJECT, STAGES
from policies.guardrails import PACK_NAME, POLICIES

ROOT = Path(__file__).resolve().parent.parent
MAKEFILE = ROOT / "Makefile"
LOCK = ROOT / "uv.lock"
PACK_DIR = ROOT / "policies"
# What the published pack holds: its sources only (never its venv or caches), so the content
# the service hashes changes only when the pack does.
PACK_STAGING = ROOT / "build" / "policy-pack"
PACK_SOURCES = ("PulumiPolicy.yaml", "__main__.py", "requirements.txt", "guardrails/*.py")
EXECUTOR_IMAGE = "pulumi/pulumi"
# Same token audience as pulumi/auth-actions requests (`urn:pulumi:org:<org>`).
PULUMI_AUDIENCE = "urn:pulumi:org:{}"


def uv_version(makefile: Path = MAKEFILE) -> str:
    """The Makefile pins uv; Deployments install the same one."""
    match = re.search(r"^UV_VERSION := (\S+)$", makefile.read_text(encoding="utf-8"), re.M)
    if not match:
        raise ValueError(f"{makefile.name} pins no UV_VERSION")
    return match[1]


def pulumi_cli_version(lock: Path = LOCK) -> str:
    """The CLI that runs the program is the release of the SDK the lock pins."""
    match = re.search(r'^name = "pulumi"\nversion = "([^"]+)"$', lock.read_text("utf-8"), re.M)
    if not match:
        raise ValueError(f"{lock.name} pins no pulumi package")
    return match[1]


def program_stack(settings: BootstrapSettings) -> service.Stack:
    """`<org>/ml-batch-pipeline/<stage>`: pulumi/actions selects it, it never creates it."""
    return service.Stack(
        f"stack-{settings.stage}",
        organization_name=settings.pulumi_organization,
        project_name=PROJECT,
        stack_name=settings.stage,
        # Its state is the record of what runs in the account: never deleted with the bootstrap.
        force_destroy=False,
        opts=pulumi.ResourceOptions(protect=True, retain_on_delete=True),
    )


def token_policies(
    settings: BootstrapSettings, repository: trust.GitHubRepository
) -> list[service.AuthPolicyDefinitionArgs]:
    """Deploy jobs (actions mode) get what `pulumi up` needs; previews get read access only."""
    audience = PULUMI_AUDIENCE.format(settings.pulumi_organization)
    policies = []
    if settings.delivery == "actions":
        for stage in STAGES:
            for subject in repository.subjects(trust.deploy_context(stage)):
                policies.append(
                    service.AuthPolicyDefinitionArgs(
                        decision=service.AuthPolicyDecision.ALLOW,
                        token_type=service.AuthPolicyTokenType.ORGANIZATION,
                        # Organization tokens take admin only (Pulumi REST API, OIDC issuers).
                        authorized_permissions=[service.AuthPolicyPermissionLevel.ADMIN],
                        rules={"aud": audience, "sub": subject},
                    )
                )
    for subject in preview_subjects(settings, repository):
        policies.append(_preview_policy(settings, audience, subject))
    return policies


def preview_subjects(settings: BootstrapSettings, repository: trust.GitHubRepository) -> list[str]:
    contexts = [trust.PULL_REQUEST]
    if settings.delivery == "actions":
        contexts.append(trust.MAIN_BRANCH)
    return [subject for context in contexts for subject in repository.subjects(context)]


def _preview_policy(
    settings: BootstrapSettings, audience: str, subject: str
) -> service.AuthPolicyDefinitionArgs:
    rules = {"aud": audience, "sub": subject}
    if settings.preview_token == "team":  # noqa: S105 (a kind of token, not a secret)
        return service.AuthPolicyDefinitionArgs(
            decision=service.AuthPolicyDecision.ALLOW,
            token_type=service.AuthPolicyTokenType.TEAM,
            team_name=settings.preview_team,
            rules=rules,
        )
    return service.AuthPolicyDefinitionArgs(
        decision=service.AuthPolicyDecision.ALLOW,
        token_type=service.AuthPolicyTokenType.PERSONAL,
        user_login=settings.preview_user,
        rules=rules,
    )


def github_token_exchange(
    settings: BootstrapSettings,
    repository: trust.GitHubRepository,
    depends_on: list[pulumi.Resource],
) -> service.OidcIssuer:
    """Lets this repository's workflows trade their GitHub OIDC token for a Pulumi token."""
    return service.OidcIssuer(
        "github-actions",
        name=f"github-actions-{settings.repository_name}",
        organization=settings.pulumi_organization,
        url=GITHUB_ISSUER,
        policies=token_policies(settings, repository),
        opts=pulumi.ResourceOptions(depends_on=depends_on),
    )


def preview_team(settings: BootstrapSettings) -> service.Team:
    return service.Team(
        "preview-team",
        organization_name=settings.pulumi_organization,
        team_type="pulumi",
        name=settings.preview_team,
        description=f"Pull-request previews of {PROJECT}: read on its stacks, nothing more",
    )


def preview_permission(
    settings: BootstrapSettings, stack: service.Stack, team: service.Team | None
) -> service.TeamStackPermission:
    """Read on this stage's stack (read includes decrypting the stack's secrets)."""
    return service.TeamStackPermission(
        f"preview-team-{settings.stage}",
        organization=settings.pulumi_organization,
        project=PROJECT,
        stack=stack.stack_name,
        team=team.name if team else settings.preview_team,
        permission=service.TeamStackPermissionScope.READ,
        opts=pulumi.ResourceOptions(depends_on=[stack] + ([team] if team else [])),
    )


def deployment_settings(
    settings: BootstrapSettings, stack: service.Stack, deploy_role_arn: pulumi.Output[str]
) -> service.DeploymentSettings:
    return service.DeploymentSettings(
        f"deployments-{settings.stage}",
        organization=settings.pulumi_organization,
        project=PROJECT,
        stack=stack.stack_name,
        source_context=service.DeploymentSettingsSourceContextArgs(
            git=service.DeploymentSettingsGitSourceArgs(branch="refs/heads/main", repo_dir=".")
        ),
        vcs=service.DeploymentSettingsVcsArgs(
            provider="github",
            repository=settings.repository,
            # A deployment's credentials are the deploy role's: pull requests are previewed by
            # GitHub Actions with the view-only role instead.
            preview_pull_requests=False,
            # Only dev deploys by itself; preprod and prod deploy when someone starts them.
            deploy_commits=settings.stage == "dev",
        ),
        executor_context=service.DeploymentSettingsExecutorContextArgs(
            executor_image=f"{EXECUTOR_IMAGE}:{pulumi_cli_version()}"
        ),
        operation_context=service.DeploymentSettingsOperationContextArgs(
            pre_run_commands=[f"python -m pip install uv=={uv_version()}"],
            environment_variables={"UV_LOCKED": "1"},
            oidc=service.OperationContextOIDCArgs(
                aws=service.AWSOIDCConfigurationArgs(
                    role_arn=deploy_role_arn,
                    session_name=f"pulumi-deployments-{settings.stage}",
                )
            ),
        ),
        opts=pulumi.ResourceOptions(depends_on=[stack]),
    )


def drift_detection(
    settings: BootstrapSettings, stack: service.Stack, deployments: service.DeploymentSettings
) -> service.DriftSchedule:
    return service.DriftSchedule(
        f"drift-{settings.stage}",
        organization=settings.pulumi_organization,
        project=PROJECT,
        stack=stack.stack_name,
        schedule_cron=settings.drift_schedule,
        # Drift is reported, never silently reverted.
        auto_remediate=False,
        # The service runs drift detection through the stack's deployment settings.
        opts=pulumi.ResourceOptions(depends_on=[stack, deployments]),
    )


def pack_version(pack_dir: Path = PACK_DIR) -> str:
    document = yaml.safe_load((pack_dir / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    return str(document["version"])


def staged_pack(pack_dir: Path = PACK_DIR, staging: Path = PACK_STAGING) -> Path:
    """A copy of the pack's sources alone, for the service to tarball, in a folder named by
    their content: the same sources always give the same path, and a copy is never changed
    while another process reads it (it is written aside, then renamed into place)."""
    sources = sorted(p for pattern in PACK_SOURCES for p in pack_dir.glob(pattern))
    digest = hashlib.sha256()
    for source in sources:
        digest.update(str(source.relative_to(pack_dir)).encode() + b"\0" + source.read_bytes())
    target = staging / digest.hexdigest()[:16]
    if target.is_dir():
        return target
    staging.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=staging))
    for source in sources:
        copy = partial / source.relative_to(pack_dir)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, copy)
    with contextlib.suppress(OSError):  # another process put the same copy there first
        partial.replace(target)
    shutil.rmtree(partial, ignore_errors=True)
    return target


def policy_pack(settings: BootstrapSettings) -> service.PolicyPack:
    """Published once (shared stack); versions are immutable, so bump PulumiPolicy.yaml's."""
    return service.PolicyPack(
        "policy-pack",
        name=PACK_NAME,
        organization=settings.pulumi_organization,
        source_path=str(staged_pack()),
        version_tag=pack_version(),
        # Given here, the provider need not run the pack to learn its policies.
        policies=[
            service.PolicyPackPolicyInputArgs(
                name=policy.name,
                description=policy.description,
                enforcement_level=(policy.enforcement_level or EnforcementLevel.ADVISORY).value,
                severity=policy.severity.value if policy.severity else None,
                remediation_steps=policy.remediation_steps,
                tags=policy.tags,
            )
            for policy in POLICIES
        ],
    )


def policy_group(
    settings: BootstrapSettings, stack: service.Stack, pack: service.PolicyPack | None
) -> service.PolicyGroup:
    """Every preview and update of the stack runs the pack and stops on a mandatory violation."""
    return service.PolicyGroup(
        f"policy-group-{settings.stage}",
        name=f"{PROJECT}-{settings.stage}",
        organization_name=settings.pulumi_organization,
        entity_type="stacks",
        mode="preventative",
        stacks=[
            service.PolicyGroupStackReferenceArgs(name=stack.stack_name, routing_project=PROJECT)
        ],
        policy_packs=[
            service.PolicyGroupPolicyPackReferenceInputArgs(
                name=PACK_NAME, version_tag=pack_version()
            )
        ],
        opts=pulumi.ResourceOptions(depends_on=[stack] + ([pack] if pack else [])),
    )
