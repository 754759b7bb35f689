"""Where raw configuration comes from: Pulumi.yaml's schema, a stack file, or the engine.

The program and the command-line tools read the same declared schema, so a stack renders
with the same values under `pulumi up`, under mocks and in `python -m ml ... --stack`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_MISSING: Any = object()
DECLARED_TYPES = ("string", "integer", "boolean", "array")


@dataclass(frozen=True)
class ConfigKey:
    name: str
    type: str
    default: Any = _MISSING

    @property
    def required(self) -> bool:
        return self.default is _MISSING


@dataclass(frozen=True)
class ProjectSchema:
    project: str
    keys: Mapping[str, ConfigKey]


class ConfigSourceError(ValueError):
    """A configuration file is missing or not in the shape Pulumi expects."""


def read_project_schema(project_dir: Path) -> ProjectSchema:
    document = _read_yaml(project_dir / "Pulumi.yaml")
    keys: dict[str, ConfigKey] = {}
    for name, spec in (document.get("config") or {}).items():
        if not isinstance(spec, dict) or spec.get("type") not in DECLARED_TYPES:
            raise ConfigSourceError(
                f"Pulumi.yaml: config key {name!r} must declare a type, one of {DECLARED_TYPES}"
            )
        keys[name] = ConfigKey(name, spec["type"], spec.get("default", _MISSING))
    return ProjectSchema(str(document["name"]), keys)


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


def read_engine_config() -> dict[str, Any]:
    """Every config value the engine handed to this program run (values are strings)."""
    from pulumi.runtime import config as runtime_config

    merged = dict(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    return merged


def coerce(key: ConfigKey, value: Any) -> Any:
    """Bring a YAML value or an engine string to the declared type, or raise ValueError."""
    if key.type == "string":
        if isinstance(value, str):
            return value
        raise ValueError("must be a string")
    if key.type == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise ValueError("must be a whole number")
    if key.type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueError("must be true or false")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise ValueError("must be a list") from error
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    raise ValueError("must be a list of strings")


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
