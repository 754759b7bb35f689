"""Per account: the OIDC provider and the roles the delivery system assumes for one stage."""

from __future__ import annotations

import json
from typing import cast

import pulumi
from pulumi_aws import iam

from bootstrap import trust
from bootstrap.deploy_policy import DEPLOY_SESSION_SECONDS, deploy_policy
from bootstrap.settings import BootstrapSettings
from ml.contract import ResourceNames

GITHUB_ISSUER = f"https://{trust.GITHUB_OIDC_HOST}"
PULUMI_ISSUER = f"https://{trust.PULUMI_OIDC_HOST}"
# View-only: lists and describes, no data reads (ReadOnlyAccess includes s3:GetObject, and pull
# request code runs with this role).
VIEW_ONLY_POLICY = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"


class OidcProviderError(ValueError):
    pass


def oidc_provider_arn(
    settings: BootstrapSettings, issuer: str, audience: str, tags: dict[str, str]
) -> pulumi.Output[str]:
    """An account has one provider per issuer URL: create it, or use the one that exists.

    STS refuses a web identity token whose audience the provider does not list, so a reused
    provider must already carry the audience the roles trust.
    """
    if not settings.create_oidc_provider:
        try:
            existing = iam.get_open_id_connect_provider(url=issuer)
        except Exception as error:  # the invoke's error type is the engine's, not ours
            raise OidcProviderError(
                f"createOidcProvider is false, but the OIDC provider for {issuer} in account "
                f"{settings.account_id} could not be read ({error}); create it, or set "
                "createOidcProvider: true"
            ) from None
        check_audience(issuer, existing.client_id_lists or [], audience)
        return cast(pulumi.Output[str], pulumi.Output.from_input(existing.arn))
    host = issuer.removeprefix("https://").split("/")[0]
    provider = iam.OpenIdConnectProvider(
        f"oidc-{host}",
        url=issuer,
        client_id_lists=[audience],
        tags=tags,
        # Other stacks and teams may rely on it.
        opts=pulumi.ResourceOptions(protect=True, retain_on_delete=True),
    )
    return cast(pulumi.Output[str], provider.arn)


def check_audience(issuer: str, audiences: list[str], audience: str) -> None:
    if audience not in audiences:
        raise OidcProviderError(
            f"the existing OIDC provider for {issuer} lists the audiences {sorted(audiences)}, "
            f"not {audience!r}, which the roles trust; add it with `aws iam "
            f"add-client-id-to-open-id-connect-provider --client-id {audience} "
            "--open-id-connect-provider-arn <its ARN>`, or set createOidcProvider: true"
        )


def deploy_role(
    settings: BootstrapSettings,
    trust_policy: pulumi.Output[str],
    tags: dict[str, str],
    model_source: ResourceNames | None,
) -> iam.Role:
    """`model_source`: the dev stack whose approved models this stage copies (None on dev)."""
    role = iam.Role(
        f"deploy-{settings.stage}",
        name=settings.deploy_role,
        description=f"Deploys and runs the {settings.stage} stack of the ML batch pipeline",
        assume_role_policy=trust_policy,
        max_session_duration=DEPLOY_SESSION_SECONDS,
        tags=tags,
    )
    iam.RolePolicy(
        f"deploy-{settings.stage}-policy",
        name="stack",
        role=role.id,
        policy=json.dumps(deploy_policy(settings.names, model_source)),
    )
    return role


def preview_role(
    settings: BootstrapSettings,
    provider_arn: pulumi.Output[str],
    subjects: pulumi.Output[list[str]],
    tags: dict[str, str],
) -> iam.Role:
    trust_policy = pulumi.Output.all(provider_arn, subjects).apply(
        lambda values: json.dumps(trust.github_trust(values[0], values[1]))
    )
    role = iam.Role(
        f"preview-{settings.stage}",
        name=settings.preview_role,
        description=f"Previews the {settings.stage} stack (view-only, no data reads)",
        assume_role_policy=trust_policy,
        tags=tags,
    )
    iam.RolePolicyAttachment(
        f"preview-{settings.stage}-view-only", role=role.name, policy_arn=VIEW_ONLY_POLICY
    )
    return role
