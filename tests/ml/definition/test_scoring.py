"""The scoring-only pipeline: one transform with the stack's model, the three parameters it reads,
the training pipeline's transform settings, built offline and valid for CreateTransformJob."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from ml import cli
from ml.contract import SCORING_PARAMETERS, XGBOOST_FRAMEWORK_VERSION, S3Layout, Step
from ml.definition import scoring
from ml.definition.builder import render
from ml.definition.inputs import ScoringInputs, offline_scoring_inputs, parameter_defaults
from ml.definition.scoring import build_scoring_definition
from ml.definition.sdk import framework_image
from ml.settings import Settings, load_stack_settings
from tests.support.definition import (
    all_steps,
    api_validation_report,
    assert_matches_golden,
    refuse_network,
)

GOLDEN = Path(__file__).with_name("golden_scoring_definition.json")
PROMOTED_KEY = "models/promoted/model.tar.gz"


@pytest.fixture(scope="module")
def dev_settings(project_dir: Path) -> Settings:
    return load_stack_settings(project_dir, "dev")


@pytest.fixture(scope="module")
def scoring_inputs(dev_settings: Settings) -> ScoringInputs:
    """dev serving an artifact copied into its bucket with the training pipeline's image."""
    model_data_url = S3Layout(dev_settings.names.bucket).uri(PROMOTED_KEY)
    image = framework_image("xgboost", dev_settings.region, XGBOOST_FRAMEWORK_VERSION)
    return offline_scoring_inputs(dev_settings, model_data_url, image)


@pytest.fixture(scope="module")
def scoring_json(scoring_inputs: ScoringInputs) -> str:
    return build_scoring_definition(scoring_inputs)


@pytest.fixture(scope="module")
def scoring_definition(scoring_json: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(scoring_json)
    return document


def test_scoring_matches_the_golden_file(scoring_json: str, request: pytest.FixtureRequest) -> None:
    assert_matches_golden(GOLDEN, scoring_json, request)


def test_builds_with_every_socket_and_aws_request_refused(
    scoring_inputs: ScoringInputs, scoring_json: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse_network(monkeypatch)
    assert build_scoring_definition(scoring_inputs) == scoring_json


def test_declares_exactly_the_scoring_parameters_with_the_stage_defaults(
    scoring_definition: dict[str, Any], dev_settings: Settings
) -> None:
    defaults = parameter_defaults(dev_settings, dev_settings.names.bucket)
    assert scoring_definition["Parameters"] == [
        {
            "Name": "TransformInstanceType",
            "Type": "String",
            "DefaultValue": defaults.transform_instance_type,
        },
        {
            "Name": "TransformInstanceCount",
            "Type": "Integer",
            "DefaultValue": defaults.transform_instance_count,
        },
        {"Name": "BatchDataUrl", "Type": "String", "DefaultValue": defaults.batch_data_url},
    ]
    assert [p["Name"] for p in scoring_definition["Parameters"]] == list(SCORING_PARAMETERS)


def test_the_one_step_scores_with_the_literal_model_name(
    scoring_definition: dict[str, Any], scoring_inputs: ScoringInputs
) -> None:
    (step,) = scoring_definition["Steps"]
    assert (step["Name"], step["Type"]) == (Step.TRANSFORM, "Transform")
    assert step["Arguments"]["ModelName"] == scoring_inputs.model_name
    assert scoring_inputs.model_name == "ml-batch-pipeline-dev-promoted-851774f1aa2e"


def test_jobs_are_encrypted_with_the_stack_key_and_write_per_execution(
    scoring_definition: dict[str, Any], scoring_inputs: ScoringInputs
) -> None:
    arguments = scoring_definition["Steps"][0]["Arguments"]
    key = "arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000"
    assert scoring_inputs.kms_key_arn == key
    assert arguments["TransformOutput"]["KmsKeyId"] == key
    assert arguments["TransformResources"]["VolumeKmsKeyId"] == key
    assert arguments["TransformOutput"]["S3OutputPath"] == {
        "Std:Join": {
            "On": "/",
            "Values": [
                "s3://ml-batch-pipeline-dev-111111111111-eu-west-1/executions",
                {"Get": "Execution.PipelineExecutionId"},
                "Transform",
            ],
        }
    }
    assert arguments["TransformJobName"] == "ml-batch-pipeline-dev-xform"


def test_the_transform_is_the_training_pipelines_but_for_its_model(
    scoring_definition: dict[str, Any],
    dev_definition: dict[str, Any],
    scoring_inputs: ScoringInputs,
) -> None:
    """Same batching, formats, keys, outputs and retries: a stage scores alike in either mode."""
    scored = copy.deepcopy(scoring_definition["Steps"][0])
    trained = copy.deepcopy(all_steps(dev_definition)[Step.TRANSFORM])
    assert scored["Arguments"].pop("ModelName") == scoring_inputs.model_name
    assert trained["Arguments"].pop("ModelName") == {
        "Get": "Steps.CreateModel-CreateModel.ModelName"
    }
    assert scored == trained
    assert scored["Arguments"]["BatchStrategy"] == "MultiRecord"
    assert scored["Arguments"]["MaxPayloadInMB"] == 6
    assert scored["Arguments"]["DataProcessing"] == {"JoinSource": "Input"}
    assert scored["Arguments"]["TransformInput"]["SplitType"] == "Line"
    assert scored["Arguments"]["TransformOutput"]["AssembleWith"] == "Line"
    assert scored["Arguments"]["TransformOutput"]["Accept"] == "text/csv"
    assert [p["MaxAttempts"] for p in scored["RetryPolicies"]] == [5]


def test_step_arguments_pass_botocore_validation(scoring_definition: dict[str, Any]) -> None:
    report = api_validation_report(scoring_definition, Step.TRANSFORM)
    assert not report.has_errors(), report.generate_report()


def test_the_pipeline_is_the_stage_pipeline_with_job_prefixes_and_no_experiments(
    scoring_inputs: ScoringInputs,
    scoring_definition: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[Any] = []

    def keep_pipeline(region: str, assemble: Any) -> str:
        def assemble_and_keep(session: Any) -> Any:
            built.append(assemble(session))
            return built[-1]

        return render(region, assemble_and_keep)

    monkeypatch.setattr(scoring, "render", keep_pipeline)
    build_scoring_definition(scoring_inputs)
    (pipeline,) = built
    assert pipeline.name == "ml-batch-pipeline-dev"
    assert pipeline.pipeline_definition_config.use_custom_job_prefix is True
    assert scoring_definition["PipelineExperimentConfig"] is None


def test_the_model_name_follows_what_it_serves(dev_settings: Settings) -> None:
    url = S3Layout(dev_settings.names.bucket).uri(PROMOTED_KEY)
    first = offline_scoring_inputs(dev_settings, url, "image:1")
    assert offline_scoring_inputs(dev_settings, url, "image:1").model_name == first.model_name
    assert offline_scoring_inputs(dev_settings, url, "image:2").model_name != first.model_name
    other_url = url.replace("promoted", "promoted-again")
    assert offline_scoring_inputs(dev_settings, other_url, "image:1").model_name != first.model_name


def test_the_command_prints_the_scoring_definition(
    scoring_json: str, dev_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --model-image-uri the model is served by the training pipeline's image."""
    url = S3Layout(dev_settings.names.bucket).uri(PROMOTED_KEY)
    argv = ["definition", "--stack", "dev", "--scoring", "--model-data-url", url]
    assert cli.main(argv) == 0
    printed = capsys.readouterr()
    assert printed.out == scoring_json + "\n"
    assert "using stand-in KMS key" in printed.err
    assert cli.main([*argv, "--model-image-uri", "image:2"]) == 0
    other = json.loads(capsys.readouterr().out)
    expected = offline_scoring_inputs(dev_settings, url, "image:2").model_name
    assert other["Steps"][0]["Arguments"]["ModelName"] == expected
