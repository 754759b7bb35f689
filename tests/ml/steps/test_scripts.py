"""The step scripts on real files: what each writes, and what bad input does."""

from __future__ import annotations

import ast
import json
import re
import shutil
import tarfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import abalone
import evaluate
import inference
import preprocess
import train
from ml.contract import STEP_SCRIPTS_PYTHON
from ml.definition.inputs import DEFAULT_HYPERPARAMETERS
from ml.packaging import STEPS_DIR


@pytest.fixture(scope="module")
def preprocessed(abalone_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("input")
    shutil.copy(abalone_csv, data / "abalone.csv")
    out = tmp_path_factory.mktemp("preprocessed")
    assert preprocess.main(["--input-dir", str(data), "--output-dir", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def model_archive(preprocessed: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    model_dir = tmp_path_factory.mktemp("model")
    # The definition's hyperparameters, with fewer rounds: what SageMaker passes, only faster.
    hyperparameters = DEFAULT_HYPERPARAMETERS | {"num_round": "50"}
    args = [
        *(f"--{name}={value}" for name, value in hyperparameters.items()),
        *("--model-dir", str(model_dir), "--preprocessing", str(preprocessed / "preprocessing")),
        *("--train", str(preprocessed / "train"), "--validation", str(preprocessed / "validation")),
    ]
    assert train.main(args) == 0
    archive = model_dir.parent / f"{model_dir.name}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(model_dir, arcname=".")
    return archive


def test_preprocess_splits_with_a_seed_and_fits_on_training_rows_only(preprocessed: Path) -> None:
    train_rows = np.loadtxt(preprocessed / "train" / "train.csv", delimiter=",")
    validation_rows = np.loadtxt(preprocessed / "validation" / "validation.csv", delimiter=",")
    test_rows = (preprocessed / "test" / "test.csv").read_text().splitlines()
    assert (len(train_rows), len(validation_rows), len(test_rows)) == (420, 90, 90)
    assert train_rows.shape[1] == 1 + len(abalone.feature_names())
    # Scaled with the training split's own statistics: mean 0, std 1 there and only there.
    np.testing.assert_allclose(train_rows[:, 1:8].mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(train_rows[:, 1:8].std(axis=0), 1, atol=1e-3)
    assert np.abs(validation_rows[:, 1:8].mean(axis=0)).max() > 1e-4
    document = json.loads((preprocessed / "preprocessing" / "preprocessing.json").read_text())
    assert document["version"] == abalone.PREPROCESSING_VERSION


def test_preprocess_is_deterministic(abalone_csv: Path, tmp_path: Path, preprocessed: Path) -> None:
    data = tmp_path / "in"
    data.mkdir()
    shutil.copy(abalone_csv, data / "abalone.csv")
    preprocess.main(["--input-dir", str(data), "--output-dir", str(tmp_path / "out")])
    for name in ("train/train.csv", "test/test.csv", "preprocessing/preprocessing.json"):
        assert (tmp_path / "out" / name).read_bytes() == (preprocessed / name).read_bytes()


def test_preprocess_rejects_bad_data_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "in"
    data.mkdir()
    (data / "bad.csv").write_text("M,0.4,0.3,0.1,0.5,0.2,0.1,0.15,9\nM,0.4,0.3\n")
    assert preprocess.main(["--input-dir", str(data), "--output-dir", str(tmp_path / "out")]) == 2
    assert "bad.csv: expected 9 columns" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_preprocess_needs_enough_rows(tmp_path: Path) -> None:
    (tmp_path / "few.csv").write_text("M,0.4,0.3,0.1,0.5,0.2,0.1,0.15,9\n" * 5)
    with pytest.raises(abalone.DataError, match="5 rows; at least 20 are needed"):
        preprocess.read_input(tmp_path)


def test_trained_model_folder_is_self_contained(model_archive: Path) -> None:
    with tarfile.open(model_archive) as tar:
        names = {Path(n).as_posix().removeprefix("./") for n in tar.getnames()}
    assert {
        "xgboost-model.json",
        "preprocessing.json",
        "code/inference.py",
        "code/abalone.py",
    } <= names


def test_evaluate_scores_test_rows_through_the_serving_code(
    model_archive: Path, preprocessed: Path, tmp_path: Path
) -> None:
    args = ["--model-archive", str(model_archive), "--test-dir", str(preprocessed / "test"),
            "--output-dir", str(tmp_path)]  # fmt: skip
    assert evaluate.main(args) == 0
    report = json.loads((tmp_path / "evaluation.json").read_text())
    metrics = report["regression_metrics"]
    assert set(metrics) == {"mse", "rmse", "mae", "r2"}
    assert metrics["rmse"]["value"] == pytest.approx(metrics["mse"]["value"] ** 0.5)
    assert 0 < metrics["mse"]["value"] < 8.0
    assert 0.3 < metrics["r2"]["value"] < 1.0
    assert report["rows"] == 90


def test_regression_metrics_values() -> None:
    metrics = evaluate.regression_metrics(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0]))
    assert metrics["mse"]["value"] == pytest.approx(4 / 3)
    assert metrics["mae"]["value"] == pytest.approx(2 / 3)
    assert metrics["r2"]["value"] == pytest.approx(1 - 4 / 2)


def test_evaluate_refuses_an_archive_that_escapes_its_folder(tmp_path: Path) -> None:
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("../escape.py")
        tar.addfile(info)
    with pytest.raises(abalone.DataError, match=re.escape("unsafe member '../escape.py'")):
        abalone.extract_model(archive, tmp_path / "x")


def test_serving_handlers_take_raw_rows(model_archive: Path, tmp_path: Path) -> None:
    abalone.extract_model(model_archive, tmp_path)
    model = inference.model_fn(str(tmp_path))
    body = "M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15\nI,0.33,,0.08,0.2,0.09,0.04,0.06\n"
    predictions = inference.predict_fn(inference.input_fn(body, "text/csv"), model)
    lines = inference.output_fn(predictions, "text/csv").splitlines()
    assert len(lines) == 2
    assert all(1 <= float(v) <= 29 for v in lines)
    with pytest.raises(inference.UnsupportedContentType, match="send text/csv"):
        inference.input_fn(body, "application/json")
    with pytest.raises(abalone.DataError, match="request: expected 8 columns"):
        inference.input_fn("M,1\n", "text/csv")


def test_step_scripts_parse_as_python_3_10() -> None:
    for script in STEPS_DIR.glob("*.py"):
        ast.parse(script.read_text(), filename=script.name, feature_version=STEP_SCRIPTS_PYTHON)


def test_builder_container_paths_match_the_scripts_defaults() -> None:
    from ml.definition import jobs

    defaults = {
        "preprocess.py": [
            jobs.PREPROCESS_INPUT_DIR,
            jobs.PREPROCESS_OUTPUT_DIR,
            jobs.SHARED_CODE_DIR,
        ],
        "evaluate.py": [
            jobs.EVALUATE_MODEL_DIR,
            jobs.EVALUATE_TEST_DIR,
            jobs.EVALUATE_OUTPUT_DIR,
        ],
    }
    for script, paths in defaults.items():
        text = (STEPS_DIR / script).read_text()
        for path in paths:
            assert f'"{path}' in text, (script, path)


def test_training_takes_exactly_the_hyperparameters_the_definition_passes(
    dev_definition: dict[str, Any],
) -> None:
    assert tuple(DEFAULT_HYPERPARAMETERS) == train.HYPERPARAMETERS
    (training,) = [s for s in dev_definition["Steps"] if s["Type"] == "Training"]
    passed = training["Arguments"]["HyperParameters"]
    # The SDK passes each value JSON-encoded, beside its own sagemaker_* entries.
    assert {k: json.loads(v) for k, v in passed.items() if not k.startswith("sagemaker_")} == (
        DEFAULT_HYPERPARAMETERS
    )


def test_training_refuses_to_run_without_a_hyperparameter(preprocessed: Path) -> None:
    with pytest.raises(SystemExit):
        train.main(["--train", str(preprocessed / "train")])
