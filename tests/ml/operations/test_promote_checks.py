"""What promote-model asks dev's registry (requests checked against the API model by botocore's
Stubber), what it refuses, and how it shows a version's evaluation report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from ml.operations.evaluation_report import evaluation_summary
from ml.operations.promote import PromotionRefusedError, check_package, choose_package
from ml.settings import Settings, load_stack_settings
from tests.support.dev_account import REGION
from tests.support.dev_registry import (
    BUCKET,
    GROUP,
    IMAGE,
    METRICS,
    SHOWN,
    artifact,
    container,
    package_arn,
    report_uri,
)

REGISTERED = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
# What the listing must state: the API's defaults are unversioned packages, oldest first.
LISTING = {
    "ModelPackageGroupName": GROUP,
    "ModelPackageType": "Versioned",
    "ModelApprovalStatus": "Approved",
    "SortBy": "CreationTime",
    "SortOrder": "Descending",
}


@pytest.fixture
def prod_settings(project_dir: Path) -> Settings:
    return load_stack_settings(project_dir, "prod")


def summary(arn: str, status: str = "Completed") -> dict[str, Any]:
    return {
        "ModelPackageArn": arn,
        "ModelPackageGroupName": GROUP,
        "ModelPackageVersion": int(arn.rsplit("/", 1)[1]),
        "CreationTime": REGISTERED,
        "ModelPackageStatus": status,
        "ModelApprovalStatus": "Approved",
    }


def described(arn: str, containers: list[dict[str, Any]] | None = None, **fields: Any) -> Any:
    """DescribeModelPackage's answer for a version the pipeline registered, with `fields`."""
    return {
        "ModelPackageName": GROUP,
        "ModelPackageGroupName": GROUP,
        "ModelPackageArn": arn,
        "CreationTime": REGISTERED,
        "ModelPackageStatus": "Completed",
        "ModelPackageStatusDetails": {"ValidationStatuses": []},
        "ModelApprovalStatus": "Approved",
        "InferenceSpecification": {
            "Containers": [container("run-5")] if containers is None else containers
        },
        "ModelMetrics": {
            "ModelQuality": {
                "Statistics": {"ContentType": "application/json", "S3Uri": report_uri("run-5")}
            }
        },
        **fields,
    }


def test_the_listing_states_type_and_order_follows_pages_and_skips_unfinished_versions(
    stubbed: tuple[Any, Stubber], dev_settings: Settings, prod_settings: Settings
) -> None:
    client, stubber = stubbed
    first_page = {"ModelPackageSummaryList": [summary(package_arn(6), "InProgress")]}
    stubber.add_response("list_model_packages", {**first_page, "NextToken": "page-2"}, LISTING)
    stubber.add_response(
        "list_model_packages",
        {"ModelPackageSummaryList": [summary(package_arn(5)), summary(package_arn(4))]},
        {**LISTING, "NextToken": "page-2"},
    )
    stubber.add_response(
        "describe_model_package",
        described(package_arn(5)),
        {"ModelPackageName": package_arn(5)},
    )
    chosen = choose_package(dev_settings, prod_settings, client, None)
    assert (chosen.arn, chosen.version) == (package_arn(5), 5)
    assert (chosen.model_data_url, chosen.image_uri) == (artifact("run-5"), IMAGE)
    assert chosen.evaluation_uri == report_uri("run-5")


def test_a_package_of_another_account_is_refused(
    stubbed: tuple[Any, Stubber], dev_settings: Settings, prod_settings: Settings
) -> None:
    client, stubber = stubbed
    shared = package_arn(2, account="444444444444")
    stubber.add_response(
        "list_model_packages", {"ModelPackageSummaryList": [summary(shared)]}, LISTING
    )
    stubber.add_response("describe_model_package", described(shared), {"ModelPackageName": shared})
    with pytest.raises(PromotionRefusedError) as refused:
        choose_package(dev_settings, prod_settings, client, None)
    assert str(refused.value).splitlines() == [
        f"refusing model package {shared}:",
        "  - it is in account 444444444444; allowed: dev's account 111111111111 "
        "(ml-batch-pipeline:accountId in Pulumi.dev.yaml)",
    ]


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        (
            {"ModelPackageStatus": "Failed"},
            "its status is Failed; allowed: Completed",
        ),
        (
            {"ModelPackageArn": f"arn:aws:sagemaker:{REGION}:111111111111:model-package/other/3"},
            f"it belongs to group other; allowed: dev's group {GROUP}",
        ),
        (
            {"ModelPackageArn": f"arn:aws:sagemaker:{REGION}:111111111111:model/m"},
            f"its ARN is not that of a model package version; allowed: {package_arn(1)}",
        ),
        (
            {"InferenceSpecification": {"Containers": [container("a"), container("b")]}},
            "its inference specification has 2 containers; allowed: exactly 1, as the "
            "pipeline registers",
        ),
        (
            {"InferenceSpecification": {"Containers": [{**container("a"), "Image": "xgboost"}]}},
            "its container's Image is 'xgboost'; allowed: an ECR image URI",
        ),
        (
            {
                "InferenceSpecification": {
                    "Containers": [{**container("a"), "ModelDataUrl": "s3://b/model.pkl"}]
                }
            },
            "its container's ModelDataUrl is 's3://b/model.pkl'; allowed: an s3://... .tar.gz "
            "artifact",
        ),
    ],
)
def test_a_package_the_stage_cannot_run_is_refused_naming_the_problem(
    dev_settings: Settings, prod_settings: Settings, fields: dict[str, Any], problem: str
) -> None:
    package = described(package_arn(3), **fields)
    with pytest.raises(PromotionRefusedError) as refused:
        check_package(package, dev_settings, prod_settings)
    assert str(refused.value).splitlines()[1:] == [f"  - {problem}"]


@pytest.fixture
def s3(aws_env: None) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield client


def store(s3: Any, body: str) -> str:
    s3.put_object(Bucket=BUCKET, Key="evaluation.json", Body=body.encode())
    return f"s3://{BUCKET}/evaluation.json"


def test_the_evaluation_report_is_shown_on_one_line(s3: Any) -> None:
    uri = store(s3, json.dumps({"regression_metrics": METRICS}))
    assert evaluation_summary(s3, uri) == f"{SHOWN} ({uri})"


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("not json", "is not an evaluation report (JSONDecodeError: "),
        ('{"rows": 3}', "is not an evaluation report (KeyError: 'regression_metrics')"),
        ('{"regression_metrics": {"auc": {"value": 1}}}', "holds none of mse, rmse, mae, r2"),
    ],
)
def test_a_report_that_is_not_one_is_named_not_raised(s3: Any, body: str, why: str) -> None:
    uri = store(s3, body)
    assert evaluation_summary(s3, uri).startswith(f"not shown: {uri} {why}")


def test_a_package_without_a_report_says_so(s3: Any) -> None:
    assert evaluation_summary(s3, None) == "not shown: the package names no evaluation report"
    assert evaluation_summary(s3, "https://example.com/e.json") == (
        "not shown: https://example.com/e.json is not an S3 object URI"
    )
