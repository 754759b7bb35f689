"""The program reads the same settings from the engine's config as the CLI reads from files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pulumi.runtime import config as runtime_config

from components.engine_config import load_engine_settings
from ml.settings import SettingsError, load_stack_settings
from ml.settings.sources import read_stack_file


@pytest.fixture
def engine_config() -> Iterator[None]:
    saved = dict(runtime_config.CONFIG.get())
    yield
    runtime_config.set_all_config(saved)


def as_engine_strings(raw: dict[str, object]) -> dict[str, str]:
    """What the engine hands a program: every value a string, structured ones JSON-encoded."""
    return {
        key: value if isinstance(value, str) else json.dumps(value) for key, value in raw.items()
    }


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_engine_config_gives_the_same_settings_as_the_stack_file(
    project_dir: Path, stack: str, engine_config: None
) -> None:
    runtime_config.set_all_config(as_engine_strings(read_stack_file(project_dir, stack)))
    assert load_engine_settings(project_dir) == load_stack_settings(project_dir, stack)


def test_engine_config_errors_name_the_source(project_dir: Path, engine_config: None) -> None:
    raw = as_engine_strings(read_stack_file(project_dir, "dev"))
    raw["ml-batch-pipeline:transformInstanceCount"] = "0"
    runtime_config.set_all_config(raw)
    with pytest.raises(SettingsError, match="invalid configuration in the stack configuration"):
        load_engine_settings(project_dir)
