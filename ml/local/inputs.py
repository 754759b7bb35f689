"""What `python -m ml run` checks before the first step runs: every input a user gives it.

Each problem is one line naming the argument, the file (and line) and what is allowed; nothing
is written until every input is valid.
"""

from __future__ import annotations

from pathlib import Path

from ml.local.step_modules import abalone


class InputError(ValueError):
    pass


def check_run_inputs(input_csv: Path, batch_csv: Path | None, output: Path) -> None:
    _check_file("--input", input_csv)
    if batch_csv is not None:
        _check_file("--batch", batch_csv)
    if output.exists() and not output.is_dir():
        raise InputError(f"--output: {output} is a file; allowed: a folder (created if missing)")
    _check_rows("--input", input_csv, with_label=True)
    if batch_csv is not None:
        _check_rows("--batch", batch_csv, with_label=False)


def check_score_inputs(model: Path, batch_csv: Path | None, output: Path) -> None:
    _check_file("--model", model)
    if not model.name.endswith(".tar.gz"):
        raise InputError(f"--model: {model} is not a model archive; allowed: a model.tar.gz")
    if batch_csv is None:
        raise InputError("--batch: required with --model; allowed: a CSV file of rows to score")
    _check_file("--batch", batch_csv)
    if output.exists() and not output.is_dir():
        raise InputError(f"--output: {output} is a file; allowed: a folder (created if missing)")
    _check_rows("--batch", batch_csv, with_label=False)


def _check_file(argument: str, path: Path) -> None:
    if not path.exists():
        raise InputError(f"{argument}: {path} does not exist")
    if not path.is_file():
        raise InputError(f"{argument}: {path} is not a file; allowed: one CSV file")


def _check_rows(argument: str, path: Path, *, with_label: bool) -> None:
    try:
        frame = abalone.parse_rows(path.read_bytes(), with_label=with_label, source=str(path))
    except abalone.DataError as error:
        raise InputError(f"{argument}: {error}") from None
    if with_label and len(frame) < abalone.MIN_TRAINING_ROWS:
        raise InputError(
            f"{argument}: {path} has {len(frame)} rows; at least "
            f"{abalone.MIN_TRAINING_ROWS} are needed to train, validate and test"
        )


def unlabelled_rows(input_csv: Path) -> bytes:
    """The input rows without their label, to score when no --batch is given."""
    lines = input_csv.read_bytes().splitlines()
    return b"".join(line.rsplit(b",", 1)[0] + b"\n" for line in lines if line.strip())
