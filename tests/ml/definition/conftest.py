from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ml.definition.builder import build_definition
from ml.definition.inputs import DefinitionInputs, offline_definition_inputs
from ml.settings import load_stack_settings


@pytest.fixture(scope="session")
def dev_inputs(project_dir: Path) -> DefinitionInputs:
    return offline_definition_inputs(load_stack_settings(project_dir, "dev"))


@pytest.fixture(scope="session")
def dev_definition_json(dev_inputs: DefinitionInputs) -> str:
    return build_definition(dev_inputs)


@pytest.fixture(scope="session")
def dev_definition(dev_definition_json: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(dev_definition_json)
    return document


def all_steps(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every step by name, including those nested in the condition's branches."""
    found: dict[str, dict[str, Any]] = {}
    pending = list(definition["Steps"])
    while pending:
        step = pending.pop()
        found[step["Name"]] = step
        if step["Type"] == "Condition":
            pending += step["Arguments"]["IfSteps"] + step["Arguments"]["ElseSteps"]
    return found
