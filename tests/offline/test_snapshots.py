"""Each stack's graph against its recorded snapshot; `make snapshots` rewrites them on purpose."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ml.contract import STAGES
from offline.recorder import StackGraph
from offline.snapshot import readable_diff, snapshot_json

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


@pytest.mark.parametrize("stage", STAGES)
def test_graph_matches_its_snapshot(
    graphs: dict[str, StackGraph], stage: str, request: pytest.FixtureRequest
) -> None:
    path = SNAPSHOTS / f"{stage}.json"
    rendered = snapshot_json(graphs[stage])
    if request.config.getoption("--update-snapshots"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    recorded = path.read_text(encoding="utf-8")
    diff = readable_diff(recorded, rendered, path.name)
    assert not diff, f"the {stage} graph changed (review, then `make snapshots`):\n{diff}"


def test_snapshots_summarise_what_reviewers_read(graphs: dict[str, StackGraph]) -> None:
    entries = json.loads(snapshot_json(graphs["dev"]))
    pipeline = next(e for e in entries if e["type"] == "aws:sagemaker/pipeline:Pipeline")
    assert pipeline["inputs"]["pipelineDefinition"]["steps"][0] == "Preprocess"
    policy = next(e for e in entries if e["name"] == "batch-inference-execution-policy")
    assert policy["inputs"]["policy"]["Version"] == "2012-10-17"
    code = [e for e in entries if e["name"].startswith("batch-inference-code-")]
    assert all(e["inputs"]["key"].startswith("code/<digest>/") for e in code)
    assert all(e["inputs"]["contentBase64"] == "<bytes>" for e in code)


def test_the_diff_names_what_changed() -> None:
    diff = readable_diff('{\n  "a": 1\n}\n', '{\n  "a": 2\n}\n', "dev.json")
    assert '-  "a": 1' in diff
    assert '+  "a": 2' in diff
    assert readable_diff("same\n", "same\n", "dev.json") == ""


def render_in_fresh_process(project_dir: Path, stage: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "offline.plan", "--stack", stage, "--json"],
        cwd=project_dir,
        env={**os.environ, "PYTHONPATH": str(project_dir), "PYTHONHASHSEED": "random"},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.mark.slow
def test_rendering_twice_in_two_processes_gives_identical_inputs(project_dir: Path) -> None:
    first = render_in_fresh_process(project_dir, "prod")
    second = render_in_fresh_process(project_dir, "prod")
    assert len(json.loads(first)) > 30
    assert first == second
