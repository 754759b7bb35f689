"""Pick a model a human approved in dev's model registry, for a stage that scores with it.

A stage in registry mode does not retrain: it scores with its own copy of one model version of
dev's registry. This module finds that version (the newest Approved one, or the one asked for),
refuses one the stage could not run, reads its evaluation report, and writes the choice into the
stage's stack file for review. It reads dev's account only: the stage's own is never touched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ml.contract import PROJECT, S3_URI, SERVING_ENVIRONMENT
from ml.operations.aws import check_account, paged
from ml.operations.evaluation_report import evaluation_summary
from ml.operations.stack_file import set_config_values
from ml.settings import Settings, build_settings, load_stack_settings
from ml.settings.promotion import ECR_IMAGE, PACKAGE_ARN
from ml.settings.sources import read_stack_file

MODEL_SOURCE_KEY = f"{PROJECT}:modelSource"
MODEL_PACKAGE_ARN_KEY = f"{PROJECT}:modelPackageArn"
MODEL_DATA_URL_KEY = f"{PROJECT}:modelDataUrl"
MODEL_IMAGE_URI_KEY = f"{PROJECT}:modelImageUri"
PROMOTION_KEYS = (MODEL_SOURCE_KEY, MODEL_PACKAGE_ARN_KEY, MODEL_DATA_URL_KEY, MODEL_IMAGE_URI_KEY)
REGISTRY_MODE = "registry"
APPROVED = "Approved"
COMPLETED = "Completed"

Report = Callable[[str], None]


class PromotionRefusedError(RuntimeError):
    pass


@dataclass(frozen=True)
class ApprovedModel:
    arn: str
    version: int
    model_data_url: str
    image_uri: str
    # The evaluation report the pipeline registered with the version, if any.
    evaluation_uri: str | None

    def stack_values(self) -> dict[str, str]:
        """The artifact and image are the package's own: the stage runs exactly what was
        approved, whatever the checkout would build today."""
        return {
            MODEL_SOURCE_KEY: REGISTRY_MODE,
            MODEL_PACKAGE_ARN_KEY: self.arn,
            MODEL_DATA_URL_KEY: self.model_data_url,
            MODEL_IMAGE_URI_KEY: self.image_uri,
        }


@dataclass(frozen=True)
class DevClients:
    sagemaker: Any
    sts: Any
    s3: Any


def dev_clients(dev: Settings) -> DevClients:
    import boto3

    session = boto3.Session(region_name=dev.region)
    return DevClients(session.client("sagemaker"), session.client("sts"), session.client("s3"))


def promote(
    project_dir: Path,
    stage: str,
    version: int | None,
    report: Report,
) -> ApprovedModel:
    """Check dev's package, show its metrics, then write it into Pulumi.<stage>.yaml."""
    dev = load_stack_settings(project_dir, "dev")
    target = target_settings(project_dir, stage)
    clients = dev_clients(dev)
    check_account(dev, clients.sts)
    model = choose_package(dev, target, clients.sagemaker, version)
    report(f"dev model version {model.version}: {model.arn}")
    report(f"  evaluation: {evaluation_summary(clients.s3, model.evaluation_uri)}")
    set_config_values(project_dir / f"Pulumi.{stage}.yaml", model.stack_values())
    return model


def target_settings(project_dir: Path, stage: str) -> Settings:
    """The stage's settings without the keys this command writes: they are about to be replaced,
    and a set of them the loader refuses must not stop the command that fixes it."""
    raw = read_stack_file(project_dir, stage)
    kept = {key: value for key, value in raw.items() if key not in PROMOTION_KEYS}
    return build_settings(kept, f"Pulumi.{stage}.yaml")


def choose_package(
    dev: Settings, target: Settings, sagemaker: Any, version: int | None
) -> ApprovedModel:
    """The version asked for, or else the newest Approved one, if the stage can run it."""
    arn = _newest_approved(dev, sagemaker) if version is None else _package_arn(dev, version)
    return check_package(_describe(sagemaker, arn, dev), dev, target)


def _package_arn(dev: Settings, version: int) -> str:
    names = dev.names
    return (
        f"arn:{names.partition}:sagemaker:{dev.region}:{dev.account_id}:"
        f"model-package/{names.model_package_group}/{version}"
    )


def _newest_approved(dev: Settings, sagemaker: Any) -> str:
    group = dev.names.model_package_group
    listing = paged(
        sagemaker,
        "list_model_packages",
        "ModelPackageSummaryList",
        ModelPackageGroupName=group,
        # Stated because the API's defaults are not what is meant: without a type it lists
        # unversioned packages only, and its default order is the oldest first.
        ModelPackageType="Versioned",
        ModelApprovalStatus=APPROVED,
        SortBy="CreationTime",
        SortOrder="Descending",
    )
    for summary in listing:
        if summary["ModelPackageStatus"] == COMPLETED:
            return str(summary["ModelPackageArn"])
    raise PromotionRefusedError(
        f"dev's model package group {group} has no Approved version whose status is "
        f"{COMPLETED}; allowed: approve a version in the registry first, or pass --version N"
    )


def _describe(sagemaker: Any, arn: str, dev: Settings) -> dict[str, Any]:
    from botocore.exceptions import ClientError

    try:
        described: dict[str, Any] = sagemaker.describe_model_package(ModelPackageName=arn)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ValidationException":
            raise
        raise PromotionRefusedError(
            f"cannot read model package {arn}: {error.response['Error'].get('Message')}; "
            f"allowed: a version of dev's group {dev.names.model_package_group}"
        ) from None
    return described


def check_package(described: Mapping[str, Any], dev: Settings, target: Settings) -> ApprovedModel:
    """Refuse, naming every problem at once, a package the stage must not or cannot run."""
    arn = str(described["ModelPackageArn"])
    problems = _status_problems(described) + _place_problems(arn, dev, target)
    containers = (described.get("InferenceSpecification") or {}).get("Containers") or []
    if len(containers) != 1:
        problems.append(
            f"its inference specification has {len(containers)} containers; allowed: exactly "
            "1, as the pipeline registers"
        )
        container: Mapping[str, Any] = {}
    else:
        container = containers[0]
        problems += _container_problems(container, target)
    if problems:
        lines = "\n".join(f"  - {problem}" for problem in problems)
        raise PromotionRefusedError(f"refusing model package {arn}:\n{lines}")
    statistics = ((described.get("ModelMetrics") or {}).get("ModelQuality") or {}).get(
        "Statistics"
    ) or {}
    return ApprovedModel(
        arn=arn,
        version=int(arn.rsplit("/", 1)[1]),
        model_data_url=container["ModelDataUrl"],
        image_uri=container["Image"],
        evaluation_uri=statistics.get("S3Uri"),
    )


def _status_problems(described: Mapping[str, Any]) -> list[str]:
    problems = []
    approval = described.get("ModelApprovalStatus")
    if approval != APPROVED:
        problems.append(
            f"its approval status is {approval}; allowed: {APPROVED} (a human approves a "
            "version in dev's model registry)"
        )
    status = described.get("ModelPackageStatus")
    if status != COMPLETED:
        problems.append(f"its status is {status}; allowed: {COMPLETED}")
    return problems


def _place_problems(arn: str, dev: Settings, target: Settings) -> list[str]:
    parts = PACKAGE_ARN.match(arn)
    group = dev.names.model_package_group
    if parts is None:
        return [f"its ARN is not that of a model package version; allowed: {_package_arn(dev, 1)}"]
    problems = []
    if parts["account"] != dev.account_id:
        problems.append(
            f"it is in account {parts['account']}; allowed: dev's account {dev.account_id} "
            f"({PROJECT}:accountId in Pulumi.dev.yaml)"
        )
    if parts["region"] != target.region:
        problems.append(_region_problem("it is", parts["region"], target))
    if parts["group"] != group:
        problems.append(f"it belongs to group {parts['group']}; allowed: dev's group {group}")
    return problems


def _container_problems(container: Mapping[str, Any], target: Settings) -> list[str]:
    problems = []
    environment = container.get("Environment") or {}
    for name, expected in SERVING_ENVIRONMENT.items():
        if environment.get(name) != expected:
            problems.append(
                f"its container's {name} is {environment.get(name)!r}; allowed: {expected!r}, "
                "the serving code the pipeline ships inside model.tar.gz"
            )
    image = container.get("Image")
    image_parts = ECR_IMAGE.match(image) if isinstance(image, str) else None
    if image_parts is None:
        problems.append(f"its container's Image is {image!r}; allowed: an ECR image URI")
    elif image_parts["region"] != target.region:
        problems.append(_region_problem("its image is", image_parts["region"], target))
    data_url = container.get("ModelDataUrl")
    if not (isinstance(data_url, str) and S3_URI.match(data_url) and data_url.endswith(".tar.gz")):
        problems.append(
            f"its container's ModelDataUrl is {data_url!r}; allowed: an s3://... .tar.gz artifact"
        )
    return problems


def _region_problem(what: str, region: str, target: Settings) -> str:
    return (
        f"{what} in region {region}; allowed: {target.region}, the region of {target.stage} "
        f"(aws:region in Pulumi.{target.stage}.yaml), where its copy of the model runs"
    )
