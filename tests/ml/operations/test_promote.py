"""`promote-model` against dev's registry as moto plays it, writing into copies of the real
stack files. The written file is compared as text: the settings loader does not read these keys."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

from ml.cli import main
from ml.settings import load_stack_settings
from tests.support.dev_account import REGION
from tests.support.dev_registry import (
    IMAGE,
    SHOWN,
    artifact,
    copy_stack_files,
    create_group,
    package_arn,
    promoted,
    register,
    report_uri,
)

PROMOTED = (
    "ml-batch-pipeline:modelSource",
    "ml-batch-pipeline:modelPackageArn",
    "ml-batch-pipeline:modelDataUrl",
    "ml-batch-pipeline:modelImageUri",
)


@dataclass(frozen=True)
class Registry:
    sagemaker: Any
    s3: Any
    project: Path

    def register(self, run: str, approval: str, environment: dict[str, str] | None = None) -> str:
        return register(self.sagemaker, self.s3, run, approval, environment)

    def reject(self, arn: str) -> None:
        self.sagemaker.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Rejected")

    def stack_file(self, stage: str = "prod") -> Path:
        return self.project / f"Pulumi.{stage}.yaml"

    def promote(self, *arguments: str) -> int:
        return main(["promote-model", *arguments, "--project-dir", str(self.project)])


@pytest.fixture
def registry(aws_env: None, project_dir: Path, tmp_path: Path) -> Iterator[Registry]:
    with mock_aws():
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        s3 = boto3.client("s3", region_name=REGION)
        create_group(sagemaker, s3)
        yield Registry(sagemaker, s3, copy_stack_files(project_dir, tmp_path))


@pytest.fixture
def four_versions(registry: Registry) -> Registry:
    """1 and 2 approved; 3, newer, still waits for a human; 4, the newest, was rejected."""
    registry.register("run-1", "Approved")
    registry.register("run-2", "Approved")
    registry.register("run-3", "PendingManualApproval")
    registry.reject(registry.register("run-4", "PendingManualApproval"))
    return registry


def test_the_newest_approved_version_is_written_into_the_stage(
    four_versions: Registry, capsys: pytest.CaptureFixture[str]
) -> None:
    stack_file = four_versions.stack_file()
    original = stack_file.read_text(encoding="utf-8")
    assert four_versions.promote("--to", "prod") == 0
    assert stack_file.read_text(encoding="utf-8") == promoted(original, 2, "run-2")
    config = yaml.safe_load(stack_file.read_text(encoding="utf-8"))["config"]
    assert {key: config[key] for key in PROMOTED} == {
        "ml-batch-pipeline:modelSource": "registry",
        "ml-batch-pipeline:modelPackageArn": package_arn(2),
        "ml-batch-pipeline:modelDataUrl": artifact("run-2"),
        "ml-batch-pipeline:modelImageUri": IMAGE,
    }
    assert capsys.readouterr().out.splitlines() == [
        f"dev model version 2: {package_arn(2)}",
        f"  evaluation: {SHOWN} ({report_uri('run-2')})",
        "wrote Pulumi.prod.yaml: prod scores with dev model version 2",
        f"  package:  {package_arn(2)}",
        f"  artifact: {artifact('run-2')}",
        f"  image:    {IMAGE}",
        "next: open a pull request with Pulumi.prod.yaml; its preview shows the change",
    ]


def test_comments_order_and_layout_of_the_stack_file_are_kept(
    four_versions: Registry, project_dir: Path
) -> None:
    assert four_versions.promote("--to", "prod") == 0
    original = (project_dir / "Pulumi.prod.yaml").read_text(encoding="utf-8").splitlines()
    written = four_versions.stack_file().read_text(encoding="utf-8").splitlines()
    comments = [line for line in original if line.lstrip().startswith("#")]
    assert comments  # the real file has a header and a comment inside config:
    assert [line for line in written if line.lstrip().startswith("#")] == comments
    # Every line stays where it was, the model source switched in place; the rest follows it.
    assert written[: len(original) - 1] == original[:-1]
    assert [line.split(":", 2)[1] for line in written[len(original) - 1 :]] == [
        "modelSource",
        "modelPackageArn",
        "modelDataUrl",
        "modelImageUri",
    ]
    assert written[len(original) - 1].endswith("modelSource: registry")


def test_running_again_with_another_version_updates_the_keys_in_place(
    four_versions: Registry,
) -> None:
    stack_file = four_versions.stack_file("preprod")
    original = stack_file.read_text(encoding="utf-8")
    assert four_versions.promote("--to", "preprod") == 0
    assert four_versions.promote("--to", "preprod", "--version", "1") == 0
    assert stack_file.read_text(encoding="utf-8") == promoted(original, 1, "run-1")


@pytest.mark.parametrize(("version", "status"), [(3, "PendingManualApproval"), (4, "Rejected")])
def test_a_version_no_human_approved_is_refused_and_nothing_is_written(
    four_versions: Registry, version: int, status: str, capsys: pytest.CaptureFixture[str]
) -> None:
    original = four_versions.stack_file().read_bytes()
    assert four_versions.promote("--to", "prod", "--version", str(version)) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: refusing model package {package_arn(version)}:",
        f"  - its approval status is {status}; allowed: Approved (a human approves a version "
        "in dev's model registry)",
    ]
    assert four_versions.stack_file().read_bytes() == original


def test_a_version_in_another_region_than_the_stage_is_refused(
    four_versions: Registry, capsys: pytest.CaptureFixture[str]
) -> None:
    stack_file = four_versions.stack_file()
    moved = stack_file.read_text(encoding="utf-8").replace(
        "aws:region: eu-west-1", "aws:region: us-east-1"
    )
    stack_file.write_text(moved, encoding="utf-8")
    assert four_versions.promote("--to", "prod", "--version", "2") == 1
    where = "the region of prod (aws:region in Pulumi.prod.yaml), where its copy of the model runs"
    assert capsys.readouterr().err.splitlines()[1:] == [
        f"  - it is in region {REGION}; allowed: us-east-1, {where}",
        f"  - its image is in region {REGION}; allowed: us-east-1, {where}",
    ]
    assert stack_file.read_text(encoding="utf-8") == moved


def test_a_version_with_another_serving_environment_is_refused(
    registry: Registry, capsys: pytest.CaptureFixture[str]
) -> None:
    serving_elsewhere = {"SAGEMAKER_PROGRAM": "serve.py", "SAGEMAKER_SUBMIT_DIRECTORY": "/code"}
    registry.register("run-1", "Approved", serving_elsewhere)
    original = registry.stack_file().read_bytes()
    assert registry.promote("--to", "prod") == 1
    shipped = "the serving code the pipeline ships inside model.tar.gz"
    assert capsys.readouterr().err.splitlines()[1:] == [
        f"  - its container's SAGEMAKER_PROGRAM is 'serve.py'; allowed: 'inference.py', {shipped}",
        "  - its container's SAGEMAKER_SUBMIT_DIRECTORY is '/code'; allowed: "
        f"'/opt/ml/model/code', {shipped}",
    ]
    assert registry.stack_file().read_bytes() == original


def test_a_group_without_an_approved_version_is_refused(
    registry: Registry, capsys: pytest.CaptureFixture[str]
) -> None:
    registry.register("run-1", "PendingManualApproval")
    assert registry.promote("--to", "prod") == 1
    assert capsys.readouterr().err == (
        "error: dev's model package group ml-batch-pipeline-dev-models has no Approved version "
        "whose status is Completed; allowed: approve a version in the registry first, or pass "
        "--version N\n"
    )


def test_a_version_that_does_not_exist_is_refused(
    registry: Registry, capsys: pytest.CaptureFixture[str]
) -> None:
    assert registry.promote("--to", "prod", "--version", "7") == 1
    error = capsys.readouterr().err
    assert error.startswith(f"error: cannot read model package {package_arn(7)}: ")
    assert error.endswith("; allowed: a version of dev's group ml-batch-pipeline-dev-models\n")


def test_metrics_that_cannot_be_read_are_reported_and_the_model_is_still_written(
    registry: Registry, project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry.register("run-1", "Approved")
    registry.s3.delete_object(
        Bucket=report_uri("run-1").split("/")[2],
        Key=report_uri("run-1").split("/", 3)[3],
    )
    assert registry.promote("--to", "prod") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == f"  evaluation: not shown: cannot read {report_uri('run-1')}: NoSuchKey"
    original = (project_dir / "Pulumi.prod.yaml").read_text(encoding="utf-8")
    assert registry.stack_file().read_text(encoding="utf-8") == promoted(original, 1, "run-1")


def test_credentials_of_another_account_are_refused_before_reading_the_registry(
    four_versions: Registry, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    original = four_versions.stack_file().read_bytes()
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "999999999999")
    assert four_versions.promote("--to", "prod") == 1
    error = capsys.readouterr().err
    assert "stack 'dev' deploys to account 111111111111 (ml-batch-pipeline:accountId)" in error
    assert "belong to account 999999999999" in error
    assert four_versions.stack_file().read_bytes() == original


def test_only_preprod_and_prod_can_be_promoted_to(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["promote-model", "--to", "dev"])
    assert exited.value.code == 2
    # How argparse quotes the choices differs between Python releases.
    error = capsys.readouterr().err
    assert error.startswith("python -m ml promote-model: error: argument --to: invalid choice: ")
    assert "'dev' (choose from " in error
    assert "preprod" in error


def test_the_promoted_stack_file_loads_in_registry_mode(four_versions: Registry) -> None:
    assert four_versions.promote("--to", "prod") == 0
    settings = load_stack_settings(four_versions.project, "prod")
    assert settings.promoted_model is not None
    assert settings.promoted_model.package_arn == package_arn(2)
    assert settings.promoted_model.model_data_url == artifact("run-2")
