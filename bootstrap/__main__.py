"""The account bootstrap: run once per account (stack = stage) by an administrator.

It shares the project's code and lock file, so the project root goes on the import path.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pulumi

from bootstrap import aws_access, github_setup, promotion, pulumi_cloud, trust
from bootstrap.settings import NAMESPACE, BootstrapSettingsError, build_settings
from components.engine_config import read_engine_config
from components.guard import ensure_account_id
from ml.contract import PROJECT

try:
    settings = build_settings(read_engine_config())
    model_source = promotion.model_source(settings.stage)
except (BootstrapSettingsError, promotion.ModelSourceError) as error:
    raise pulumi.RunError(str(error)) from None
ensure_account_id(settings.account_id, settings.stage, f"{NAMESPACE}:accountId")

tags = {"project": PROJECT, "stage": settings.stage, "managed-by": "pulumi-bootstrap"}
try:
    # Previews run in GitHub Actions in both modes; deploys there only in actions mode.
    github = github_setup.create_provider(settings)
    repository = github_setup.repository_identity(settings, github)
    github_oidc = aws_access.oidc_provider_arn(
        settings, aws_access.GITHUB_ISSUER, trust.STS_AUDIENCE, tags
    )
    preview = aws_access.preview_role(
        settings,
        github_oidc,
        pulumi.Output.from_input(pulumi_cloud.preview_subjects(settings, repository)),
        tags,
    )
    if settings.delivery == "actions":
        deploy_trust = github_oidc.apply(
            lambda arn: trust.github_trust(
                arn, repository.subjects(trust.deploy_context(settings.stage))
            )
        )
    else:
        pulumi_oidc = aws_access.oidc_provider_arn(
            settings, aws_access.PULUMI_ISSUER, settings.pulumi_organization, tags
        )
        deploy_trust = pulumi_oidc.apply(
            lambda arn: trust.deployments_trust(
                arn, settings.pulumi_organization, PROJECT, settings.stage
            )
        )
except aws_access.OidcProviderError as error:
    raise pulumi.RunError(str(error)) from None
deploy = aws_access.deploy_role(settings, deploy_trust.apply(json.dumps), tags, model_source)
if settings.delivery == "actions":
    github_setup.create_environment(settings, github)
github_setup.create_variables(settings, github)

if settings.pulumi_cloud:
    stack = pulumi_cloud.program_stack(settings)
    team = None
    pack = None
    if settings.shared:
        use_team = settings.preview_token == "team"  # noqa: S105 (a kind of token, not a secret)
        team = pulumi_cloud.preview_team(settings) if use_team else None
        pulumi_cloud.github_token_exchange(settings, repository, [r for r in [team] if r])
        if settings.delivery == "deployments":
            pack = pulumi_cloud.policy_pack(settings)
    if settings.preview_token == "team":  # noqa: S105 (a kind of token, not a secret)
        pulumi_cloud.preview_permission(settings, stack, team)
    if settings.delivery == "deployments":
        deployments = pulumi_cloud.deployment_settings(settings, stack, deploy.arn)
        pulumi_cloud.drift_detection(settings, stack, deployments)
        pulumi_cloud.policy_group(settings, stack, pack)
    pulumi.export(
        "stack",
        pulumi.Output.concat(settings.pulumi_organization, "/", PROJECT, "/", stack.stack_name),
    )

pulumi.export("previewRoleArn", preview.arn)
pulumi.export("deployRoleArn", deploy.arn)
pulumi.export("delivery", settings.delivery)
