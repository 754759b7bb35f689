"""Pulumi Cloud: the GitHub token exchange (actions mode), or Deployments with an ESC
environment per stage, approvals on its changes and a drift schedule (deployments mode)."""

from __future__ import annotations

import re
from pathlib import Path

import pulumi
import pulumi_pulumiservice as service

from bootstrap import trust
from bootstrap.aws_access import GITHUB_ISSUER
from bootstrap.settings import BootstrapSettings
from ml.contract import PROJECT

MAKEFILE = Path(__file__).resolve().parent.parent / "Makefile"


def github_token_exchange(settings: BootstrapSettings) -> service.OidcIssuer:
    """Lets this repository's workflows trade their GitHub OIDC token for a Pulumi token."""
    return service.OidcIssuer(
        "github-actions",
        name=f"github-actions-{settings.repository_name}",
        organization=settings.pulumi_organization,
        url=GITHUB_ISSUER,
        policies=[
            service.AuthPolicyDefinitionArgs(
                decision=service.AuthPolicyDecision.ALLOW,
                token_type=service.AuthPolicyTokenType.ORGANIZATION,
                rules={"repository": settings.repository},
            )
        ],
    )


def esc_environment(
    settings: BootstrapSettings, role_arn: pulumi.Output[str]
) -> service.Environment:
    return service.Environment(
        f"esc-{settings.esc_environment}",
        organization=settings.pulumi_organization,
        project=PROJECT,
        name=settings.esc_environment,
        yaml=role_arn.apply(
            lambda arn: pulumi.StringAsset(trust.esc_environment_yaml(arn, settings.region))
        ),
    )


def approvals(
    settings: BootstrapSettings, environment: service.Environment
) -> service.ApprovalRule:
    """Changes to a reviewed stage's AWS-login environment wait for one other person.

    The pinned provider's ApprovalRule gates environment *updates* (its only target action);
    opening the environment, which every deployment does, is not gated by it.
    """
    approvers = [service.EligibleApproverArgs(user=login) for login in settings.reviewers.users]
    approvers += [service.EligibleApproverArgs(team_name=team) for team in settings.reviewers.teams]
    return service.ApprovalRule(
        f"esc-{settings.esc_environment}-approvals",
        name=f"{settings.esc_environment} changes need review",
        enabled=True,
        environment_identifier=service.EnvironmentIdentifierArgs(
            organization=settings.pulumi_organization, project=PROJECT, name=environment.name
        ),
        target_action_types=[service.TargetActionType.UPDATE],
        approval_rule_config=service.ApprovalRuleConfigArgs(
            allow_self_approval=False,
            eligible_approvers=approvers,
            num_approvals_required=1,
            require_reapproval_on_change=True,
        ),
    )


def uv_version(makefile: Path = MAKEFILE) -> str:
    """The Makefile pins uv; Deployments install the same one."""
    match = re.search(r"^UV_VERSION := (\S+)$", makefile.read_text(encoding="utf-8"), re.M)
    if not match:
        raise ValueError(f"{makefile.name} pins no UV_VERSION")
    return match[1]


def deployment_settings(settings: BootstrapSettings) -> service.DeploymentSettings:
    return service.DeploymentSettings(
        f"deployments-{settings.stage}",
        organization=settings.pulumi_organization,
        project=PROJECT,
        stack=settings.stage,
        source_context=service.DeploymentSettingsSourceContextArgs(
            git=service.DeploymentSettingsGitSourceArgs(branch="refs/heads/main", repo_dir=".")
        ),
        vcs=service.DeploymentSettingsVcsArgs(
            provider="github",
            repository=settings.repository,
            preview_pull_requests=True,
            # Only dev deploys by itself; preprod and prod deploy when someone starts them.
            deploy_commits=settings.stage == "dev",
        ),
        operation_context=service.DeploymentSettingsOperationContextArgs(
            pre_run_commands=[f"python -m pip install uv=={uv_version()}"],
        ),
    )


def drift_detection(settings: BootstrapSettings) -> service.DriftSchedule:
    return service.DriftSchedule(
        f"drift-{settings.stage}",
        organization=settings.pulumi_organization,
        project=PROJECT,
        stack=settings.stage,
        schedule_cron=settings.drift_schedule,
        # Drift is reported, never silently reverted.
        auto_remediate=False,
    )
