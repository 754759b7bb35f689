"""A model package approved in the example dev account, as `ml promote-model` writes it."""

from __future__ import annotations

from tests.support.dev_registry import IMAGE, artifact, package_arn

PACKAGE_ARN = package_arn(3)
MODEL_DATA_URL = artifact("abc123")
IMAGE_URI = IMAGE
REGISTRY_MODE = {
    "ml-batch-pipeline:modelSource": "registry",
    "ml-batch-pipeline:modelPackageArn": PACKAGE_ARN,
    "ml-batch-pipeline:modelDataUrl": MODEL_DATA_URL,
    "ml-batch-pipeline:modelImageUri": IMAGE_URI,
}
