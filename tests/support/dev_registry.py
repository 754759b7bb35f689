"""Dev's model registry as moto plays it: the group, versions as the pipeline registers them,
their evaluation reports, and a copy of the project's stack files to write into."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.support.dev_account import DEV_ACCOUNT, REGION

GROUP = "ml-batch-pipeline-dev-models"
BUCKET = f"ml-batch-pipeline-dev-{DEV_ACCOUNT}-{REGION}"
IMAGE = f"141502667606.dkr.ecr.{REGION}.amazonaws.com/sagemaker-xgboost:3.0-5"
SERVING = {"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code"}
METRICS = {
    "mse": {"value": 4.2, "standard_deviation": 1.5},
    "rmse": {"value": 2.04939},
    "mae": {"value": 1.6},
    "r2": {"value": 0.55},
}
SHOWN = "mse 4.2000, rmse 2.0494, mae 1.6000, r2 0.5500"
STACK_FILES = ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.preprod.yaml", "Pulumi.prod.yaml")


def package_arn(version: int, account: str = DEV_ACCOUNT, region: str = REGION) -> str:
    return f"arn:aws:sagemaker:{region}:{account}:model-package/{GROUP}/{version}"


def artifact(run: str) -> str:
    # Where the training step writes it (output_path models/, then the job name).
    return f"s3://{BUCKET}/models/ml-batch-pipeline-dev-train-{run}/output/model.tar.gz"


def report_uri(run: str) -> str:
    return f"s3://{BUCKET}/executions/{run}/Evaluate/evaluation/evaluation.json"


def container(run: str, environment: dict[str, str] | None = None) -> dict[str, Any]:
    """The one container the pipeline's RegisterModel step registers."""
    return {
        "Image": IMAGE,
        "ModelDataUrl": artifact(run),
        "Environment": SERVING if environment is None else environment,
    }


def copy_stack_files(source: Path, target: Path) -> Path:
    for name in STACK_FILES:
        shutil.copyfile(source / name, target / name)
    return target


def create_group(sagemaker: Any, s3: Any) -> None:
    sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})


def register(
    sagemaker: Any,
    s3: Any,
    run: str,
    approval: str = "PendingManualApproval",
    environment: dict[str, str] | None = None,
) -> str:
    """A version as the pipeline registers it (its report stored first), with `approval`."""
    s3.put_object(
        Bucket=BUCKET,
        Key=report_uri(run).removeprefix(f"s3://{BUCKET}/"),
        Body=json.dumps({"regression_metrics": METRICS, "rows": 836}).encode(),
    )
    arn: str = sagemaker.create_model_package(
        ModelPackageGroupName=GROUP,
        ModelPackageDescription="ml-batch-pipeline-dev: passed the MSE quality gate",
        InferenceSpecification={
            "Containers": [container(run, environment)],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
            "SupportedTransformInstanceTypes": ["ml.m5.large"],
        },
        ModelApprovalStatus=approval,
        ModelMetrics={
            "ModelQuality": {
                "Statistics": {"ContentType": "application/json", "S3Uri": report_uri(run)}
            }
        },
    )["ModelPackageArn"]
    return arn


def promoted(original: str, version: int, run: str) -> str:
    """A stack file after promote-model: its `modelSource: train` switched in place (each stack
    file says it last), the package's three values appended after it, in the file's layout."""
    switched = original.replace(
        "  ml-batch-pipeline:modelSource: train\n", "  ml-batch-pipeline:modelSource: registry\n"
    )
    assert switched != original
    return switched + (
        f"  ml-batch-pipeline:modelPackageArn: {package_arn(version)}\n"
        f"  ml-batch-pipeline:modelDataUrl: {artifact(run)}\n"
        f"  ml-batch-pipeline:modelImageUri: {IMAGE}\n"
    )
