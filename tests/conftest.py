"""Shared fixtures: the project root and sample data made on the fly (no downloads)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ml.contract import STAGES
from ml.definition.inputs import DefinitionInputs, offline_definition_inputs
from ml.sample_data import generate, write
from ml.settings import load_stack_settings
from offline.recorder import StackGraph, render_stack
from tests.support.promotion import REGISTRY_MODE

PROJECT_DIR = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite golden files from the current output instead of comparing against them",
    )
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="rewrite the stack graph snapshots from the current render",
    )


@pytest.fixture(scope="session")
def project_dir() -> Path:
    return PROJECT_DIR


@pytest.fixture(scope="session")
def abalone_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "abalone.csv"
    write(generate(600, seed=3), path)
    return path


@pytest.fixture(scope="session")
def dev_inputs(project_dir: Path) -> DefinitionInputs:
    return offline_definition_inputs(load_stack_settings(project_dir, "dev"))


@pytest.fixture(scope="session")
def dev_definition_json(dev_inputs: DefinitionInputs) -> str:
    from ml.definition.builder import build_definition

    return build_definition(dev_inputs)


@pytest.fixture(scope="session")
def dev_definition(dev_definition_json: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(dev_definition_json)
    return document


@pytest.fixture(scope="session")
def graphs() -> dict[str, StackGraph]:
    """Each stack rendered once under mocks from its real stack file; tests only read them."""
    return {stage: render_stack(stage) for stage in STAGES}


@pytest.fixture(scope="session")
def dev_with_log_groups() -> StackGraph:
    """dev with the opt-in account log groups: the only resources the stack files leave out."""
    return render_stack("dev", config_overrides={"ml-batch-pipeline:manageLogGroups": "true"})


@pytest.fixture(scope="session")
def prod_from_registry() -> StackGraph:
    """prod in registry mode, serving a package approved in the example dev account."""
    return render_stack("prod", config_overrides=REGISTRY_MODE)


@pytest.fixture(scope="session")
def every_rendering(
    graphs: dict[str, StackGraph], dev_with_log_groups: StackGraph, prod_from_registry: StackGraph
) -> list[StackGraph]:
    """Between them, every resource type and setting the program declares."""
    return [*graphs.values(), dev_with_log_groups, prod_from_registry]
