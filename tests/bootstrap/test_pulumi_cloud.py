"""The bootstrap's Pulumi Cloud side, checked against what the service accepts and needs.

Sources: pulumi-pulumiservice 1.5 (the Python SDK's argument docs); Pulumi docs "OIDC issuers"
(an organization token policy needs `authorizedPermissions`, admin only, or a role; team and
personal policies name the team or user), "Configuring OpenID Connect for AWS" in Deployments
(audience: the organization; subject `pulumi:deploy:org:…:operation:…:scope:write`),
"Drift detection" (runs through the stack's deployment settings), "Policy groups"
(`preventative` blocks previews and updates); pulumi/actions v7 (selects, never creates, a
stack unless `upsert`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bootstrap.pulumi_cloud import PACK_SOURCES, pulumi_cli_version, staged_pack
from offline.recorder import RecordedResource, RenderError, StackGraph
from policies.guardrails import PACK_NAME, POLICIES
from tests.bootstrap.rendering import ACCOUNTS, condition, render, role, subjects

ROOT = Path(__file__).resolve().parents[2]
SERVICE = "pulumiservice:index:"
AUDIENCE = "urn:pulumi:org:example-org"
MODES = ("actions", "deployments")


def one(graph: StackGraph, kind: str) -> RecordedResource:
    (resource,) = graph.of_type(SERVICE + kind)
    return resource


def policies(graph: StackGraph) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = one(graph, "OidcIssuer").inputs["policies"]
    return found


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stage", list(ACCOUNTS))
def test_each_bootstrap_creates_its_stack_kept_and_protected(mode: str, stage: str) -> None:
    graph = render(stage, delivery=mode)
    stack = one(graph, "Stack")
    assert stack.inputs == {
        "organizationName": "example-org",
        "projectName": "ml-batch-pipeline",
        "stackName": stage,
        "forceDestroy": False,
    }
    assert (stack.protect, stack.retain_on_delete) == (True, True)
    assert graph.outputs["stack"] == f"example-org/ml-batch-pipeline/{stage}"
    # Whatever names the stack waits for it: the service refuses settings for a missing stack.
    for resource in graph.resources:
        if resource.type.startswith(SERVICE) and resource.inputs.get("stack") == stage:
            assert stack.urn in resource.dependencies, resource.type
    for group in graph.of_type(SERVICE + "PolicyGroup"):
        assert stack.urn in group.dependencies


def test_drift_detection_waits_for_the_deployment_settings() -> None:
    graph = render("prod", delivery="deployments")
    settings = one(graph, "DeploymentSettings")
    assert settings.urn in one(graph, "DriftSchedule").dependencies


def test_deploy_jobs_get_an_admin_token_and_previews_a_read_only_team_token() -> None:
    found = policies(render("dev"))
    deploys = [p for p in found if p["tokenType"] == "organization"]
    assert sorted(p["rules"]["sub"] for p in deploys) == sorted(
        s for stage in ACCOUNTS for s in subjects(f"environment:{stage}")
    )
    assert all(p["authorizedPermissions"] == ["admin"] for p in deploys)
    previews = [p for p in found if p["tokenType"] == "team"]
    assert sorted(p["rules"]["sub"] for p in previews) == sorted(
        subjects("pull_request") + subjects("ref:refs/heads/main")
    )
    assert all(p["teamName"] == "ml-batch-pipeline-previewers" for p in previews)
    assert len(found) == len(deploys) + len(previews)
    for policy in found:
        assert policy["decision"] == "allow"
        assert policy["rules"]["aud"] == AUDIENCE
        # No policy grants by repository alone: every one names one exact subject.
        assert set(policy["rules"]) == {"aud", "sub"}
        assert "*" not in policy["rules"]["sub"]


def test_an_organization_token_policy_always_says_what_it_grants() -> None:
    for mode in MODES:
        for policy in policies(render("dev", delivery=mode)):
            if policy["tokenType"] == "organization":
                assert policy.get("authorizedPermissions") or policy.get("roleId")


@pytest.mark.parametrize("stage", list(ACCOUNTS))
def test_the_preview_team_reads_every_stack_and_nothing_else(stage: str) -> None:
    graph = render(stage)
    permission = one(graph, "TeamStackPermission")
    assert permission.inputs == {
        "organization": "example-org",
        "project": "ml-batch-pipeline",
        "stack": stage,
        "team": "ml-batch-pipeline-previewers",
        "permission": 101,
    }
    teams = graph.of_type(SERVICE + "Team")
    assert len(teams) == (1 if stage == "dev" else 0)
    if teams:
        assert teams[0].urn in permission.dependencies
        assert one(graph, "OidcIssuer").dependencies == [teams[0].urn]


def test_on_editions_without_team_tokens_previews_use_a_members_personal_token() -> None:
    graph = render("dev", previewToken="personal", previewUser="ml-preview-bot")
    previews = [p for p in policies(graph) if p["tokenType"] != "organization"]
    assert {p["tokenType"] for p in previews} == {"personal"}
    assert {p["userLogin"] for p in previews} == {"ml-preview-bot"}
    assert graph.of_type(SERVICE + "Team") == []
    assert graph.of_type(SERVICE + "TeamStackPermission") == []
    variables = {
        v.inputs["variableName"]: v.inputs["value"]
        for v in graph.of_type("github:index/actionsVariable:ActionsVariable")
    }
    assert variables["PULUMI_PREVIEW_SCOPE"] == "user:ml-preview-bot"
    assert variables["PULUMI_PREVIEW_TOKEN_TYPE"].endswith(":personal")


def test_a_personal_preview_token_needs_the_members_login() -> None:
    with pytest.raises(RenderError, match="previewUser: not set; allowed: the Pulumi login"):
        render("dev", previewToken="personal")


def credential_paths(graph: StackGraph, stage: str) -> list[str]:
    """Every way the stage's stack could get AWS credentials when it deploys."""
    paths = []
    stack_file = yaml.safe_load((ROOT / f"Pulumi.{stage}.yaml").read_text(encoding="utf-8"))
    if stack_file.get("environment"):
        paths.append("esc-import")
    for settings in graph.of_type(SERVICE + "DeploymentSettings"):
        if settings.inputs.get("operationContext", {}).get("oidc"):
            paths.append("deployments-oidc")
    if graph.of_type("github:index/repositoryEnvironment:RepositoryEnvironment"):
        paths.append("github-environment")
    return paths


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("stage", list(ACCOUNTS))
def test_each_stack_has_exactly_one_working_credential_path(mode: str, stage: str) -> None:
    graph = render(stage, delivery=mode)
    expected = "github-environment" if mode == "actions" else "deployments-oidc"
    assert credential_paths(graph, stage) == [expected]
    deploy = role(graph, f"ml-batch-pipeline-github-deploy-{stage}")
    conditions = condition(deploy["assumeRolePolicy"])
    if mode == "actions":
        assert conditions["token.actions.githubusercontent.com:sub"] == subjects(
            f"environment:{stage}"
        )
        return
    settings = one(graph, "DeploymentSettings").inputs["operationContext"]
    assert settings["oidc"]["aws"]["roleARN"] == (
        f"arn:aws:iam::{ACCOUNTS[stage]}:role/ml-batch-pipeline-github-deploy-{stage}"
    )
    prefix = f"pulumi:deploy:org:example-org:project:ml-batch-pipeline:stack:{stage}:operation"
    assert conditions == {
        "api.pulumi.com/oidc:aud": "example-org",
        "api.pulumi.com/oidc:sub": [
            f"{prefix}:{operation}:scope:write" for operation in ("destroy", "refresh", "update")
        ],
    }
    providers = {
        p.inputs["url"]: p.inputs["clientIdLists"]
        for p in graph.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    }
    assert providers["https://api.pulumi.com/oidc"] == ["example-org"]


def test_deployments_run_the_locked_environment_on_the_pinned_cli() -> None:
    settings = one(render("preprod", delivery="deployments"), "DeploymentSettings").inputs
    assert settings["executorContext"] == {"executorImage": f"pulumi/pulumi:{pulumi_cli_version()}"}
    assert settings["operationContext"]["environmentVariables"] == {"UV_LOCKED": "1"}
    # Pull requests are previewed by GitHub Actions with the view-only role.
    assert settings["vcs"]["previewPullRequests"] is False
    assert settings["vcs"]["deployCommits"] is False


def test_the_pulumi_cli_version_is_the_locked_sdk() -> None:
    lock = (ROOT / "uv.lock").read_text(encoding="utf-8")
    block = lock[lock.index('\nname = "pulumi"\n') :].split("\n[[package]]")[0]
    assert f'version = "{pulumi_cli_version()}"' in block


def test_deployments_mode_publishes_the_pack_and_enforces_it_on_every_stack() -> None:
    graph = render("dev", delivery="deployments")
    pack = one(graph, "PolicyPack")
    version = yaml.safe_load((ROOT / "policies" / "PulumiPolicy.yaml").read_text())["version"]
    assert (pack.inputs["name"], pack.inputs["versionTag"]) == (PACK_NAME, version)
    assert [p["name"] for p in pack.inputs["policies"]] == [p.name for p in POLICIES]
    group = one(graph, "PolicyGroup")
    assert group.inputs["mode"] == "preventative"
    assert group.inputs["stacks"] == [{"name": "dev", "routingProject": "ml-batch-pipeline"}]
    assert group.inputs["policyPacks"] == [{"name": PACK_NAME, "versionTag": version}]
    assert pack.urn in group.dependencies
    for stage in ("preprod", "prod"):
        later = render(stage, delivery="deployments")
        assert later.of_type(SERVICE + "PolicyPack") == []
        assert one(later, "PolicyGroup").inputs["stacks"][0]["name"] == stage


def test_the_published_pack_holds_its_sources_and_never_its_environment(tmp_path: Path) -> None:
    pack = tmp_path / "policies"
    (pack / "guardrails").mkdir(parents=True)
    for name in ("PulumiPolicy.yaml", "__main__.py", "requirements.txt", "guardrails/s3.py"):
        (pack / name).write_text(name, encoding="utf-8")
    (pack / "venv" / "bin").mkdir(parents=True)
    (pack / "venv" / "bin" / "python").write_text("", encoding="utf-8")
    (pack / "guardrails" / "__pycache__").mkdir()
    (pack / "guardrails" / "__pycache__" / "s3.pyc").write_bytes(b"")
    staged = staged_pack(pack, tmp_path / "staged")
    files = sorted(str(p.relative_to(staged)) for p in staged.rglob("*") if p.is_file())
    assert files == ["PulumiPolicy.yaml", "__main__.py", "guardrails/s3.py", "requirements.txt"]
    assert PACK_SOURCES
    # Named by content: the same sources, the same folder; a changed source, another one.
    assert staged_pack(pack, tmp_path / "staged") == staged
    (pack / "guardrails" / "s3.py").write_text("changed", encoding="utf-8")
    assert staged_pack(pack, tmp_path / "staged") != staged
    assert [p.name for p in (tmp_path / "staged").iterdir() if p.name.startswith(".")] == []


def test_actions_mode_publishes_no_pack_and_has_no_deployments() -> None:
    graph = render("dev")
    for kind in ("PolicyPack", "PolicyGroup", "DeploymentSettings", "DriftSchedule"):
        assert graph.of_type(SERVICE + kind) == [], kind


def test_a_self_managed_backend_creates_nothing_in_pulumi_cloud() -> None:
    graph = render("dev", pulumiBackendUrl="s3://state-bucket/ml")
    assert [r.type for r in graph.resources if r.type.startswith(SERVICE)] == []
    variables = {
        v.inputs["variableName"]: v.inputs["value"]
        for v in graph.of_type("github:index/actionsVariable:ActionsVariable")
    }
    assert variables["PULUMI_BACKEND_URL"] == "s3://state-bucket/ml"
    assert variables["PULUMI_ORG"] == "organization"
    with pytest.raises(RenderError, match="Pulumi Deployments needs the Pulumi Cloud backend"):
        render("dev", pulumiBackendUrl="s3://state-bucket/ml", delivery="deployments")
