"""Raw configuration from a stack file, as the command-line tools read it.

The program gets the same values from the engine (components.engine_config); both go through
the one declaration, so a stack renders with the same values under `pulumi up`, under mocks and
in `python -m ml ... --stack`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class ConfigSourceError(ValueError):
    """A configuration file is missing or not in the shape Pulumi expects."""


def read_stack_file(project_dir: Path, stack: str) -> dict[str, Any]:
    """The `config:` map of Pulumi.<stack>.yaml, with full `namespace:key` names."""
    path = project_dir / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        stacks = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in _stack_files(project_dir))
        raise ConfigSourceError(f"no stack file {path.name}; stacks here: {', '.join(stacks)}")
    config = _read_yaml(path).get("config") or {}
    for key, value in config.items():
        if isinstance(value, dict) and "secure" in value:
            raise ConfigSourceError(
                f"{path.name}: {key} is encrypted; only `pulumi` can read it, so the settings "
                "loader accepts plain values only"
            )
    return dict(config)


def _stack_files(project_dir: Path) -> list[Path]:
    return [p for p in project_dir.glob("Pulumi.*.yaml") if p.name != "Pulumi.yaml"]


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigSourceError(f"{path.name} not found in {path.parent}")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise ConfigSourceError(f"{path.name}{where}: {problem}") from None
    if not isinstance(document, dict):
        raise ConfigSourceError(f"{path.name} must be a YAML mapping")
    return document
