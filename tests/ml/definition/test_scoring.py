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
from offline.policy_harness import VIOLATION, run_pack
from offline.recorder import RecordedResource, StackGraph
from policies.guardrails import POLICIES
from policies.guardrails.sagemaker import PIPELINE
from tests.support.definition import (
    all_steps,
    api_validation_report,
    assert_matches_golden,
    refuse_network,
)
from tests.support.recorded import recorded

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


PIPELINE_POLICIES = sorted(p.name for p in POLICIES if p.name.startswith("sagemaker-pipeline-"))


@pytest.fixture(scope="module")
def prod_scoring_json(project_dir: Path) -> str:
    settings = load_stack_settings(project_dir, "prod")
    model_data_url = S3Layout(settings.names.bucket).uri(PROMOTED_KEY)
    image = framework_image("xgboost", settings.region, XGBOOST_FRAMEWORK_VERSION)
    return build_scoring_definition(offline_scoring_inputs(settings, model_data_url, image))


def prod_pipeline(definition_json: str) -> RecordedResource:
    """The Pipeline a prod stack in registry mode declares, as the policies receive it."""
    inputs = {
        "pipelineName": "ml-batch-pipeline-prod",
        "pipelineDefinition": definition_json,
        "roleArn": "arn:aws:iam::333333333333:role/ml-batch-pipeline-prod-execution",
        "parallelismConfiguration": {"maxParallelExecutionSteps": 4},
        "tags": {"stage": "prod", "model-approval": "manual", "project": "ml-batch-pipeline"},
    }
    return recorded(PIPELINE, "batch-inference-pipeline", inputs, stack="prod")


def test_every_pipeline_policy_is_judged() -> None:
    assert len(PIPELINE_POLICIES) == 9
    assert "sagemaker-pipeline-manual-approval" in PIPELINE_POLICIES


@pytest.mark.parametrize("policy", PIPELINE_POLICIES)
def test_the_pipeline_policies_find_nothing_on_the_prod_scoring_definition(
    prod_scoring_json: str, policy: str
) -> None:
    """Not even a "not applicable": manual approval, max runtime, isolation and traffic
    encryption judge steps of types this pipeline lacks, and so have nothing to say."""
    report = run_pack(StackGraph("prod", [prod_pipeline(prod_scoring_json)]), only=[policy])
    assert report.findings == []
    assert report.passed == [policy]


def _without_output_key(step: dict[str, Any]) -> None:
    del step["Arguments"]["TransformOutput"]["KmsKeyId"]


def _without_retries(step: dict[str, Any]) -> None:
    step["RetryPolicies"] = []


@pytest.mark.parametrize(
    ("policy", "edit", "expected"),
    [
        (
            "sagemaker-pipeline-kms",
            _without_output_key,
            "step Transform has TransformOutput.KmsKeyId = null",
        ),
        (
            "sagemaker-pipeline-job-retries",
            _without_retries,
            "step Transform does not retry SageMaker.CAPACITY_ERROR",
        ),
    ],
)
def test_the_pipeline_policies_judge_the_scoring_transform(
    prod_scoring_json: str, policy: str, edit: Any, expected: str
) -> None:
    definition = json.loads(prod_scoring_json)
    edit(definition["Steps"][0])
    report = run_pack(StackGraph("prod", [prod_pipeline(json.dumps(definition))]), only=[policy])
    (finding,) = report.findings
    assert finding.kind == VIOLATION
    assert finding.message.startswith(f"batch-inference-pipeline: {expected}")
