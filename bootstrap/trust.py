"""Who may assume the delivery roles and get Pulumi tokens: OIDC subjects and trust policies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.documents.policy import document

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
PULUMI_OIDC_HOST = "api.pulumi.com/oidc"
STS_AUDIENCE = "sts.amazonaws.com"
# Deployments' own AWS login: the audience is the organization's name, the subject names the
# stack and the operation (Pulumi docs, "Configuring OpenID Connect for AWS" in Deployments).
DEPLOYMENT_OPERATIONS = ("update", "refresh", "destroy")
PULL_REQUEST = "pull_request"
# A job without `environment:` on a push to (or a dispatch on) main: the pre-approval previews.
MAIN_BRANCH = "ref:refs/heads/main"


@dataclass(frozen=True)
class GitHubRepository:
    """A repository by name and by its immutable ids.

    GitHub's OIDC `sub` starts `repo:OWNER/REPO:` for repositories created before 15 July 2026
    and `repo:OWNER@OWNER_ID/REPO@REPO_ID:` for later ones, renamed or transferred ones and those
    that opted in (GitHub docs, "OpenID Connect reference", immutable subject claims). A role
    trusts both: the id form cannot be presented by another repository that takes the name.
    """

    full_name: str
    owner_id: str
    repository_id: str

    def subjects(self, context: str) -> list[str]:
        owner, name = self.full_name.split("/")
        return [
            f"repo:{self.full_name}:{context}",
            f"repo:{owner}@{self.owner_id}/{name}@{self.repository_id}:{context}",
        ]


def deploy_context(stage: str) -> str:
    """A job that names the GitHub environment `stage` (its reviewers have approved it)."""
    return f"environment:{stage}"


def github_trust(provider_arn: str, subjects: list[str]) -> dict[str, Any]:
    """Only these exact GitHub OIDC subjects may assume the role."""
    return _web_identity(provider_arn, GITHUB_OIDC_HOST, STS_AUDIENCE, subjects)


def deployment_subjects(organization: str, project: str, stack: str) -> list[str]:
    return [
        f"pulumi:deploy:org:{organization}:project:{project}:stack:{stack}"
        f":operation:{operation}:scope:write"
        for operation in DEPLOYMENT_OPERATIONS
    ]


def deployments_trust(
    provider_arn: str, organization: str, project: str, stack: str
) -> dict[str, Any]:
    """Only this stack's Pulumi Deployments updates, refreshes and destroys; never a preview."""
    return _web_identity(
        provider_arn,
        PULUMI_OIDC_HOST,
        organization,
        deployment_subjects(organization, project, stack),
    )


def _web_identity(
    provider_arn: str, host: str, audience: str, subjects: list[str]
) -> dict[str, Any]:
    return document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {f"{host}:aud": audience, f"{host}:sub": sorted(subjects)}
                },
            }
        ]
    )
