"""The repository's workflows and composite actions, parsed as GitHub reads them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

GITHUB = Path(__file__).resolve().parents[2] / ".github"
WORKFLOWS = sorted((GITHUB / "workflows").glob("*.yml"))
ACTIONS = sorted((GITHUB / "actions").glob("*/action.yml"))


def load(path: Path) -> dict[str, Any]:
    document: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    if True in document:
        document["on"] = document.pop(True)
    return document


def workflow(name: str) -> dict[str, Any]:
    return load(GITHUB / "workflows" / f"{name}.yml")


def steps_using(steps: list[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    return [s for s in steps if str(s.get("uses", "")).startswith(action)]


def all_jobs() -> list[tuple[str, str, dict[str, Any]]]:
    return [(p.stem, name, job) for p in WORKFLOWS for name, job in load(p)["jobs"].items()]


def all_steps() -> list[dict[str, Any]]:
    steps = [s for _, _, job in all_jobs() for s in job.get("steps", [])]
    return steps + [s for path in ACTIONS for s in load(path)["runs"]["steps"]]
