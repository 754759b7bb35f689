"""What Pulumi's Python language host does before the program runs, reproduced.

Read from pulumi `sdk/python/cmd/pulumi-language-python/main.go` (Run: the typecheck block) and
`sdk/python/toolchain/uv.go`, `toolchain.go` (the uv toolchain), pulumi 3.272:
- with `typechecker: mypy` it runs `<venv>/bin/python -m mypy --exclude <venv relative to the
  program dir> <program dir>` in the program directory, before every preview and update, and
  stops with "mypy failed" on a non-zero exit. A path on the command line makes mypy ignore
  `[tool.mypy] files`: every `.py` under the directory is checked.
- with `toolchain: uv` it runs `uv sync --inexact` (no group flags, so uv's default groups; no
  `--locked`/`--frozen`, but the environment is inherited, so `UV_LOCKED` applies) before every
  Python process it starts, the typechecker included; `pulumi install` runs `uv sync`.
- a program or pack folder with no `toolchain` option picks uv when a `uv.lock` is in it or in
  any parent folder.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GITHUB = ROOT / ".github"
UV = ROOT / ".tools" / "bin" / "uv"


def runtime_options(project_file: Path) -> dict[str, Any]:
    document = yaml.safe_load(project_file.read_text(encoding="utf-8"))
    options: dict[str, Any] = document["runtime"].get("options", {})
    return options


def host_typecheck(program_dir: Path, venv: Path) -> subprocess.CompletedProcess[str]:
    """The language host's command, from its program directory, with its venv active."""
    python = venv / "bin" / "python"
    exclude = os.path.relpath(venv, program_dir)
    return subprocess.run(
        [str(python), "-m", "mypy", "--exclude", exclude, str(program_dir)],
        cwd=program_dir,
        env=os.environ | {"VIRTUAL_ENV": str(venv)},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
# One process at a time runs mypy over the project (it shares .mypy_cache).
@pytest.mark.xdist_group("project-mypy")
def test_the_program_declares_mypy_and_the_hosts_typecheck_passes() -> None:
    assert runtime_options(ROOT / "Pulumi.yaml")["typechecker"] == "mypy"
    result = host_typecheck(ROOT, Path(sys.prefix))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


@pytest.mark.slow
def test_the_typecheck_ignores_what_commands_write_in_the_program_folder(tmp_path: Path) -> None:
    """CI builds policies/venv before previews (the host's --exclude is a regex on paths); the
    bootstrap stages the pack under build/ (a second `__main__` module to mypy)."""
    program = tmp_path / "program"
    shutil.copytree(
        ROOT,
        program,
        ignore=shutil.ignore_patterns(".venv", ".tools", ".git", "*_cache", "build", "venv"),
    )
    (program / ".venv").symlink_to(sys.prefix)
    broken = program / "policies" / "venv" / "lib" / "broken.py"
    broken.parent.mkdir(parents=True)
    broken.write_text("x: int = 'not an int'\n", encoding="utf-8")
    staged = program / "build" / "policy-pack"
    staged.mkdir(parents=True)
    shutil.copy(ROOT / "policies" / "__main__.py", staged / "__main__.py")
    result = host_typecheck(program, program / ".venv")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_bootstrap_sets_no_typechecker_on_purpose() -> None:
    """Run from bootstrap/, mypy cannot see the project root the program imports from (it puts
    the root on sys.path at run time); `make typecheck` checks bootstrap/ from the root."""
    options = runtime_options(ROOT / "bootstrap" / "Pulumi.yaml")
    assert "typechecker" not in options
    files = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert "bootstrap" in files["files"]


def default_group_requirements() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    groups = project["dependency-groups"]

    def expand(name: str) -> list[str]:
        items: list[str] = []
        for item in groups[name]:
            items += expand(item["include-group"]) if isinstance(item, dict) else [item]
        return items

    requirements = list(project["project"]["dependencies"])
    for group in project["tool"]["uv"]["default-groups"]:
        requirements += expand(group)
    return {_distribution(r) for r in requirements}


def _distribution(requirement: str) -> str:
    name = re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def tools_the_delivery_calls() -> set[str]:
    """Every `.venv/bin/<tool>` and `python -m <module>` in the workflows, actions and Makefile."""
    texts = [p.read_text(encoding="utf-8") for p in GITHUB.rglob("*.yml")]
    texts.append((ROOT / "Makefile").read_text(encoding="utf-8"))
    tools: set[str] = set()
    for text in texts:
        tools |= set(re.findall(r"(?:\.venv|\$\(VENV\))/bin/([\w-]+)", text))
        tools |= set(re.findall(r"\$\(PY\) -m ([\w.]+)", text))
    return tools - {"python"}


def console_script_owners() -> dict[str, str]:
    owners: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        name = _distribution(dist.metadata["Name"])
        for entry in dist.entry_points.select(group="console_scripts"):
            owners[entry.name] = name
        for file in dist.files or []:
            if file.parent.name == "bin":
                owners.setdefault(file.name, name)
    return owners


def test_uvs_default_groups_hold_mypy_and_every_tool_the_delivery_calls() -> None:
    available = default_group_requirements()
    assert "mypy" in available
    owners = console_script_owners()
    project_modules = {p.name for p in ROOT.iterdir() if any(p.glob("__*__.py"))}
    called = tools_the_delivery_calls()
    assert {"ruff", "mypy", "pytest"} <= called
    for tool in sorted(called):
        module = tool.split(".")[0]
        if module in project_modules:
            continue
        assert owners.get(tool) in available, f"{tool} ({owners.get(tool)}) not in default groups"


def test_every_workflow_refuses_to_rewrite_the_lock() -> None:
    for path in sorted((GITHUB / "workflows").glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert document.get("env", {}).get("UV_LOCKED") == "1", path.name


@pytest.mark.skipif(not UV.exists(), reason="the pinned uv is installed by `make setup`")
@pytest.mark.slow
def test_uv_honours_uv_locked_in_the_hosts_sync(tmp_path: Path) -> None:
    """The host's exact `uv sync --inexact`, with UV_LOCKED=1, on a lock that no longer fits."""
    shutil.copy(ROOT / "uv.lock", tmp_path / "uv.lock")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(
        pyproject.replace('    "tzdata>=2025.2",\n', ""), encoding="utf-8"
    )
    result = subprocess.run(
        [str(UV), "sync", "--inexact", "--dry-run"],
        cwd=tmp_path,
        env=os.environ | {"UV_LOCKED": "1", "UV_PROJECT_ENVIRONMENT": str(tmp_path / "venv")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "needs to be updated" in result.stderr


def test_the_policy_pack_is_not_mistaken_for_a_uv_project() -> None:
    """Without `toolchain`, the uv.lock above policies/ would make the host sync the whole
    project into policies/venv and ignore the pack's pinned requirements.txt."""
    options = runtime_options(ROOT / "policies" / "PulumiPolicy.yaml")
    assert options["toolchain"] == "pip"
    assert options["virtualenv"] == "venv"
