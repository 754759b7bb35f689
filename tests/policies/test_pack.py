"""The pack as a whole: metadata, its own environment, self-containment, the three stacks."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from pulumi_policy import EnforcementLevel

from ml.contract import STAGES
from offline.policies import README_BEGIN, README_END, markdown_table
from offline.policy_harness import CANNOT_CHECK, PACK_DIR, enforcement_of, load_config, run_pack
from offline.recorder import StackGraph, render_stack
from policies.guardrails import POLICIES

KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)+$")
PROGRAM_PACKAGES = {"ml", "components", "offline", "bench", "tests"}


def test_the_pack_has_at_least_25_well_described_policies() -> None:
    names = [p.name for p in POLICIES]
    assert len(names) >= 25
    assert len(set(names)) == len(names)
    for policy in POLICIES:
        assert KEBAB.match(policy.name), policy.name
        assert policy.description.endswith("."), policy.name
        assert policy.severity is not None, policy.name
        assert policy.remediation_steps, policy.name
        assert policy.framework is not None and policy.framework.reference, policy.name
        priority = (policy.tags or [""])[0]
        expected = EnforcementLevel.MANDATORY if priority == "P0" else EnforcementLevel.ADVISORY
        assert priority in ("P0", "P1"), policy.name
        assert policy.enforcement_level == expected, policy.name


def test_the_pack_imports_nothing_from_the_program() -> None:
    for path in PACK_DIR.rglob("*.py"):
        if "venv" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert not roots & PROGRAM_PACKAGES, f"{path.name} imports {roots}"


def test_the_pack_runs_in_its_own_pinned_environment(project_dir: Path) -> None:
    manifest = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert manifest["runtime"] == {
        "name": "python",
        "options": {"toolchain": "pip", "virtualenv": "venv"},
    }
    locked = {
        package["name"]: package["version"]
        for package in tomllib.loads((project_dir / "uv.lock").read_text())["package"]
    }
    pins = [
        line.split("==")
        for line in (PACK_DIR / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert {"pulumi", "pulumi-policy"} <= {name for name, _ in pins}
    for name, version in pins:
        assert locked.get(name) == version, f"{name}=={version} but uv.lock has {locked.get(name)}"


def test_the_entry_point_only_builds_the_pack() -> None:
    tree = ast.parse((PACK_DIR / "__main__.py").read_text(encoding="utf-8"))
    calls = [n for n in tree.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
    assert len(calls) == 1
    call = calls[0].value
    assert isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
    assert call.func.id == "PolicyPack"
    assert not [n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]


@pytest.mark.parametrize("stage", STAGES)
def test_no_stack_violates_a_policy(graphs: dict[str, StackGraph], stage: str) -> None:
    report = run_pack(graphs[stage])
    assert report.mandatory == []
    assert report.advisory == []
    assert report.of(CANNOT_CHECK) == []
    assert len(report.passed) == len(POLICIES)


# What a first preview cannot know: the definition names the stack key's ARN, which KMS assigns
# at creation, and training and processing volumes accept only a key id or key ARN (botocore's
# ResourceConfig and ProcessingClusterConfig VolumeKmsKeyId documentation).
READS_THE_DEFINITION = {
    "sagemaker-pipeline-network-isolation",
    "sagemaker-pipeline-kms",
    "sagemaker-pipeline-max-runtime",
    "sagemaker-pipeline-job-retries",
    "sagemaker-pipeline-manual-approval",
    "sagemaker-pipeline-no-secrets",
    "sagemaker-pipeline-traffic-encryption",
}


@pytest.mark.parametrize("stage", STAGES)
def test_a_first_preview_decides_every_policy_that_does_not_read_the_definition(
    stage: str,
) -> None:
    report = run_pack(render_stack(stage, preview=True))
    assert report.mandatory == []
    assert report.advisory == []
    unknown = report.of(CANNOT_CHECK)
    assert {f.policy for f in unknown} == READS_THE_DEFINITION
    assert all(".pipelineDefinition can't be known during preview" in f.message for f in unknown)
    assert all(f.enforcement == "advisory" for f in unknown)
    assert len(report.passed) == len(POLICIES) - len(READS_THE_DEFINITION)


def test_the_dev_config_relaxes_its_policies_to_advisory() -> None:
    config = load_config(PACK_DIR / "config" / "dev-advisory.json")
    by_name = {p.name: p for p in POLICIES}
    assert set(config) <= set(by_name)
    for name in config:
        assert by_name[name].enforcement_level == EnforcementLevel.MANDATORY
        assert enforcement_of(by_name[name], config) == EnforcementLevel.ADVISORY
    nested = {"s3-tls-only": {"enforcementLevel": "disabled"}}
    assert enforcement_of(by_name["s3-tls-only"], nested) == EnforcementLevel.DISABLED


def test_a_relaxed_policy_reports_advisory_instead_of_mandatory(
    graphs: dict[str, StackGraph],
) -> None:
    from dataclasses import replace

    graph = graphs["dev"]
    resources = [
        replace(r, inputs={**r.inputs, "alarmActions": []})
        if r.type == "aws:cloudwatch/metricAlarm:MetricAlarm"
        else r
        for r in graph.resources
    ]
    broken = StackGraph("dev", resources)
    assert run_pack(broken, only=["cloudwatch-alarm-actions"]).mandatory
    config = load_config(PACK_DIR / "config" / "dev-advisory.json")
    relaxed = run_pack(broken, config, only=["cloudwatch-alarm-actions"])
    assert relaxed.mandatory == []
    assert len(relaxed.advisory) == len(graph.of_type("aws:cloudwatch/metricAlarm:MetricAlarm"))


def test_the_docs_list_every_policy(project_dir: Path) -> None:
    readme = (project_dir / "docs" / "policies.md").read_text(encoding="utf-8")
    start, end = readme.index(README_BEGIN), readme.index(README_END) + len(README_END)
    assert readme[start:end] == markdown_table(), (
        "the policy table in docs/policies.md is out of date: paste "
        "`python -m offline.policies --markdown`"
    )
    assert markdown_table().count("\n| `") == len(POLICIES)
