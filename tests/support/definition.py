"""Steps of a built definition, by name."""

from __future__ import annotations

from typing import Any

from ml.definition.reading import walk_steps


def all_steps(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every step by name, including those nested in the condition's branches."""
    return {step["Name"]: step for step in walk_steps(definition)}
