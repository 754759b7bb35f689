"""Trust policies of the delivery roles and the ESC environment that logs Deployments into AWS."""

from __future__ import annotations

from typing import Any

import yaml

from components.documents.iam import VERSION

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
PULUMI_OIDC_HOST = "api.pulumi.com/oidc"
STS_AUDIENCE = "sts.amazonaws.com"
ESC_SESSION = "2h"


def github_trust(provider_arn: str, repository: str, subject: str) -> dict[str, Any]:
    """Only this repository's jobs with exactly this subject may assume the role."""
    return _web_identity(
        provider_arn,
        GITHUB_OIDC_HOST,
        audience=STS_AUDIENCE,
        subject=f"repo:{repository}:{subject}",
    )


def deploy_subject(stage: str) -> str:
    """A job that names the GitHub environment `stage` (its reviewers have approved it)."""
    return f"environment:{stage}"


PULL_REQUEST_SUBJECT = "pull_request"


def esc_trust(
    provider_arn: str, organization: str, project: str, environment: str
) -> dict[str, Any]:
    """Only the named Pulumi ESC environment of this organization may assume the role."""
    return _web_identity(
        provider_arn,
        PULUMI_OIDC_HOST,
        audience=f"aws:{organization}",
        subject=f"pulumi:environments:org:{organization}:env:{project}/{environment}",
    )


def _web_identity(provider_arn: str, host: str, audience: str, subject: str) -> dict[str, Any]:
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {f"{host}:aud": audience, f"{host}:sub": subject}},
            }
        ],
    }


def esc_environment_yaml(role_arn: str, region: str) -> str:
    """An environment that logs into AWS by OIDC; stacks import it under `environment:`."""
    document = {
        "values": {
            "aws": {
                "login": {
                    "fn::open::aws-login": {
                        "oidc": {
                            "roleArn": role_arn,
                            "sessionName": "pulumi-deployments",
                            "duration": ESC_SESSION,
                        }
                    }
                }
            },
            "environmentVariables": {
                "AWS_ACCESS_KEY_ID": "${aws.login.accessKeyId}",
                "AWS_SECRET_ACCESS_KEY": "${aws.login.secretAccessKey}",
                "AWS_SESSION_TOKEN": "${aws.login.sessionToken}",
                "AWS_REGION": region,
            },
        }
    }
    return yaml.safe_dump(document, sort_keys=False)
