"""The build is offline, deterministic, pinned to a golden file and valid for the AWS APIs."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator

from ml.contract import Step
from ml.definition.builder import build_definition
from ml.definition.inputs import DefinitionInputs
from tests.support.definition import all_steps

GOLDEN = Path(__file__).with_name("golden_dev_definition.json")
API_FOR_STEP_TYPE = {
    "Processing": "CreateProcessingJob",
    "Training": "CreateTrainingJob",
    "Transform": "CreateTransformJob",
    "Model": "CreateModel",
    "RegisterModel": "CreateModelPackage",
}


def test_matches_the_golden_file(dev_definition_json: str, request: pytest.FixtureRequest) -> None:
    pretty = json.dumps(json.loads(dev_definition_json), indent=2, sort_keys=True) + "\n"
    if request.config.getoption("--update-golden"):
        GOLDEN.write_text(pretty)
    assert GOLDEN.is_file(), "no golden file: run `make golden` once and review it"
    assert pretty == GOLDEN.read_text(), "the definition changed; review, then `make golden`"


def test_builds_with_every_socket_and_aws_request_refused(
    dev_inputs: DefinitionInputs, dev_definition_json: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"network use while building: {args[:2]}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr("botocore.endpoint.Endpoint.make_request", refuse)
    assert build_definition(dev_inputs) == dev_definition_json


@pytest.mark.slow
def test_two_processes_build_byte_identical_json(project_dir: Path, tmp_path: Path) -> None:
    """Different hash seeds, clocks' time zones and working directories; stdout is only JSON."""
    outputs = []
    for seed, zone, cwd in (("0", "UTC", project_dir), ("12345", "Pacific/Auckland", tmp_path)):
        env = {
            "PYTHONHASHSEED": seed,
            "TZ": zone,
            "PYTHONPATH": str(project_dir),
            "PATH": "/usr/bin:/bin",
        }
        result = subprocess.run(
            [sys.executable, "-m", "ml", "definition", "--stack", "prod"],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        assert "stand-in KMS key" in result.stderr
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["Parameters"][0]["DefaultValue"] == "ml.m5.xlarge"


def _substitute(node: Any, params: dict[str, Any]) -> Any:
    """Stand in run-time values: parameter defaults, and plausible values for step properties."""
    if isinstance(node, dict):
        if set(node) == {"Get"}:
            ref = node["Get"]
            if ref.startswith("Parameters."):
                return params[ref.split(".", 1)[1]]
            return "s3://bucket/key" if "S3" in ref else "name-from-a-previous-step"
        if set(node) == {"Std:Join"}:
            values = [_substitute(v, params) for v in node["Std:Join"]["Values"]]
            return node["Std:Join"]["On"].join(str(v) for v in values)
        if set(node) == {"Std:JsonGet"}:
            return 1.0
        return {k: _substitute(v, params) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute(v, params) for v in node]
    return node


@pytest.mark.parametrize(
    "step_name", [s for s in Step if s not in (Step.QUALITY_GATE, Step.QUALITY_GATE_FAILED)]
)
def test_step_arguments_pass_botocore_validation(
    dev_definition: dict[str, Any], step_name: Step
) -> None:
    model = botocore.session.get_session().get_service_model("sagemaker")
    params = {p["Name"]: p["DefaultValue"] for p in dev_definition["Parameters"]}
    step = all_steps(dev_definition)[step_name]
    operation = model.operation_model(API_FOR_STEP_TYPE[step["Type"]])
    arguments = _substitute(step["Arguments"], params)
    report = ParamValidator().validate(arguments, operation.input_shape)
    assert not report.has_errors(), report.generate_report()


def test_the_only_config_whose_validation_is_skipped_is_valid() -> None:
    from sagemaker.config.config import validate_sagemaker_config

    from ml.definition import sdk

    validate_sagemaker_config(sdk.NO_SDK_DEFAULTS)
    # Any other config still goes through the SDK's validation.
    with pytest.raises(Exception, match="SchemaVersion"):
        sdk.validate_only_foreign_config({"SchemaVersion": "9.9"})


def test_the_sdk_default_session_is_restored_after_a_build(dev_inputs: DefinitionInputs) -> None:
    import boto3

    before = boto3.DEFAULT_SESSION
    build_definition(dev_inputs)
    assert boto3.DEFAULT_SESSION is before
