"""The local runner end to end, through the command line a user types."""

from __future__ import annotations

import random
import tarfile
from pathlib import Path

import pytest

from ml.cli import main
from ml.sample_data import generate, write


@pytest.mark.slow
def test_run_trains_gates_and_scores_the_batch(
    abalone_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "batch.csv"
    write(generate(50, seed=9), batch, with_label=False)
    assert (
        main(
            [
                "run",
                "--input",
                str(abalone_csv),
                "--batch",
                str(batch),
                "--output",
                str(tmp_path / "out"),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "[4/5] QualityGate: passed: test mse" in printed
    predictions = (tmp_path / "out" / "transform" / "batch.csv.out").read_text().splitlines()
    inputs = batch.read_text().splitlines()
    assert len(predictions) == len(inputs) == 50
    for row, scored in zip(inputs, predictions, strict=True):
        assert scored.startswith(row + ",")
        assert 1 <= float(scored.rsplit(",", 1)[1]) <= 29
    assert not list((tmp_path / "out").glob("*.partial"))


@pytest.mark.slow
def test_a_failed_gate_stops_before_the_transform(
    abalone_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = abalone_csv.read_text().splitlines()
    labels = [line.rsplit(",", 1)[1] for line in lines]
    random.Random(1).shuffle(labels)
    shuffled = tmp_path / "shuffled.csv"
    rows = zip(lines, labels, strict=True)
    shuffled.write_text("".join(f"{line.rsplit(',', 1)[0]},{y}\n" for line, y in rows))
    code = main(["run", "--input", str(shuffled), "--output", str(tmp_path / "out")])
    assert code == 1
    error = capsys.readouterr().err
    assert error.startswith("Quality gate failed: test mse ")
    assert "is above MseThreshold 8.0; the model was not registered" in error
    assert (tmp_path / "out" / "evaluate" / "evaluation.json").is_file()
    assert not (tmp_path / "out" / "transform").exists()


@pytest.mark.slow
def test_a_failed_step_stops_the_run_with_its_error(tmp_path: Path) -> None:
    """The command line refuses such rows up front; the step itself still refuses them, as it
    does in SageMaker, and the run stops with the step's own error and no half-written output."""
    from ml.local.runner import StepFailed, run_pipeline

    bad = tmp_path / "bad.csv"
    bad.write_text("M,0.4,0.3,0.1,0.5,0.2,0.1,0.15,9\nZ,0.4,0.3,0.1,0.5,0.2,0.1,0.15,9\n" * 20)
    with pytest.raises(StepFailed) as failed:
        run_pipeline(bad, bad, tmp_path / "out", 8.0, report=lambda _: None)
    assert "Preprocess failed: preprocess: bad input: bad.csv: sex has unknown category 'Z'" in (
        str(failed.value)
    )
    assert not (tmp_path / "out" / "preprocess").exists()
    assert not (tmp_path / "out" / "preprocess.partial").exists()


def test_missing_input_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--input", str(tmp_path / "nope.csv"), "--output", str(tmp_path)]) == 2
    assert "nope.csv does not exist" in capsys.readouterr().err


@pytest.mark.slow
def test_a_promoted_archive_scores_with_its_own_serving_code(
    abalone_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "batch.csv"
    write(generate(20, seed=5), batch, with_label=False)
    trained = tmp_path / "trained"
    assert (
        main(["run", "--input", str(abalone_csv), "--batch", str(batch), "--output", str(trained)])
        == 0
    )
    archive = trained / "train" / "model.tar.gz"
    promoted = tmp_path / "promoted.tar.gz"
    _with_serving_code_that_answers_42(archive, promoted, tmp_path / "unpacked")
    capsys.readouterr()
    assert (
        main(
            [
                "run",
                "--model",
                str(promoted),
                "--batch",
                str(batch),
                "--output",
                str(tmp_path / "scored"),
            ]
        )
        == 0
    )
    scored = (tmp_path / "scored" / "transform" / "batch.csv.out").read_text().splitlines()
    assert [line.rsplit(",", 1)[1] for line in scored] == ["42"] * 20
    # The archive this checkout trained scores as the training run did.
    assert (
        main(
            [
                "run",
                "--model",
                str(archive),
                "--batch",
                str(batch),
                "--output",
                str(tmp_path / "again"),
            ]
        )
        == 0
    )
    assert (tmp_path / "again" / "transform" / "batch.csv.out").read_text() == (
        trained / "transform" / "batch.csv.out"
    ).read_text()


def _with_serving_code_that_answers_42(archive: Path, target: Path, scratch: Path) -> None:
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(scratch, filter="data")
    handlers = scratch / "code" / "inference.py"
    handlers.write_text(
        handlers.read_text()
        + "\n\ndef output_fn(predictions, accept):\n    return '42\\n' * len(predictions)\n"
    )
    with tarfile.open(target, "w:gz") as tar:
        tar.add(scratch, arcname=".")


def test_scoring_with_a_model_needs_rows_to_score(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "model.tar.gz"
    archive.write_bytes(b"")
    assert main(["run", "--model", str(archive), "--output", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == (
        "error: --batch: required with --model; allowed: a CSV file of rows to score\n"
    )
