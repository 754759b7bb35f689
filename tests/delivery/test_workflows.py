"""The workflows as parsed YAML, plus GitHub's schema, zizmor and actionlint, all offline."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bootstrap.deploy_policy import DEPLOY_SESSION_SECONDS
from bootstrap.pulumi_cloud import pulumi_cli_version
from ml.contract import STAGES
from tests.support.workflows import (
    ACTIONS,
    GITHUB,
    WORKFLOWS,
    all_jobs,
    all_steps,
    load,
    steps_using,
    workflow,
)

PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
BIN = Path(sys.executable).parent


def test_every_action_is_pinned_to_a_commit_with_its_release_beside_it() -> None:
    for path in [*WORKFLOWS, *ACTIONS]:
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"^\s*-?\s*uses:\s*(.+)$", line)
            if match and not match[1].startswith("./"):
                assert PINNED.match(match[1]), f"{path.name}: {match[1]}"


def test_every_checkout_drops_its_credentials() -> None:
    checkouts = steps_using(all_steps(), "actions/checkout@")
    assert len(checkouts) >= 6
    assert all(step["with"]["persist-credentials"] is False for step in checkouts)


def test_no_expression_is_expanded_inside_a_shell_script() -> None:
    for step in all_steps():
        assert "${{" not in step.get("run", ""), step.get("name", step.get("run"))


def test_every_job_has_a_timeout_and_least_privilege() -> None:
    for file, name, job in all_jobs():
        assert 0 < job["timeout-minutes"] <= 180, f"{file}/{name}"
        permissions = dict(job["permissions"])
        assert set(permissions.values()) <= {"read", "write"}
        writes = {k for k, v in permissions.items() if v == "write"}
        assert writes <= {"id-token", "pull-requests"}, f"{file}/{name}: {writes}"
    for path in WORKFLOWS:
        assert load(path)["permissions"] == {"contents": "read"}, path.name


def test_oidc_only_where_a_cloud_role_or_pulumi_token_is_used() -> None:
    for file, name, job in all_jobs():
        uses_cloud = any(
            str(s.get("uses", "")).startswith(
                ("./.github/actions/deploy", "./.github/actions/preview", "pulumi/actions@")
            )
            for s in job.get("steps", [])
        )
        assert (job["permissions"].get("id-token") == "write") == uses_cloud, f"{file}/{name}"


def test_a_preview_per_stack_with_the_policy_pack_and_a_comment_each() -> None:
    preview = workflow("preview")
    assert preview["on"] == {"pull_request": {"branches": ["main"]}}
    job = preview["jobs"]["preview"]
    assert [row["stack"] for row in job["strategy"]["matrix"]["include"]] == list(STAGES)
    assert job["permissions"]["pull-requests"] == "write"
    (setup,) = steps_using(job["steps"], "./.github/actions/setup")
    assert setup["with"]["policy-pack"] == "true"
    (step,) = steps_using(job["steps"], "./.github/actions/preview")
    assert step["with"]["stack"] == "${{ matrix.stack }}"
    assert step["with"]["comment-on-pr"] == "true"
    assert step["with"]["token-type"] == "${{ vars.PULUMI_PREVIEW_TOKEN_TYPE }}"
    assert step["with"]["token-scope"] == "${{ vars.PULUMI_PREVIEW_SCOPE }}"


def test_the_preview_action_is_view_only_with_the_pack() -> None:
    steps = load(GITHUB / "actions" / "preview" / "action.yml")["runs"]["steps"]
    (role,) = steps_using(steps, "aws-actions/configure-aws-credentials@")
    assert role["with"]["role-to-assume"].endswith(
        ":role/ml-batch-pipeline-github-preview-${{ inputs.stack }}"
    )
    (token,) = steps_using(steps, "pulumi/auth-actions@")
    assert token["with"]["requested-token-type"] == "${{ inputs.token-type }}"
    assert token["with"]["scope"] == "${{ inputs.token-scope }}"
    (pulumi,) = steps_using(steps, "pulumi/actions@")
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["policyPacks"] == "policies"
    assert pulumi["with"]["comment-on-pr"] == "${{ inputs.comment-on-pr }}"
    assert pulumi["with"]["comment-on-summary"] is True
    assert pulumi["with"]["stack-name"].endswith("/ml-batch-pipeline/${{ inputs.stack }}")


def test_forks_skip_the_preview_with_a_message() -> None:
    jobs = workflow("preview")["jobs"]
    same_repo = "github.event.pull_request.head.repo.full_name == github.repository"
    assert jobs["preview"]["if"] == same_repo
    assert jobs["fork"]["if"] == same_repo.replace("==", "!=")
    assert jobs["fork"]["permissions"] == {}
    assert "::notice title=Previews skipped::" in jobs["fork"]["steps"][0]["run"]


def test_promotion_chain_environments_and_one_deployment_at_a_time() -> None:
    promote = workflow("promote")
    assert promote["on"] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    jobs = promote["jobs"]
    assert jobs["test"]["if"] == "vars.DELIVERY != 'deployments'"
    assert [jobs[stage]["needs"] for stage in STAGES] == [
        "test",
        "preview-preprod",
        "preview-prod",
    ]
    assert (jobs["preview-preprod"]["needs"], jobs["preview-prod"]["needs"]) == ("dev", "preprod")
    for stage in STAGES:
        job = jobs[stage]
        assert job["environment"] == stage
        assert job["concurrency"] == {"group": f"deploy-{stage}", "cancel-in-progress": False}
        (deploy,) = steps_using(job["steps"], "./.github/actions/deploy")
        assert deploy["with"]["stack"] == stage
        assert deploy["with"]["account"] == f"${{{{ vars.{stage.upper()}_ACCOUNT_ID }}}}"
        (setup,) = steps_using(job["steps"], "./.github/actions/setup")
        assert setup["with"]["policy-pack"] == "true"
    # dev runs the whole pipeline, preprod a smoke run; prod only updates.
    assert [jobs[s]["steps"][-1]["with"].get("run-pipeline") for s in STAGES] == [
        "true",
        "true",
        None,
    ]
    assert "environment" not in jobs["test"]
    assert jobs["test"]["steps"][-1]["run"] == "bash .ci/run"


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["preprod", "prod"])
def test_approvers_see_the_preview_of_the_commit_they_approve(stage: str) -> None:
    """Same run, same commit; no environment, so GitHub's subject is the main branch's, which
    the bootstrap's preview role and preview token policy trust (and nothing else on push)."""
    job = workflow("promote")["jobs"][f"preview-{stage}"]
    assert "environment" not in job
    (step,) = steps_using(job["steps"], "./.github/actions/preview")
    assert step["with"]["stack"] == stage
    assert step["with"]["account"] == f"${{{{ vars.{stage.upper()}_ACCOUNT_ID }}}}"
    lineage = job["steps"][-1]
    assert lineage["run"] == '.venv/bin/python -m ml lineage --stack-name "$STACK_NAME"'
    assert lineage["env"]["STACK_NAME"].endswith(f"/ml-batch-pipeline/{stage}")


def test_every_job_that_checks_lineage_has_the_whole_history() -> None:
    checked = 0
    for file, name, job in all_jobs():
        steps = job.get("steps", [])
        deploys = [s for s in steps if s.get("uses") == "./.github/actions/deploy"]
        runs_lineage = any("ml lineage" in s.get("run", "") for s in steps) or any(
            d["with"].get("command", "up") == "up" for d in deploys
        )
        if runs_lineage:
            checked += 1
            (checkout,) = steps_using(steps, "actions/checkout@")
            assert checkout["with"]["fetch-depth"] == 0, f"{file}/{name}"
    assert checked == 5


def test_every_up_and_destroy_uses_the_policy_pack_and_destroy_cleans_up_first() -> None:
    deploy = load(GITHUB / "actions" / "deploy" / "action.yml")
    steps = deploy["runs"]["steps"]
    (pulumi,) = steps_using(steps, "pulumi/actions@")
    assert pulumi["with"]["command"] == "${{ inputs.command }}"
    assert pulumi["with"]["policyPacks"] == "policies"
    cleanup = next(s for s in steps if "ml cleanup" in s.get("run", ""))
    assert cleanup["if"] == "inputs.command == 'destroy'"
    assert steps.index(cleanup) < steps.index(pulumi)
    lineage = next(s for s in steps if "ml lineage" in s.get("run", ""))
    assert lineage["if"] == "inputs.command == 'up'"
    assert steps.index(lineage) < steps.index(pulumi)


def test_the_pipeline_wait_runs_on_credentials_that_outlast_it() -> None:
    """configure-aws-credentials defaults to one hour (v6.2.3 `role-duration-seconds`): the wait
    gets a fresh session right before it, as long as the longest job may still run."""
    steps = load(GITHUB / "actions" / "deploy" / "action.yml")["runs"]["steps"]
    execute = next(s for s in steps if "ml execute" in s.get("run", ""))
    assert execute["run"].endswith('--stack "$STACK" --wait')
    refresh = steps[steps.index(execute) - 1]
    assert refresh["uses"].startswith("aws-actions/configure-aws-credentials@")
    assert refresh["if"] == execute["if"] == "inputs.run-pipeline == 'true'"
    seconds = refresh["with"]["role-duration-seconds"]
    assert seconds == DEPLOY_SESSION_SECONDS
    longest = max(
        job["timeout-minutes"]
        for _, _, job in all_jobs()
        if steps_using(job.get("steps", []), "./.github/actions/deploy")
    )
    assert seconds >= longest * 60


def test_every_pulumi_run_uses_the_cli_release_of_the_locked_sdk() -> None:
    """pulumi/actions v7 reuses any CLI on the runner unless `pulumi-version` is exact."""
    runs = [s for s in all_steps() if str(s.get("uses", "")).startswith("pulumi/actions@")]
    assert len(runs) == 2
    for step in runs:
        assert step["with"]["pulumi-version"] == pulumi_cli_version()
        # Pulumi Cloud stacks come from the bootstrap; only a self-managed backend upserts.
        assert step["with"]["upsert"] == "${{ inputs.backend-url != '' }}"
        assert step["with"]["cloud-url"] == "${{ inputs.backend-url }}"
    for step in all_steps():
        if str(step.get("uses", "")).startswith("pulumi/auth-actions@"):
            assert step["if"] == "inputs.backend-url == ''"


def test_destroying_dev_is_by_hand_and_confirmed() -> None:
    destroy = workflow("destroy-dev")
    assert list(destroy["on"]) == ["workflow_dispatch"]
    job = destroy["jobs"]["destroy"]
    assert job["if"] == "inputs.confirm == 'destroy dev'"
    assert job["environment"] == "dev"
    (deploy,) = steps_using(job["steps"], "./.github/actions/deploy")
    assert deploy["with"] == {**deploy["with"], "stack": "dev", "command": "destroy"}


def test_no_deploy_runs_on_untrusted_triggers() -> None:
    for path in WORKFLOWS:
        assert not {"pull_request_target", "workflow_run"} & set(load(path)["on"]), path.name


def test_dependabot_keeps_actions_and_the_lock_current() -> None:
    config = load(GITHUB / "dependabot.yml")
    ecosystems = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(ecosystems) == {"github-actions", "uv"}
    assert all(u["cooldown"]["default-days"] >= 7 for u in ecosystems.values())


def run_tool(*command: str) -> subprocess.CompletedProcess[str]:
    # zizmor goes online when it sees a GitHub token; these checks must stay offline.
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}
    return subprocess.run(
        command, cwd=GITHUB.parent, env=env, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("schema", "files"),
    [
        ("vendor.github-workflows", WORKFLOWS),
        ("vendor.github-actions", ACTIONS),
        ("vendor.dependabot", [GITHUB / "dependabot.yml"]),
    ],
)
def test_github_schemas(schema: str, files: list[Path]) -> None:
    result = run_tool(str(BIN / "check-jsonschema"), "--builtin-schema", schema, *map(str, files))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_zizmor_finds_nothing_offline() -> None:
    result = run_tool(str(BIN / "zizmor"), "--offline", "--no-progress", ".github")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


@pytest.mark.slow
def test_actionlint_finds_nothing() -> None:
    result = run_tool(str(BIN / "actionlint"), "-no-color")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
