from __future__ import annotations

import json
from typing import Any

from components.documents.dashboard import DashboardScope, dashboard_body
from components.documents.schedule import schedule_parameters
from ml.contract import Param, Step
from ml.definition.inputs import DefinitionInputs
from ml.definition.reading import image_uris, iter_steps, parameter_names, step_names


def test_steps_include_the_condition_branches_in_order(dev_definition_json: str) -> None:
    assert step_names(dev_definition_json) == [
        Step.PREPROCESS,
        Step.TRAIN,
        Step.EVALUATE,
        Step.QUALITY_GATE,
        Step.REGISTER_MODEL,
        Step.CREATE_MODEL,
        Step.TRANSFORM,
        Step.QUALITY_GATE_FAILED,
    ]
    assert sum(1 for step in iter_steps(dev_definition_json) if step["Type"] == "Condition") == 1


def test_images_are_the_two_framework_images(dev_definition_json: str) -> None:
    assert image_uris(dev_definition_json) == [
        "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.4-2-cpu-py3",
        "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:3.0-5",
    ]


def test_schedule_passes_every_definition_parameter_with_its_default(
    dev_definition: dict[str, Any], dev_definition_json: str, dev_inputs: DefinitionInputs
) -> None:
    passed = dict(schedule_parameters(dev_inputs.defaults))
    assert sorted(passed) == sorted(parameter_names(dev_definition_json))
    defaults = {p["Name"]: p.get("DefaultValue") for p in dev_definition["Parameters"]}
    for name, value in passed.items():
        assert value == str(defaults[name]), name
    assert passed[Param.MODEL_APPROVAL_STATUS] == "PendingManualApproval"
    assert passed[Param.TRAINING_INSTANCE_TYPE] == "ml.m5.large"


def test_dashboard_charts_each_step_and_shows_the_alarms(dev_definition_json: str) -> None:
    alarms = ("arn:aws:cloudwatch:eu-west-1:111111111111:alarm:ml-batch-pipeline-dev-a",)
    scope = DashboardScope(
        region="eu-west-1",
        pipeline="ml-batch-pipeline-dev",
        steps=tuple(step_names(dev_definition_json)),
        schedule_group="ml-batch-pipeline-dev",
        dead_letter_queues=("q1", "q2"),
        alarm_arns=alarms,
    )
    widgets = dashboard_body(scope)["widgets"]
    by_title = {w["properties"]["title"]: w for w in widgets}
    step_metrics = by_title["Step failures"]["properties"]["metrics"]
    assert [m[-1] for m in step_metrics] == list(scope.steps)
    assert all(
        m[:4]
        == [
            "AWS/Sagemaker/ModelBuildingPipeline",
            "StepFailed",
            "PipelineName",
            "ml-batch-pipeline-dev",
        ]
        for m in step_metrics
    )
    assert by_title["Alarms"]["properties"]["alarms"] == list(alarms)
    scheduler = [m[1] for m in by_title["Scheduled starts"]["properties"]["metrics"]]
    assert "TargetErrorCount" in scheduler
    assert "InvocationsSentToDeadLetterCount" in scheduler
    # Two columns, no overlaps.
    positions = {(w["x"], w["y"]) for w in widgets}
    assert len(positions) == len(widgets)
    json.dumps(dashboard_body(scope))  # serialisable as the dashboard body
