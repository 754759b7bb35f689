"""The bootstrap program under mocks, from its real stack files, in both delivery modes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from bootstrap.deploy_policy import deploy_policy
from bootstrap.pulumi_cloud import uv_version
from ml.settings import load_stack_settings
from offline.mocks import AwsMocks, github_id
from offline.recorder import RenderError, StackGraph, engine_config, render_program
from tests.components.iam_reference import policy_problems

BOOTSTRAP = Path(__file__).resolve().parents[2] / "bootstrap"
PROJECT = "ml-batch-pipeline-bootstrap"
ACCOUNTS = {"dev": "111111111111", "preprod": "222222222222", "prod": "333333333333"}
REPOSITORY = "example-org/ml-batch-pipeline"
ROLE = "aws:iam/role:Role"


def render(stage: str, caller: str | None = None, **overrides: str) -> StackGraph:
    config = engine_config(BOOTSTRAP, stage)
    config |= {f"{PROJECT}:{key}": value for key, value in overrides.items()}
    mocks = AwsMocks(ACCOUNTS[stage], "eu-west-1", caller_account=caller)
    return render_program(BOOTSTRAP, PROJECT, stage, config, mocks)


def role(graph: StackGraph, name: str) -> dict[str, Any]:
    inputs = next(r.inputs for r in graph.of_type(ROLE) if r.inputs["name"] == name)
    return {**inputs, "assumeRolePolicy": json.loads(inputs["assumeRolePolicy"])}


def condition(trust: dict[str, Any]) -> dict[str, str]:
    (statement,) = trust["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    conditions: dict[str, str] = statement["Condition"]["StringEquals"]
    return conditions


def test_deploy_roles_trust_only_their_github_environment() -> None:
    graph = render("prod")
    deploy = role(graph, "ml-batch-pipeline-github-deploy-prod")
    assert deploy["assumeRolePolicy"]["Statement"][0]["Principal"] == {
        "Federated": "arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com"
    }
    assert condition(deploy["assumeRolePolicy"]) == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": f"repo:{REPOSITORY}:environment:prod",
    }
    assert deploy["maxSessionDuration"] == 7200
    preview = role(graph, "ml-batch-pipeline-github-preview-prod")
    assert condition(preview["assumeRolePolicy"])["token.actions.githubusercontent.com:sub"] == (
        f"repo:{REPOSITORY}:pull_request"
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
    assert document == deploy_policy(load_stack_settings(project_dir, stage).names)
    assert policy_problems(document) == []
    # Listing model versions is authorised on the account's model packages as a whole.
    scoped = [s for s in document["Statement"] if s["Sid"] != "ListModelVersions"]
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
    }
    (issuer,) = graph.of_type("pulumiservice:index:OidcIssuer")
    assert issuer.inputs["url"] == "https://token.actions.githubusercontent.com"
    assert issuer.inputs["policies"] == [
        {"decision": "allow", "tokenType": "organization", "rules": {"repository": REPOSITORY}}
    ]


def test_an_existing_oidc_provider_is_used_instead_of_created() -> None:
    graph = render("preprod", createOidcProvider="false")
    assert graph.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider") == []
    deploy = role(graph, "ml-batch-pipeline-github-deploy-preprod")
    principal = deploy["assumeRolePolicy"]["Statement"][0]["Principal"]
    assert principal == {
        "Federated": "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"
    }


def test_deployments_mode_logs_in_through_esc_with_approvals_on_its_changes() -> None:
    graph = render("prod", delivery="deployments")
    assert not [r for r in graph.resources if r.type.startswith("github:")]
    (provider,) = graph.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider.inputs["url"] == "https://api.pulumi.com/oidc"
    assert provider.inputs["clientIdLists"] == ["aws:example-org"]
    deploy = role(graph, "ml-batch-pipeline-github-deploy-prod")
    assert condition(deploy["assumeRolePolicy"]) == {
        "api.pulumi.com/oidc:aud": "aws:example-org",
        "api.pulumi.com/oidc:sub": (
            "pulumi:environments:org:example-org:env:ml-batch-pipeline/prod-aws"
        ),
    }
    (environment,) = graph.of_type("pulumiservice:index:Environment")
    assert (environment.inputs["project"], environment.inputs["name"]) == (
        "ml-batch-pipeline",
        "prod-aws",
    )
    (rule,) = graph.of_type("pulumiservice:index:ApprovalRule")
    assert rule.inputs["targetActionTypes"] == ["update"]
    assert rule.inputs["approvalRuleConfig"] == {
        "allowSelfApproval": False,
        "eligibleApprovers": [{"user": "alice-reviewer"}, {"teamName": "ml-platform"}],
        "numApprovalsRequired": 1,
        "requireReapprovalOnChange": True,
    }
    (settings,) = graph.of_type("pulumiservice:index:DeploymentSettings")
    assert settings.inputs["vcs"] == {
        "provider": "github",
        "repository": REPOSITORY,
        "previewPullRequests": True,
        "deployCommits": False,
        "pullRequestTemplate": False,
    }
    assert settings.inputs["operationContext"]["preRunCommands"] == [
        f"python -m pip install uv=={uv_version()}"
    ]
    (drift,) = graph.of_type("pulumiservice:index:DriftSchedule")
    assert (drift.inputs["scheduleCron"], drift.inputs["autoRemediate"]) == ("0 6 * * *", False)


def test_the_esc_environment_logs_in_as_the_deploy_role() -> None:
    graph = render("dev", delivery="deployments")
    (environment,) = graph.of_type("pulumiservice:index:Environment")
    document = yaml.safe_load(environment.inputs["yaml"])
    login = document["values"]["aws"]["login"]["fn::open::aws-login"]["oidc"]
    assert login["roleArn"] == "arn:aws:iam::111111111111:role/ml-batch-pipeline-github-deploy-dev"
    assert graph.of_type("pulumiservice:index:ApprovalRule") == []
    (settings,) = graph.of_type("pulumiservice:index:DeploymentSettings")
    assert settings.inputs["vcs"]["deployCommits"] is True


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
