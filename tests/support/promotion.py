"""A model package approved in the example dev account, as `ml promote-model` writes it."""

from __future__ import annotations

DEV_ACCOUNT = "111111111111"
REGION = "eu-west-1"
PACKAGE_ARN = (
    f"arn:aws:sagemaker:{REGION}:{DEV_ACCOUNT}:model-package/ml-batch-pipeline-dev-models/3"
)
MODEL_DATA_URL = (
    f"s3://ml-batch-pipeline-dev-{DEV_ACCOUNT}-{REGION}/models/"
    "ml-batch-pipeline-dev-train-abc123/output/model.tar.gz"
)
IMAGE_URI = f"141502667606.dkr.ecr.{REGION}.amazonaws.com/sagemaker-xgboost:3.0-5"
REGISTRY_MODE = {
    "ml-batch-pipeline:modelSource": "registry",
    "ml-batch-pipeline:modelPackageArn": PACKAGE_ARN,
    "ml-batch-pipeline:modelDataUrl": MODEL_DATA_URL,
    "ml-batch-pipeline:modelImageUri": IMAGE_URI,
}
