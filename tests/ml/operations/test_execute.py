from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from ml.cli import main
from ml.operations import aws as stack_aws
from ml.operations.execute import follow, parse_parameters
from ml.settings import Settings
from tests.support.dev_account import DEV_ACCOUNT, REGION, create_pipeline

PIPELINE = "ml-batch-pipeline-dev"
EXECUTION = f"arn:aws:sagemaker:{REGION}:{DEV_ACCOUNT}:pipeline/{PIPELINE}/execution/abc123"
STARTED = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def described(status: str, reason: str | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "PipelineArn": f"arn:aws:sagemaker:{REGION}:{DEV_ACCOUNT}:pipeline/{PIPELINE}",
        "PipelineExecutionArn": EXECUTION,
        "PipelineExecutionStatus": status,
        "CreationTime": STARTED,
    }
    if reason:
        response["FailureReason"] = reason
    return response


def steps(*states: tuple[str, str, str | None]) -> dict[str, Any]:
    """Newest first, as the service lists them."""
    listed = []
    for name, status, reason in reversed(states):
        step: dict[str, Any] = {"StepName": name, "StepStatus": status, "StartTime": STARTED}
        if reason:
            step["FailureReason"] = reason
        listed.append(step)
    return {"PipelineExecutionSteps": listed}


def expect_poll(
    stubber: Stubber, status: str, listed: dict[str, Any], reason: str | None = None
) -> None:
    stubber.add_response(
        "describe_pipeline_execution",
        described(status, reason),
        {"PipelineExecutionArn": EXECUTION},
    )
    stubber.add_response(
        "list_pipeline_execution_steps", listed, {"PipelineExecutionArn": EXECUTION}
    )


def test_a_successful_run_reports_each_step_once(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    expect_poll(stubber, "Executing", steps(("Preprocess", "Executing", None)))
    expect_poll(stubber, "Executing", steps(("Preprocess", "Executing", None)))
    expect_poll(
        stubber,
        "Succeeded",
        steps(("Preprocess", "Succeeded", None), ("Train", "Succeeded", None)),
    )
    lines: list[str] = []
    outcome = follow(client, EXECUTION, lines.append, poll_seconds=0)
    assert outcome.succeeded
    assert outcome.failures == ()
    assert lines == ["  Preprocess: Executing", "  Preprocess: Succeeded", "  Train: Succeeded"]


def test_a_failed_run_names_the_failing_step_and_its_reason(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    reason = "AlgorithmError: training data has no rows"
    expect_poll(stubber, "Executing", steps(("Preprocess", "Succeeded", None)))
    expect_poll(
        stubber,
        "Failed",
        steps(("Preprocess", "Succeeded", None), ("Train", "Failed", reason)),
        reason="Step failure: One or multiple steps failed.",
    )
    outcome = follow(client, EXECUTION, lambda _: None, poll_seconds=0)
    assert outcome.status == "Failed"
    assert outcome.failures == (("Train", reason),)


def test_a_stopped_run_is_not_a_success(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    expect_poll(stubber, "Stopping", steps(("Preprocess", "Stopping", None)))
    expect_poll(stubber, "Stopped", steps(("Preprocess", "Stopped", "Stopped by user")))
    outcome = follow(client, EXECUTION, lambda _: None, poll_seconds=0)
    assert not outcome.succeeded
    assert outcome.failures == (("Preprocess", "Stopped by user"),)


def test_a_pipeline_level_failure_without_failed_steps_is_reported(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    expect_poll(stubber, "Failed", steps(), reason="ValidationException: role cannot be assumed")
    outcome = follow(client, EXECUTION, lambda _: None, poll_seconds=0)
    assert outcome.failures == (("(pipeline)", "ValidationException: role cannot be assumed"),)


def test_parameters_are_checked_before_anything_starts(dev_settings: Settings) -> None:
    assert parse_parameters(["TrainingInstanceType=ml.m5.xlarge"], dev_settings) == [
        {"Name": "TrainingInstanceType", "Value": "ml.m5.xlarge"}
    ]
    with pytest.raises(ValueError, match="'Epochs' is not a pipeline parameter; allowed: "):
        parse_parameters(["Epochs=3"], dev_settings)
    with pytest.raises(ValueError, match="is not Name=Value"):
        parse_parameters(["TrainingInstanceType"], dev_settings)
    with pytest.raises(ValueError, match="needs autoApproveModels: true in the dev stack file"):
        parse_parameters(["ModelApprovalStatus=Approved"], dev_settings)


@pytest.mark.usefixtures("aws_env")
def test_execute_starts_the_stack_pipeline_with_the_parameters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with mock_aws():
        client = boto3.client("sagemaker", region_name=REGION)
        create_pipeline(client)
        code = main(["execute", "--stack", "dev", "--param", "TrainingInstanceType=ml.m5.xlarge"])
        assert code == 0
        started = capsys.readouterr().out.strip().removeprefix("started ")
        assert started.startswith(f"arn:aws:sagemaker:{REGION}:{DEV_ACCOUNT}:pipeline/{PIPELINE}/")
        executions = client.list_pipeline_executions(PipelineName=PIPELINE)
        assert [e["PipelineExecutionArn"] for e in executions["PipelineExecutionSummaries"]] == [
            started
        ]
        passed = client.list_pipeline_parameters_for_execution(PipelineExecutionArn=started)
        assert passed["PipelineParameters"] == [
            {"Name": "TrainingInstanceType", "Value": "ml.m5.xlarge"}
        ]


@pytest.mark.usefixtures("aws_env")
def test_execute_refuses_credentials_of_another_account(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "999999999999")
    with mock_aws():
        assert main(["execute", "--stack", "dev"]) == 1
        client = boto3.client("sagemaker", region_name=REGION)
        with pytest.raises(client.exceptions.ClientError):
            client.list_pipeline_executions(PipelineName=PIPELINE)
    error = capsys.readouterr().err
    assert "deploys to account 111111111111 (ml-batch-pipeline:accountId)" in error
    assert "belong to account 999999999999" in error


def test_execute_wait_exits_non_zero_naming_the_failed_step(
    stubbed: tuple[Any, Stubber],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client, stubber = stubbed
    sts = boto3.client("sts", region_name=REGION)
    sts_stubber = Stubber(sts)
    sts_stubber.add_response(
        "get_caller_identity",
        {
            "Account": DEV_ACCOUNT,
            "Arn": f"arn:aws:sts::{DEV_ACCOUNT}:assumed-role/deploy/ci",
            "UserId": "AROA:ci",
        },
    )
    stubber.add_response(
        "start_pipeline_execution",
        {"PipelineExecutionArn": EXECUTION},
        {
            "PipelineName": PIPELINE,
            "PipelineExecutionDisplayName": ANY,
            "PipelineParameters": [],
            "ClientRequestToken": ANY,
        },
    )
    expect_poll(stubber, "Failed", steps(("Evaluate", "Failed", "ClientError: no evaluation.json")))
    monkeypatch.setattr(stack_aws, "stack_clients", lambda _: stack_aws.StackClients(client, sts))
    with sts_stubber:
        assert main(["execute", "--stack", "dev", "--wait"]) == 1
    captured = capsys.readouterr()
    assert "  Evaluate: Failed" in captured.out
    assert "execution Failed" in captured.out
    assert "failed step Evaluate: ClientError: no evaluation.json" in captured.err
