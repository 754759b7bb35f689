"""The account bootstrap: run once per account (stack = stage) by an administrator.

It shares the project's code and lock file, so the project root goes on the import path.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pulumi

from bootstrap import aws_access, github_setup, pulumi_cloud, trust
from bootstrap.settings import NAMESPACE, BootstrapSettingsError, build_settings
from components.guard import ensure_account_id
from ml.contract import PROJECT

config = pulumi.Config(NAMESPACE)
raw: dict[str, object] = {
    key: config.get(key)
    for key in (
        "stage",
        "accountId",
        "githubRepository",
        "pulumiOrganization",
        "delivery",
        "driftSchedule",
    )
}
raw |= {
    "region": pulumi.Config("aws").get("region"),
    "reviewerUsers": config.get_object("reviewerUsers") or [],
    "reviewerTeams": config.get_object("reviewerTeams") or [],
    "createOidcProvider": config.get_bool("createOidcProvider"),
    "shared": config.get_bool("shared"),
}
try:
    settings = build_settings({k: v for k, v in raw.items() if v is not None})
except BootstrapSettingsError as error:
    raise pulumi.RunError(str(error)) from None
ensure_account_id(settings.account_id, settings.stage, f"{NAMESPACE}:accountId")

tags = {"project": PROJECT, "stage": settings.stage, "managed-by": "pulumi-bootstrap"}
if settings.delivery == "actions":
    github_oidc = aws_access.oidc_provider_arn(
        settings, aws_access.GITHUB_ISSUER, trust.STS_AUDIENCE, tags
    )
    trust_policy = github_oidc.apply(
        lambda arn: json.dumps(
            trust.github_trust(arn, settings.repository, trust.deploy_subject(settings.stage))
        )
    )
    deploy = aws_access.deploy_role(settings, trust_policy, tags)
    preview = aws_access.preview_role(settings, github_oidc, tags)
    github = github_setup.create_provider(settings)
    github_setup.create_environment(settings, github)
    github_setup.create_variables(settings, github)
    if settings.shared:
        pulumi_cloud.github_token_exchange(settings)
    pulumi.export("previewRoleArn", preview.arn)
else:
    pulumi_oidc = aws_access.oidc_provider_arn(
        settings, aws_access.PULUMI_ISSUER, f"aws:{settings.pulumi_organization}", tags
    )
    trust_policy = pulumi_oidc.apply(
        lambda arn: json.dumps(
            trust.esc_trust(arn, settings.pulumi_organization, PROJECT, settings.esc_environment)
        )
    )
    deploy = aws_access.deploy_role(settings, trust_policy, tags)
    environment = pulumi_cloud.esc_environment(settings, deploy.arn)
    if settings.reviewed:
        pulumi_cloud.approvals(settings, environment)
    pulumi_cloud.deployment_settings(settings)
    pulumi_cloud.drift_detection(settings)
    pulumi.export("escEnvironment", f"{PROJECT}/{settings.esc_environment}")

pulumi.export("deployRoleArn", deploy.arn)
pulumi.export("delivery", settings.delivery)
