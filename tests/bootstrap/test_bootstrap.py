"""The bootstrap program under mocks, from its real stack files, in both delivery modes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bootstrap.deploy_policy import deploy_policy
from bootstrap.promotion import model_source
from ml.settings import load_stack_settings
from offline.mocks import github_id
from offline.recorder import RenderError
from tests.bootstrap.rendering import (
    ACCOUNTS,
    condition,
    render,
    role,
    subjects,
)
from tests.support.iam_reference import policy_problems

DEV_READS = ("PromotionReadsDevModels", "PromotionDecryptsDevModelsThroughS3")


def test_deploy_roles_trust_only_their_github_environment() -> None:
    graph = render("prod")
    deploy = role(graph, "ml-batch-pipeline-github-deploy-prod")
    assert deploy["assumeRolePolicy"]["Statement"][0]["Principal"] == {
        "Federated": "arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com"
    }
    assert condition(deploy["assumeRolePolicy"]) == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": subjects("environment:prod"),
    }
    assert deploy["maxSessionDuration"] == 10800
    preview = role(graph, "ml-batch-pipeline-github-preview-prod")
    assert condition(preview["assumeRolePolicy"])["token.actions.githubusercontent.com:sub"] == (
        sorted(subjects("pull_request") + subjects("ref:refs/heads/main"))
    )
    (attachment,) = graph.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment.inputs["policyArn"] == ("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")


@pytest.mark.parametrize("stage", list(ACCOUNTS))
def test_deploy_policy_is_the_stages_own_and_backed_by_the_iam_reference(
    project_dir: Path, stage: str
) -> None:
    graph = render(stage)
    (policy,) = graph.of_type("aws:iam/rolePolicy:RolePolicy")
    document = json.loads(policy.inputs["policy"])
    names = load_stack_settings(project_dir, stage).names
    assert document == deploy_policy(names, model_source(stage))
    assert policy_problems(document) == []
    # Listing model versions is authorised on the account's model packages as a whole; preprod
    # and prod read dev's models to copy them (tests/bootstrap/test_promotion.py).
    elsewhere = {"ListModelVersions", *DEV_READS}
    scoped = [s for s in document["Statement"] if s["Sid"] not in elsewhere]
    resources = [r for s in scoped for r in s["Resource"] if r != "*"]
    assert all(ACCOUNTS[stage] in r or r.startswith("arn:aws:s3:::") for r in resources)
    assert all(f"-{stage}" in r for r in resources if ":sagemaker:" in r or ":s3:::" in r)


def test_reviewed_environments_block_self_review_and_deploy_from_main_only() -> None:
    graph = render("prod")
    (environment,) = graph.of_type("github:index/repositoryEnvironment:RepositoryEnvironment")
    inputs = environment.inputs
    assert inputs["environment"] == "prod"
    assert inputs["repository"] == "ml-batch-pipeline"
    assert inputs["reviewers"] == [
        {"users": [github_id("alice-reviewer")], "teams": [github_id("ml-platform")]}
    ]
    assert inputs["preventSelfReview"] is True
    assert inputs["canAdminsBypass"] is False
    assert inputs["deploymentBranchPolicy"] == {
        "protectedBranches": False,
        "customBranchPolicies": True,
    }
    (branch,) = graph.of_type(
        "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy"
    )
    assert (branch.inputs["environment"], branch.inputs["branchPattern"]) == ("prod", "main")
    variables = {
        v.inputs["variableName"]: v.inputs["value"]
        for v in graph.of_type("github:index/actionsVariable:ActionsVariable")
    }
    assert variables == {"PROD_ACCOUNT_ID": "333333333333"}
    (provider,) = graph.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    assert (provider.protect, provider.retain_on_delete) == (True, True)


def test_dev_has_no_reviewers_and_holds_the_repository_wide_settings() -> None:
    graph = render("dev")
    (environment,) = graph.of_type("github:index/repositoryEnvironment:RepositoryEnvironment")
    assert environment.inputs.get("reviewers", []) == []
    assert environment.inputs["preventSelfReview"] is False
    variables = {
        v.inputs["variableName"]: v.inputs["value"]
        for v in graph.of_type("github:index/actionsVariable:ActionsVariable")
    }
    assert variables == {
        "DEV_ACCOUNT_ID": "111111111111",
        "PULUMI_ORG": "example-org",
        "AWS_REGION": "eu-west-1",
        "DELIVERY": "actions",
        "PULUMI_PREVIEW_TOKEN_TYPE": "urn:pulumi:token-type:access_token:team",
        "PULUMI_PREVIEW_SCOPE": "team:ml-batch-pipeline-previewers",
    }


def test_an_existing_oidc_provider_is_used_when_it_carries_the_audience() -> None:
    graph = render(
        "preprod",
        audiences={"token.actions.githubusercontent.com": ["sts.amazonaws.com"]},
        createOidcProvider="false",
    )
    assert graph.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider") == []
    deploy = role(graph, "ml-batch-pipeline-github-deploy-preprod")
    principal = deploy["assumeRolePolicy"]["Statement"][0]["Principal"]
    assert principal == {
        "Federated": "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"
    }


@pytest.mark.parametrize(
    ("delivery", "audiences", "missing"),
    [
        ("actions", {"token.actions.githubusercontent.com": ["sigstore"]}, "'sts.amazonaws.com'"),
        (
            "deployments",
            {"token.actions.githubusercontent.com": ["sts.amazonaws.com"]},
            "'example-org'",
        ),
    ],
)
def test_a_reused_oidc_provider_without_the_roles_audience_is_refused(
    delivery: str, audiences: dict[str, list[str]], missing: str
) -> None:
    with pytest.raises(RenderError, match=f"not {missing}, which the roles trust") as raised:
        render("preprod", audiences=audiences, createOidcProvider="false", delivery=delivery)
    assert "add-client-id-to-open-id-connect-provider" in str(raised.value)


def test_bad_settings_are_all_named_before_anything_is_created() -> None:
    with pytest.raises(RenderError) as raised:
        render("prod", reviewerUsers="[]", reviewerTeams="[]", delivery="jenkins")
    message = str(raised.value)
    assert "ml-batch-pipeline-bootstrap:delivery: 'jenkins' is not allowed" in message
    assert "a prod stack needs reviewers" in message
    assert raised.value.graph.resources == []


def test_credentials_of_another_account_change_nothing() -> None:
    with pytest.raises(RenderError, match="belong to account 999999999999"):
        render("dev", caller="999999999999")
