"""A stage in registry mode is given a package approved in dev's registry, its artifact in dev's
bucket and an AWS XGBoost image, all in the stage's region; train mode takes none of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ml.contract import STAGES
from ml.settings import SettingsError, build_settings, load_stack_settings
from ml.settings.loader import with_promotion_checked
from ml.settings.promotion import PromotedModel
from ml.settings.sources import read_stack_file
from tests.support.promotion import IMAGE_URI, MODEL_DATA_URL, PACKAGE_ARN, REGISTRY_MODE

NS = "ml-batch-pipeline"


def prod_with(**changes: Any) -> Any:
    raw = read_stack_file(Path(__file__).resolve().parents[3], "prod") | REGISTRY_MODE
    for key, value in changes.items():
        if value is None:
            raw.pop(f"{NS}:{key}", None)
        else:
            raw[f"{NS}:{key}"] = value
    return build_settings(raw, "Pulumi.prod.yaml")


def problems(**changes: Any) -> list[str]:
    with pytest.raises(SettingsError) as raised:
        prod_with(**changes)
    return raised.value.problems


@pytest.mark.parametrize("stack", STAGES)
def test_every_stack_trains_by_default(project_dir: Path, stack: str) -> None:
    settings = load_stack_settings(project_dir, stack)
    assert (settings.model_source, settings.promoted_model) == ("train", None)


def test_a_promoted_model_loads_with_its_provenance() -> None:
    settings = prod_with()
    assert settings.model_source == "registry"
    assert settings.promoted_model == PromotedModel(PACKAGE_ARN, MODEL_DATA_URL, IMAGE_URI)
    assert settings.promoted_model.version == 3
    assert settings.promoted_model.source == (
        "ml-batch-pipeline-dev-111111111111-eu-west-1",
        "models/ml-batch-pipeline-dev-train-abc123/output/model.tar.gz",
    )


def test_dev_trains_the_models_the_others_promote(project_dir: Path) -> None:
    raw = read_stack_file(project_dir, "dev") | REGISTRY_MODE
    with pytest.raises(SettingsError) as raised:
        build_settings(raw, "Pulumi.dev.yaml")
    assert raised.value.problems == [
        "ml-batch-pipeline:modelSource: 'registry' is for the stages that promote dev's models; "
        "allowed: train (dev trains them)"
    ]


def test_train_mode_refuses_registry_values() -> None:
    assert problems(modelSource="train", modelDataUrl=None, modelImageUri=None) == [
        f"ml-batch-pipeline:modelPackageArn: {PACKAGE_ARN!r} is used only with modelSource: "
        "registry; allowed: empty"
    ]


def test_registry_mode_needs_every_value() -> None:
    assert problems(modelDataUrl=None) == [
        "ml-batch-pipeline:modelDataUrl: '' is required with modelSource: registry; allowed: "
        "what `python -m ml promote-model` writes"
    ]


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        (
            "modelPackageArn",
            PACKAGE_ARN.replace("eu-west-1", "us-east-1"),
            "is in us-east-1; allowed: a package in eu-west-1",
        ),
        (
            "modelPackageArn",
            PACKAGE_ARN.replace("ml-batch-pipeline-dev-models", "someone-elses-models"),
            "is not in dev's registry; allowed: a package of ml-batch-pipeline-dev-models",
        ),
        (
            "modelDataUrl",
            MODEL_DATA_URL.replace("ml-batch-pipeline-dev-", "ml-batch-pipeline-preprod-"),
            "is not in dev's stack bucket; allowed: "
            "s3://ml-batch-pipeline-dev-111111111111-eu-west-1/models/... "
            "(the package's account and this stage's region)",
        ),
        (
            "modelImageUri",
            IMAGE_URI.replace("sagemaker-xgboost", "my-own-server"),
            "is not an AWS XGBoost image of eu-west-1; allowed: "
            "<account>.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:<tag>",
        ),
        (
            "modelImageUri",
            IMAGE_URI.replace("141502667606", "999999999999"),
            "is not from AWS's XGBoost registries of eu-west-1; allowed: an image of account "
            "141502667606 or 685385470294",
        ),
        (
            "modelDataUrl",
            MODEL_DATA_URL.replace("/models/", "/executions/"),
            "is not a model archive; allowed: s3://<bucket>/models/....tar.gz, the package's "
            "ModelDataUrl",
        ),
    ],
)
def test_registry_values_must_come_from_dev_in_this_region(
    key: str, value: str, problem: str
) -> None:
    assert problems(**{key: value}) == [f"ml-batch-pipeline:{key}: {value!r} {problem}"]


def test_the_package_must_be_in_the_account_dev_s_stack_file_names(project_dir: Path) -> None:
    elsewhere = prod_with(
        modelPackageArn=PACKAGE_ARN.replace("111111111111", "999999999999"),
        modelDataUrl=MODEL_DATA_URL.replace("111111111111", "999999999999"),
    )
    with pytest.raises(SettingsError) as raised:
        with_promotion_checked(elsewhere, project_dir, "Pulumi.prod.yaml")
    assert raised.value.problems == [
        f"ml-batch-pipeline:modelPackageArn: {elsewhere.promoted_model.package_arn!r} is in "
        "account 999999999999; allowed: a package of dev's account 111111111111 (Pulumi.dev.yaml)"
    ]
    assert with_promotion_checked(prod_with(), project_dir, "Pulumi.prod.yaml") == prod_with()
