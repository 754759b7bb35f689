"""The build is offline, deterministic, pinned to a golden file and valid for the AWS APIs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ml.contract import Step
from ml.definition.builder import build_definition
from ml.definition.inputs import DefinitionInputs
from tests.support.definition import (
    api_validation_report,
    assert_matches_golden,
    refuse_network,
)

GOLDEN = Path(__file__).with_name("golden_dev_definition.json")


def test_matches_the_golden_file(dev_definition_json: str, request: pytest.FixtureRequest) -> None:
    assert_matches_golden(GOLDEN, dev_definition_json, request)


def test_builds_with_every_socket_and_aws_request_refused(
    dev_inputs: DefinitionInputs, dev_definition_json: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse_network(monkeypatch)
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


@pytest.mark.parametrize(
    "step_name", [s for s in Step if s not in (Step.QUALITY_GATE, Step.QUALITY_GATE_FAILED)]
)
def test_step_arguments_pass_botocore_validation(
    dev_definition: dict[str, Any], step_name: Step
) -> None:
    report = api_validation_report(dev_definition, step_name)
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
