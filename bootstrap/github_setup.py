"""GitHub: the stage's environment (reviewers, no self-review, main only) and the variables the
workflows read."""

from __future__ import annotations

import pulumi
import pulumi_github as github

from bootstrap.settings import BootstrapSettings
from bootstrap.trust import GitHubRepository

DEPLOY_BRANCH = "main"
TOKEN_TYPE = "urn:pulumi:token-type:access_token:{}"  # noqa: S105 (a token type URN)
# Pulumi's stack names on a self-managed backend live under this fixed organization.
SELF_MANAGED_ORGANIZATION = "organization"


def create_provider(settings: BootstrapSettings) -> github.Provider:
    # The token comes from GITHUB_TOKEN in the environment of whoever runs the bootstrap.
    return github.Provider("github", owner=settings.owner)


def repository_identity(settings: BootstrapSettings, provider: github.Provider) -> GitHubRepository:
    """The repository's name and immutable ids, which GitHub's OIDC subjects may carry."""
    opts = pulumi.InvokeOptions(provider=provider)
    repository = github.get_repository(full_name=settings.repository, opts=opts)
    owner = github.get_user(username=settings.owner, opts=opts)
    return GitHubRepository(settings.repository, str(owner.id), str(repository.repo_id))


def reviewer_ids(
    settings: BootstrapSettings, provider: github.Provider
) -> tuple[list[int], list[int]]:
    """GitHub identifies reviewers by numeric id; settings name them by login and team slug."""
    opts = pulumi.InvokeOptions(provider=provider)
    users = [
        int(github.get_user(username=login, opts=opts).id) for login in settings.reviewers.users
    ]
    teams = [int(github.get_team(slug=slug, opts=opts).id) for slug in settings.reviewers.teams]
    return users, teams


def create_environment(
    settings: BootstrapSettings, provider: github.Provider
) -> github.RepositoryEnvironment:
    opts = pulumi.ResourceOptions(provider=provider)
    reviewers = []
    if settings.reviewed:
        users, teams = reviewer_ids(settings, provider)
        reviewers = [github.RepositoryEnvironmentReviewerArgs(users=users, teams=teams)]
    environment = github.RepositoryEnvironment(
        f"environment-{settings.stage}",
        repository=settings.repository_name,
        environment=settings.stage,
        reviewers=reviewers,
        prevent_self_review=settings.reviewed,
        can_admins_bypass=False,
        deployment_branch_policy=github.RepositoryEnvironmentDeploymentBranchPolicyArgs(
            protected_branches=False, custom_branch_policies=True
        ),
        opts=opts,
    )
    github.RepositoryEnvironmentDeploymentPolicy(
        f"environment-{settings.stage}-main-only",
        repository=settings.repository_name,
        environment=environment.environment,
        branch_pattern=DEPLOY_BRANCH,
        opts=opts,
    )
    return environment


def workflow_variables(settings: BootstrapSettings) -> dict[str, str]:
    """What the workflows read: this stage's account, and (once) the repository-wide values."""
    values = {f"{settings.stage.upper()}_ACCOUNT_ID": settings.account_id}
    if not settings.shared:
        return values
    values |= {
        "AWS_REGION": settings.region,
        # The promote workflow stands down when Pulumi Deployments deploys.
        "DELIVERY": settings.delivery,
    }
    if settings.pulumi_cloud:
        return values | {
            "PULUMI_ORG": settings.pulumi_organization,
            "PULUMI_PREVIEW_TOKEN_TYPE": TOKEN_TYPE.format(settings.preview_token),
            "PULUMI_PREVIEW_SCOPE": settings.preview_scope,
        }
    return values | {
        "PULUMI_ORG": SELF_MANAGED_ORGANIZATION,
        "PULUMI_BACKEND_URL": settings.backend_url,
    }


def create_variables(settings: BootstrapSettings, provider: github.Provider) -> None:
    values = workflow_variables(settings)
    for name, value in values.items():
        github.ActionsVariable(
            f"variable-{name.lower()}",
            repository=settings.repository_name,
            variable_name=name,
            value=value,
            opts=pulumi.ResourceOptions(provider=provider),
        )
