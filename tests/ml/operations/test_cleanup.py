from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from ml.cli import main
from ml.operations import cleanup as cleanup_module
from ml.operations.cleanup import StillRunningError, cleanup
from ml.settings import Settings
from tests.support.dev_account import DEV_ACCOUNT, REGION, create_pipeline

PIPELINE = "ml-batch-pipeline-dev"
GROUP = "ml-batch-pipeline-dev-models"
ROLE = f"arn:aws:iam::{DEV_ACCOUNT}:role/ml-batch-pipeline-dev-execution"
AT = datetime(2026, 11, 27, tzinfo=UTC)
PACKAGES = f"arn:aws:sagemaker:{REGION}:{DEV_ACCOUNT}:model-package/{GROUP}"


def execution_arn(name: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{DEV_ACCOUNT}:pipeline/{PIPELINE}/execution/{name}"


def summaries(**statuses: str) -> dict[str, Any]:
    return {
        "PipelineExecutionSummaries": [
            {
                "PipelineExecutionArn": execution_arn(name),
                "PipelineExecutionStatus": status,
                "StartTime": AT,
            }
            for name, status in statuses.items()
        ]
    }


def package(version: int) -> dict[str, Any]:
    return {
        "ModelPackageGroupName": GROUP,
        "ModelPackageVersion": version,
        "ModelPackageArn": f"{PACKAGES}/{version}",
        "CreationTime": AT,
        "ModelPackageStatus": "Completed",
        "ModelApprovalStatus": "PendingManualApproval",
    }


def model(name: str) -> dict[str, Any]:
    return {
        "ModelName": name,
        "ModelArn": f"arn:aws:sagemaker:{REGION}:{DEV_ACCOUNT}:model/{name}",
        "CreationTime": AT,
    }


def test_stops_runs_then_deletes_versions_and_models(
    stubbed: tuple[Any, Stubber], dev_settings: Settings
) -> None:
    client, stubber = stubbed
    listing = {"PipelineName": PIPELINE}
    stubber.add_response(
        "list_pipeline_executions", summaries(a="Executing", b="Succeeded"), listing
    )
    stubber.add_response(
        "stop_pipeline_execution",
        {"PipelineExecutionArn": execution_arn("a")},
        {"PipelineExecutionArn": execution_arn("a"), "ClientRequestToken": ANY},
    )
    stubber.add_response(
        "list_pipeline_executions", summaries(a="Stopping", b="Succeeded"), listing
    )
    stubber.add_response("list_pipeline_executions", summaries(a="Stopped", b="Succeeded"), listing)
    # Two pages of model versions.
    stubber.add_response(
        "list_model_packages",
        {"ModelPackageSummaryList": [package(1)], "NextToken": "page-2"},
        # The API's default lists only unversioned packages: a group's are all versioned.
        {"ModelPackageGroupName": GROUP, "ModelPackageType": "Both"},
    )
    stubber.add_response(
        "list_model_packages",
        {"ModelPackageSummaryList": [package(2)]},
        {"ModelPackageGroupName": GROUP, "ModelPackageType": "Both", "NextToken": "page-2"},
    )
    for version in (1, 2):
        stubber.add_response(
            "delete_model_package", {}, {"ModelPackageName": package(version)["ModelPackageArn"]}
        )
    ours, theirs = "ml-batch-pipeline-dev-model-abc123", "copy-of-ml-batch-pipeline-dev-model-x"
    stubber.add_response(
        "list_models",
        {"Models": [model(ours), model(theirs)]},
        {"NameContains": "ml-batch-pipeline-dev-model"},
    )
    stubber.add_response("delete_model", {}, {"ModelName": ours})
    lines: list[str] = []
    cleaned = cleanup(dev_settings, client, lines.append, poll_seconds=0)
    assert cleaned.stopped == (execution_arn("a"),)
    assert [arn.rsplit("/", 1)[1] for arn in cleaned.model_packages] == ["1", "2"]
    assert cleaned.models == (ours,)
    assert lines[0] == f"stopping execution {execution_arn('a')}"
    assert lines[-1] == f"deleted model {ours}"


def test_gives_up_on_runs_that_do_not_stop(
    stubbed: tuple[Any, Stubber], dev_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, stubber = stubbed
    monkeypatch.setattr(cleanup_module, "MAX_POLLS", 2)
    listing = {"PipelineName": PIPELINE}
    stubber.add_response("list_pipeline_executions", summaries(a="Executing"), listing)
    stubber.add_response(
        "stop_pipeline_execution",
        {"PipelineExecutionArn": execution_arn("a")},
        {"PipelineExecutionArn": execution_arn("a"), "ClientRequestToken": ANY},
    )
    for _ in range(3):
        stubber.add_response("list_pipeline_executions", summaries(a="Stopping"), listing)
    with pytest.raises(StillRunningError, match="still stopping after 2 checks"):
        cleanup(dev_settings, client, lambda _: None, poll_seconds=0)


@pytest.mark.usefixtures("aws_env")
def test_cleanup_deletes_only_this_pipelines_models(capsys: pytest.CaptureFixture[str]) -> None:
    container = {"Image": "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:3.0-5"}
    with mock_aws():
        client = boto3.client("sagemaker", region_name=REGION)
        create_pipeline(client)
        client.create_model_package_group(ModelPackageGroupName=GROUP)
        names = [
            "ml-batch-pipeline-dev-model-a1",
            "ml-batch-pipeline-dev-model-b2",
            "other-team-ml-batch-pipeline-dev-model",
            "ml-batch-pipeline-prod-model-c3",
        ]
        for name in names:
            client.create_model(ModelName=name, PrimaryContainer=container, ExecutionRoleArn=ROLE)
        assert main(["cleanup", "--stack", "dev"]) == 0
        left = sorted(m["ModelName"] for m in client.list_models()["Models"])
    assert left == ["ml-batch-pipeline-prod-model-c3", "other-team-ml-batch-pipeline-dev-model"]
    assert "stopped 0 execution(s), deleted 0 model package(s) and 2 model(s)" in (
        capsys.readouterr().out
    )
