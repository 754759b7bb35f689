"""Steps of a built definition, by name; its arguments as a run would send them; its golden
file; and a build with the network refused."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator

from ml.definition.reading import walk_steps

API_FOR_STEP_TYPE = {
    "Processing": "CreateProcessingJob",
    "Training": "CreateTrainingJob",
    "Transform": "CreateTransformJob",
    "Model": "CreateModel",
    "RegisterModel": "CreateModelPackage",
}


def all_steps(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every step by name, including those nested in the condition's branches."""
    return {step["Name"]: step for step in walk_steps(definition)}


def with_run_time_values(node: Any, params: dict[str, Any]) -> Any:
    """Stand in run-time values: parameter defaults, and plausible values for step properties."""
    if isinstance(node, dict):
        if set(node) == {"Get"}:
            ref = node["Get"]
            if ref.startswith("Parameters."):
                return params[ref.split(".", 1)[1]]
            return "s3://bucket/key" if "S3" in ref else "name-from-a-previous-step"
        if set(node) == {"Std:Join"}:
            values = [with_run_time_values(v, params) for v in node["Std:Join"]["Values"]]
            return node["Std:Join"]["On"].join(str(v) for v in values)
        if set(node) == {"Std:JsonGet"}:
            return 1.0
        return {k: with_run_time_values(v, params) for k, v in node.items()}
    if isinstance(node, list):
        return [with_run_time_values(v, params) for v in node]
    return node


def api_validation_report(definition: dict[str, Any], step_name: str) -> Any:
    """botocore's validation of the step's request, with parameter defaults substituted."""
    model = botocore.session.get_session().get_service_model("sagemaker")
    params = {p["Name"]: p["DefaultValue"] for p in definition["Parameters"]}
    step = all_steps(definition)[step_name]
    operation = model.operation_model(API_FOR_STEP_TYPE[step["Type"]])
    arguments = with_run_time_values(step["Arguments"], params)
    return ParamValidator().validate(arguments, operation.input_shape)


def refuse_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any socket connection or AWS request fails the test that makes it."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"network use while building: {args[:2]}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr("botocore.endpoint.Endpoint.make_request", refuse)


def assert_matches_golden(
    golden: Path, definition_json: str, request: pytest.FixtureRequest
) -> None:
    """The definition, pretty-printed, equals the reviewed file; `make golden` rewrites it."""
    pretty = json.dumps(json.loads(definition_json), indent=2, sort_keys=True) + "\n"
    if request.config.getoption("--update-golden"):
        golden.write_text(pretty)
    assert golden.is_file(), f"no golden file {golden.name}: run `make golden` once and review it"
    assert pretty == golden.read_text(), "the definition changed; review, then `make golden`"
