"""GitHub: the stage's environment (reviewers, no self-review, main only) and the variables the
workflows read."""

from __future__ import annotations

import pulumi
import pulumi_github as github

from bootstrap.settings import BootstrapSettings

DEPLOY_BRANCH = "main"


def create_provider(settings: BootstrapSettings) -> github.Provider:
    # The token comes from GITHUB_TOKEN in the environment of whoever runs the bootstrap.
    return github.Provider("github", owner=settings.owner)


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


def create_variables(settings: BootstrapSettings, provider: github.Provider) -> None:
    """What the workflows read: this stage's account, and (once) the organization and region."""
    values = {f"{settings.stage.upper()}_ACCOUNT_ID": settings.account_id}
    if settings.shared:
        values |= {"PULUMI_ORG": settings.pulumi_organization, "AWS_REGION": settings.region}
    for name, value in values.items():
        github.ActionsVariable(
            f"variable-{name.lower()}",
            repository=settings.repository_name,
            variable_name=name,
            value=value,
            opts=pulumi.ResourceOptions(provider=provider),
        )
