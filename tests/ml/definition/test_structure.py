"""What the built definition must say: steps, parameters, security settings, references."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ml.contract import APPROVAL_STATUSES, Param, Step
from ml.definition.inputs import DefinitionInputs
from tests.support.definition import all_steps

JOB_STEPS = (Step.PREPROCESS, Step.TRAIN, Step.EVALUATE, Step.TRANSFORM)


def test_steps_are_the_contract_names(dev_definition: dict[str, Any]) -> None:
    assert set(all_steps(dev_definition)) == {s.value for s in Step}
    gate = all_steps(dev_definition)[Step.QUALITY_GATE]["Arguments"]
    assert [s["Name"] for s in gate["IfSteps"]] == [
        Step.REGISTER_MODEL,
        Step.CREATE_MODEL,
        Step.TRANSFORM,
    ]
    assert [s["Name"] for s in gate["ElseSteps"]] == [Step.QUALITY_GATE_FAILED]


def test_parameters_are_the_contract_names_with_stage_defaults(
    dev_definition: dict[str, Any], dev_inputs: DefinitionInputs
) -> None:
    params = {p["Name"]: p for p in dev_definition["Parameters"]}
    assert set(params) == {p.value for p in Param}
    assert params[Param.TRAINING_INSTANCE_TYPE]["DefaultValue"] == "ml.m5.large"
    assert params[Param.MSE_THRESHOLD] == {
        "Name": "MseThreshold",
        "Type": "Float",
        "DefaultValue": 8.0,
    }
    assert params[Param.MODEL_APPROVAL_STATUS]["EnumValues"] == list(APPROVAL_STATUSES)
    assert params[Param.INPUT_DATA_URL]["DefaultValue"] == dev_inputs.defaults.input_data_url


# Where each parameter must be used: (step, path into Arguments).
PARAMETER_PLACES = {
    Param.PROCESSING_INSTANCE_TYPE: [
        (Step.PREPROCESS, "ProcessingResources.ClusterConfig.InstanceType"),
        (Step.EVALUATE, "ProcessingResources.ClusterConfig.InstanceType"),
    ],
    Param.PROCESSING_INSTANCE_COUNT: [
        (Step.PREPROCESS, "ProcessingResources.ClusterConfig.InstanceCount"),
        (Step.EVALUATE, "ProcessingResources.ClusterConfig.InstanceCount"),
    ],
    Param.TRAINING_INSTANCE_TYPE: [(Step.TRAIN, "ResourceConfig.InstanceType")],
    Param.TRAINING_INSTANCE_COUNT: [(Step.TRAIN, "ResourceConfig.InstanceCount")],
    Param.TRANSFORM_INSTANCE_TYPE: [
        (Step.TRANSFORM, "TransformResources.InstanceType"),
        (Step.REGISTER_MODEL, "InferenceSpecification.SupportedTransformInstanceTypes.0"),
    ],
    Param.TRANSFORM_INSTANCE_COUNT: [(Step.TRANSFORM, "TransformResources.InstanceCount")],
    Param.INPUT_DATA_URL: [(Step.PREPROCESS, "ProcessingInputs.0.S3Input.S3Uri")],
    Param.BATCH_DATA_URL: [(Step.TRANSFORM, "TransformInput.DataSource.S3DataSource.S3Uri")],
    Param.MODEL_APPROVAL_STATUS: [(Step.REGISTER_MODEL, "ModelApprovalStatus")],
}


def _at(node: Any, path: str) -> Any:
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


@pytest.mark.parametrize("param", list(Param))
def test_every_parameter_reaches_the_place_it_governs(
    dev_definition: dict[str, Any], param: Param
) -> None:
    steps = all_steps(dev_definition)
    if param is Param.MSE_THRESHOLD:
        gate = steps[Step.QUALITY_GATE]["Arguments"]["Conditions"][0]
        assert gate["Type"] == "LessThanOrEqualTo"
        assert gate["RightValue"] == {"Get": "Parameters.MseThreshold"}
        assert gate["LeftValue"]["Std:JsonGet"]["Path"] == "regression_metrics.mse.value"
        return
    for step, path in PARAMETER_PLACES[param]:
        assert _at(steps[step]["Arguments"], path) == {"Get": f"Parameters.{param}"}


def test_input_data_url_is_the_preprocess_data_input(dev_definition: dict[str, Any]) -> None:
    inputs = all_steps(dev_definition)[Step.PREPROCESS]["Arguments"]["ProcessingInputs"]
    assert inputs[0]["InputName"] == "data"
    assert inputs[0]["S3Input"]["LocalPath"] == "/opt/ml/processing/input/data"


def test_security_settings_are_literals_on_every_job(
    dev_definition: dict[str, Any], dev_inputs: DefinitionInputs
) -> None:
    steps = all_steps(dev_definition)
    key = dev_inputs.kms_key_arn
    for name in (Step.PREPROCESS, Step.EVALUATE):
        args = steps[name]["Arguments"]
        assert args["NetworkConfig"]["EnableNetworkIsolation"] is True
        assert args["NetworkConfig"]["EnableInterContainerTrafficEncryption"] is True
        assert args["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == key
        assert args["ProcessingOutputConfig"]["KmsKeyId"] == key
        assert args["StoppingCondition"]["MaxRuntimeInSeconds"] == 3600
    train = steps[Step.TRAIN]["Arguments"]
    assert train["EnableNetworkIsolation"] is True
    assert train["ResourceConfig"]["VolumeKmsKeyId"] == key
    assert train["OutputDataConfig"]["KmsKeyId"] == key
    assert train["StoppingCondition"]["MaxRuntimeInSeconds"] == 3600
    assert steps[Step.CREATE_MODEL]["Arguments"]["EnableNetworkIsolation"] is True
    transform = steps[Step.TRANSFORM]["Arguments"]
    assert transform["TransformOutput"]["KmsKeyId"] == key
    assert transform["TransformResources"]["VolumeKmsKeyId"] == key


def test_every_job_step_retries_transient_sagemaker_errors(dev_definition: dict[str, Any]) -> None:
    steps = all_steps(dev_definition)
    for name in JOB_STEPS:
        [policy] = steps[name]["RetryPolicies"]
        assert set(policy["ExceptionType"]) == {
            "SageMaker.JOB_INTERNAL_ERROR",
            "SageMaker.CAPACITY_ERROR",
            "SageMaker.RESOURCE_LIMIT",
        }
        assert 1 <= policy["MaxAttempts"] <= 20
        assert policy["IntervalSeconds"] > 0 and policy["BackoffRate"] >= 1
    for name in (Step.REGISTER_MODEL, Step.CREATE_MODEL):
        [policy] = steps[name]["RetryPolicies"]
        assert policy["ExceptionType"] == ["Step.SERVICE_FAULT", "Step.THROTTLING"]


def test_code_reaches_isolated_containers_as_inputs(
    dev_definition: dict[str, Any], dev_inputs: DefinitionInputs
) -> None:
    steps = all_steps(dev_definition)
    code = dev_inputs.code
    train = steps[Step.TRAIN]["Arguments"]
    channels = {
        c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"] for c in train["InputDataConfig"]
    }
    assert channels["code"] == code.training_sourcedir
    assert train["HyperParameters"]["sagemaker_submit_directory"] == (
        '"/opt/ml/input/data/code/sourcedir.tar.gz"'
    )
    for name, script in (
        (Step.PREPROCESS, code.preprocess_script),
        (Step.EVALUATE, code.evaluate_script),
    ):
        inputs = {
            i["InputName"]: i["S3Input"]["S3Uri"]
            for i in steps[name]["Arguments"]["ProcessingInputs"]
        }
        assert inputs["code"] == script
        assert inputs["shared"] == code.shared_prefix
    model = steps[Step.CREATE_MODEL]["Arguments"]["PrimaryContainer"]
    assert model["Environment"] == {
        "SAGEMAKER_PROGRAM": "inference.py",
        "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
    }


def test_batch_transform_splits_by_line_and_joins_output_to_input(
    dev_definition: dict[str, Any],
) -> None:
    args = all_steps(dev_definition)[Step.TRANSFORM]["Arguments"]
    assert args["TransformInput"]["SplitType"] == "Line"
    assert args["TransformInput"]["ContentType"] == "text/csv"
    assert args["TransformOutput"]["AssembleWith"] == "Line"
    assert args["DataProcessing"] == {"JoinSource": "Input"}
    assert args["BatchStrategy"] == "MultiRecord"


def test_job_names_carry_this_pipelines_prefixes(dev_definition: dict[str, Any]) -> None:
    steps = all_steps(dev_definition)
    names = {
        Step.PREPROCESS: steps[Step.PREPROCESS]["Arguments"]["ProcessingJobName"],
        Step.EVALUATE: steps[Step.EVALUATE]["Arguments"]["ProcessingJobName"],
        Step.TRAIN: steps[Step.TRAIN]["Arguments"]["TrainingJobName"],
        Step.TRANSFORM: steps[Step.TRANSFORM]["Arguments"]["TransformJobName"],
        Step.CREATE_MODEL: steps[Step.CREATE_MODEL]["Arguments"]["ModelName"],
    }
    assert names == {
        Step.PREPROCESS: "ml-batch-pipeline-dev-prep",
        Step.EVALUATE: "ml-batch-pipeline-dev-eval",
        Step.TRAIN: "ml-batch-pipeline-dev-train",
        Step.TRANSFORM: "ml-batch-pipeline-dev-xform",
        Step.CREATE_MODEL: "ml-batch-pipeline-dev-model",
    }


def test_outputs_are_per_execution(dev_definition: dict[str, Any]) -> None:
    outputs = all_steps(dev_definition)[Step.PREPROCESS]["Arguments"]["ProcessingOutputConfig"][
        "Outputs"
    ]
    for output in outputs:
        join = output["S3Output"]["S3Uri"]["Std:Join"]
        assert join["Values"][1] == {"Get": "Execution.PipelineExecutionId"}


def test_fail_step_names_metric_value_and_threshold(dev_definition: dict[str, Any]) -> None:
    message = all_steps(dev_definition)[Step.QUALITY_GATE_FAILED]["Arguments"]["ErrorMessage"]
    values = message["Std:Join"]["Values"]
    assert "test mse" in values[0]
    assert values[1]["Std:JsonGet"]["Path"] == "regression_metrics.mse.value"
    assert values[3] == {"Get": "Parameters.MseThreshold"}


def test_model_registration_uses_the_approval_parameter_and_the_stage_group(
    dev_definition: dict[str, Any],
) -> None:
    register = all_steps(dev_definition)[Step.REGISTER_MODEL]["Arguments"]
    assert register["ModelApprovalStatus"] == {"Get": "Parameters.ModelApprovalStatus"}
    assert register["ModelPackageGroupName"] == "ml-batch-pipeline-dev-models"
    stats = register["ModelMetrics"]["ModelQuality"]["Statistics"]
    assert stats["S3Uri"]["Std:Join"]["Values"][1] == "evaluation.json"


REFERENCE = re.compile(r"^(Parameters|Steps|Execution)\.")


def _references(node: Any) -> list[str]:
    if isinstance(node, dict):
        if set(node) == {"Get"}:
            return [node["Get"]]
        return [ref for value in node.values() for ref in _references(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _references(value)]
    return []


def test_every_reference_resolves(dev_definition: dict[str, Any]) -> None:
    steps = all_steps(dev_definition)
    params = {p["Name"] for p in dev_definition["Parameters"]}
    property_files = {
        (name, f["PropertyFileName"])
        for name, s in steps.items()
        for f in s.get("PropertyFiles", [])
    }
    references = _references(dev_definition["Steps"])
    assert len(references) > 20
    for ref in references:
        kind, _, rest = ref.partition(".")
        if kind == "Parameters":
            assert rest in params, ref
        elif kind == "Execution":
            assert rest in ("PipelineExecutionId", "PipelineName"), ref
        else:
            match = re.match(r"^([A-Za-z-]+)\.(.+)$", rest)
            assert match and match[1] in steps, ref
            if match[2].startswith("PropertyFiles."):
                assert (match[1], match[2].split(".")[1]) in property_files, ref
            if "Outputs['" in match[2]:
                output = re.search(r"Outputs\['(\w+)'\]", match[2])
                declared = steps[match[1]]["Arguments"]["ProcessingOutputConfig"]["Outputs"]
                assert output and output[1] in {o["OutputName"] for o in declared}, ref
