"""Reading a built pipeline definition (a JSON string): its steps, parameters and images."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

# Keys under which a step names the container image it runs.
_IMAGE_KEYS = ("ImageUri", "TrainingImage", "Image")


def iter_steps(definition: str) -> Iterator[dict[str, Any]]:
    """Every step, including those nested in condition branches, in definition order."""
    return walk_steps(json.loads(definition))


def walk_steps(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The same over a parsed definition; the steps are its own dicts, so edits stick."""
    pending: list[dict[str, Any]] = list(definition["Steps"])
    while pending:
        step = pending.pop(0)
        yield step
        if step["Type"] == "Condition":
            arguments = step["Arguments"]
            pending[0:0] = [*arguments.get("IfSteps", []), *arguments.get("ElseSteps", [])]


def step_names(definition: str) -> list[str]:
    return [step["Name"] for step in iter_steps(definition)]


def parameter_names(definition: str) -> list[str]:
    return [parameter["Name"] for parameter in json.loads(definition)["Parameters"]]


def image_uris(definition: str) -> list[str]:
    """The container images the steps pull, sorted and without repeats."""
    found: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _IMAGE_KEYS and isinstance(value, str):
                    found.add(value)
                else:
                    visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    for step in iter_steps(definition):
        if step["Type"] != "Condition":
            visit(step.get("Arguments", {}))
    return sorted(found)
