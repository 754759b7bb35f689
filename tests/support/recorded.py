"""A resource as the recorder would have registered it, for checks of one resource alone."""

from __future__ import annotations

from typing import Any

from offline.recorder import RecordedResource


def recorded(token: str, name: str, inputs: dict[str, Any], stack: str = "dev") -> RecordedResource:
    return RecordedResource(
        type=token,
        name=name,
        urn=f"urn:pulumi:{stack}::ml-batch-pipeline::{token}::{name}",
        parent="",
        inputs=inputs,
        property_dependencies={},
        dependencies=[],
        protect=False,
        retain_on_delete=False,
        custom=True,
    )
