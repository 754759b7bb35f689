"""A stack's graph as a reviewable snapshot: type, name, parent, options and key inputs.

Large or volatile values are summarised so a diff shows what a reviewer cares about: the
definition as its steps and parameter defaults, policies as parsed documents, uploads without
their bytes, and code keys without their content hashes (a script edit is not a graph change).
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

from offline.recorder import StackGraph

_CODE_DIGEST = re.compile(r"code/[0-9a-f]{16}/")
_JSON_INPUTS = ("policy", "assumeRolePolicy", "eventPattern")
_DROPPED_INPUTS = ("content", "contentBase64", "source")


def snapshot(graph: StackGraph) -> list[dict[str, Any]]:
    return [
        {
            "type": resource.type,
            "name": resource.name,
            "parent": resource.parent_name,
            "protect": resource.protect,
            "retainOnDelete": resource.retain_on_delete,
            "inputs": _key_inputs(resource.inputs),
        }
        for resource in sorted(graph.resources, key=lambda r: (r.type, r.name))
    ]


def snapshot_json(graph: StackGraph) -> str:
    text = json.dumps(snapshot(graph), indent=2, sort_keys=True)
    return _CODE_DIGEST.sub("code/<digest>/", text) + "\n"


def readable_diff(expected: str, actual: str, label: str) -> str:
    return "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"{label} (recorded)",
            tofile=f"{label} (rendered now)",
        )
    )


def _key_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in inputs.items():
        if key in _DROPPED_INPUTS:
            kept[key] = "<bytes>"
        elif key in _JSON_INPUTS and isinstance(value, str):
            kept[key] = json.loads(value)
        elif key == "pipelineDefinition" and isinstance(value, str):
            kept[key] = _definition_summary(value)
        elif key == "dashboardBody" and isinstance(value, str):
            widgets = json.loads(value)["widgets"]
            kept[key] = [widget["properties"]["title"] for widget in widgets]
        else:
            kept[key] = value
    return kept


def _definition_summary(definition: str) -> dict[str, Any]:
    from ml.definition.reading import step_names

    parameters = json.loads(definition)["Parameters"]
    return {
        "steps": step_names(definition),
        "parameters": {p["Name"]: p.get("DefaultValue") for p in parameters},
    }
