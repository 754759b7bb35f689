"""What a stage in registry mode is given, and the checks that it came from dev's registry.

A stage in `registry` mode scores with its own copy of a model a human approved in dev: the
package (provenance), its artifact in dev's stack bucket and its own serving image, written
into the stack file by `python -m ml promote-model`. Each value is checked alone here (its
form), and against the stage's region and dev's names once the region is known.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ml.contract import MODEL_SOURCE_STAGE, PROJECT, S3_URI, ResourceNames, S3Layout

MODEL_SOURCES = ("train", "registry")
XGBOOST_REPOSITORY = "sagemaker-xgboost"
MODEL_ARCHIVE_SUFFIX = ".tar.gz"

# A versioned model package, and an ECR image with its tag or digest: the forms AWS gives.
PACKAGE_ARN = re.compile(
    r"^arn:aws[a-z-]*:sagemaker:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"model-package/(?P<group>[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62})/(?P<version>\d+)$"
)
ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/"
    r"(?P<repository>[a-z0-9._/-]+)(:[\w.-]+|@sha256:[0-9a-f]{64})$"
)


@dataclass(frozen=True)
class PromotedModel:
    package_arn: str
    model_data_url: str
    image_uri: str

    @property
    def account(self) -> str:
        """Dev's account, where the package and its artifact live."""
        match = PACKAGE_ARN.match(self.package_arn)
        return match["account"] if match else ""

    @property
    def version(self) -> int:
        match = PACKAGE_ARN.match(self.package_arn)
        return int(match["version"]) if match else 0

    @property
    def source(self) -> tuple[str, str]:
        """(bucket, key) of the artifact in dev's bucket."""
        match = S3_URI.match(self.model_data_url)
        if not match:
            raise ValueError(f"{self.model_data_url!r} is not an s3:// URI")
        return match["bucket"], match["key"] or ""


def check_model_package_arn(value: str) -> str | None:
    if PACKAGE_ARN.match(value):
        return None
    return (
        "is not a versioned model package ARN; allowed: "
        "arn:aws:sagemaker:<region>:<account>:model-package/<group>/<version>"
    )


def check_model_data_url(value: str) -> str | None:
    match = S3_URI.match(value)
    key = (match["key"] or "") if match else ""
    if key.startswith(f"{S3Layout.MODELS_PREFIX}/") and key.endswith(MODEL_ARCHIVE_SUFFIX):
        return None
    return (
        f"is not a model archive; allowed: s3://<bucket>/{S3Layout.MODELS_PREFIX}/..."
        f"{MODEL_ARCHIVE_SUFFIX}, the package's ModelDataUrl"
    )


def check_image_uri(value: str) -> str | None:
    if ECR_IMAGE.match(value):
        return None
    return "is not an ECR image; allowed: <account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>"


def source_problems(promoted: PromotedModel, region: str) -> dict[str, str]:
    """Problems by key (modelPackageArn, modelDataUrl, modelImageUri) with where they come
    from: dev's registry and bucket, and this stage's region; each value's form is valid."""
    package = PACKAGE_ARN.match(promoted.package_arn)
    image = ECR_IMAGE.match(promoted.image_uri)
    if not package or not image:
        return {}  # the forms are reported by their own checks
    dev = ResourceNames(PROJECT, MODEL_SOURCE_STAGE, package["account"], region)
    problems: dict[str, str] = {}
    if package["region"] != region:
        problems["modelPackageArn"] = f"is in {package['region']}; allowed: a package in {region}"
    elif package["group"] != dev.model_package_group:
        problems["modelPackageArn"] = (
            f"is not in dev's registry; allowed: a package of {dev.model_package_group}"
        )
    bucket, _ = promoted.source
    if bucket != dev.bucket:
        problems["modelDataUrl"] = (
            f"is not in dev's stack bucket; allowed: s3://{dev.bucket}/"
            f"{S3Layout.MODELS_PREFIX}/... (the package's account and this stage's region)"
        )
    registries = xgboost_registries(region)
    if image["region"] != region or image["repository"] != XGBOOST_REPOSITORY:
        problems["modelImageUri"] = (
            f"is not an AWS XGBoost image of {region}; allowed: "
            f"<account>.dkr.ecr.{region}.amazonaws.com/{XGBOOST_REPOSITORY}:<tag>"
        )
    elif image["account"] not in registries:
        problems["modelImageUri"] = (
            f"is not from AWS's XGBoost registries of {region}; allowed: an image of account "
            f"{' or '.join(sorted(registries)) or '(none published there)'}"
        )
    return problems


@functools.cache
def xgboost_registries(region: str) -> frozenset[str]:
    """The accounts AWS publishes its XGBoost serving images from in a region, read from the
    SageMaker SDK's image table without importing the SDK (which takes seconds)."""
    spec = importlib.util.find_spec("sagemaker")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    table = Path(next(iter(spec.submodule_search_locations)), "image_uri_config", "xgboost.json")
    versions = json.loads(table.read_text(encoding="utf-8"))["inference"]["versions"]
    return frozenset(
        v["registries"][region] for v in versions.values() if region in v.get("registries", {})
    )
