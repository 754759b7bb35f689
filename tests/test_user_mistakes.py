"""Every user mistake gets one clear line and exit code 2, before any work, and writes nothing.

Tracebacks are for our own bugs only. Each case runs the real command line (`python -m ml`,
`python -m offline.plan`) in-process on files it makes in a temporary folder.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ml import cli
from ml.sample_data import generate, write
from offline import plan

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mistake:
    name: str
    argv: Callable[[Path], list[str]]
    expected: str
    command: Callable[[list[str]], int] = cli.main

    def __str__(self) -> str:
        return self.name


def training(tmp: Path, rows: int = 200) -> Path:
    path = tmp / "abalone.csv"
    write(generate(rows, seed=3), path)
    return path


def batch_with(tmp: Path, text: str) -> Path:
    path = tmp / "batch.csv"
    path.write_text(text, encoding="utf-8")
    return path


def run(tmp: Path, *extra: str, rows: int = 200) -> list[str]:
    return ["run", "--input", str(training(tmp, rows)), "--output", str(tmp / "out"), *extra]


ROW = "M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15"


def stack_copy(tmp: Path, stack_text: str) -> Path:
    project = tmp / "project"
    project.mkdir()
    shutil.copy(ROOT / "Pulumi.yaml", project / "Pulumi.yaml")
    (project / "Pulumi.dev.yaml").write_text(stack_text, encoding="utf-8")
    return project


def scoring(text: str) -> Callable[[Path], list[str]]:
    return lambda t: run(t, "--batch", str(batch_with(t, text)))


def definition(*extra: str) -> Callable[[Path], list[str]]:
    return lambda _: ["definition", "--stack", "dev", *extra]


BROKEN_YAML = "config:\n  a: [1,\n"
MISTAKES = [
    Mistake(
        "batch missing",
        lambda t: run(t, "--batch", str(t / "nope.csv")),
        "--batch: {tmp}/nope.csv does not exist",
    ),
    Mistake("batch is a folder", lambda t: run(t, "--batch", str(t)), "is not a file"),
    Mistake(
        "labelled batch",
        scoring(ROW + ",15\n"),
        "the rows look labelled: drop the last column (rings)",
    ),
    Mistake("short rows", scoring("M,0.4,0.3\n"), "expected 8 columns"),
    Mistake(
        "text value",
        scoring(ROW.replace("0.455", "x") + "\n"),
        "length is not a number (e.g. 'x') on line 1",
    ),
    Mistake(
        "NA is not missing",
        scoring(ROW.replace("0.455", "NA") + "\n"),
        "length is not a number (e.g. 'NA')",
    ),
    Mistake("empty batch", scoring("\n"), "the file has no rows"),
    Mistake(
        "output is a file",
        lambda t: ["run", "--input", str(training(t)), "--output", str(training(t))],
        "--output: {tmp}/abalone.csv is a file",
    ),
    Mistake(
        "too few training rows",
        lambda t: run(t, rows=5),
        "--input: {tmp}/abalone.csv has 5 rows; at least 20 are needed",
    ),
    Mistake(
        "extra training column",
        lambda t: ["run", "--input", str(batch_with(t, (ROW + ",9,1\n") * 30)), "--output", "o"],
        "expected 9 columns",
    ),
    Mistake(
        "broken stack file",
        lambda t: definition("--project-dir", str(stack_copy(t, BROKEN_YAML)))(t),
        "Pulumi.dev.yaml at line 3, column 1:",
    ),
    Mistake(
        "key ARN not an ARN",
        definition("--kms-key-arn", "garbage"),
        "--kms-key-arn 'garbage' is not a KMS key ARN",
    ),
    Mistake(
        "scoring without its model",
        definition("--scoring"),
        "--scoring needs --model-data-url",
    ),
    Mistake(
        "model options without scoring",
        definition("--model-data-url", "s3://bucket/models/model.tar.gz"),
        "--model-data-url only applies with --scoring",
    ),
    Mistake(
        "model data not in S3",
        definition("--scoring", "--model-data-url", "models/model.tar.gz"),
        "--model-data-url 'models/model.tar.gz' is not an S3 URI",
    ),
    Mistake(
        "parameter of the wrong type",
        lambda _: ["execute", "--stack", "dev", "--param", "MseThreshold=abc"],
        "--param MseThreshold='abc' is not a number",
    ),
    Mistake(
        "model version not a version",
        lambda _: ["promote-model", "--to", "prod", "--version", "0"],
        "argument --version: '0' is not a version; allowed: 1, 2, 3, ... (see --help)",
    ),
    Mistake(
        "missing arguments",
        lambda _: ["run", "--inptu", "x"],
        "the following arguments are required: --output (see --help)",
    ),
    Mistake(
        "policy config names no policy",
        lambda t: ["--stack", "dev", "--policy-config", str(batch_with(t, '{"s3-tls": "x"}'))],
        "no policy named s3-tls in the pack",
        plan.main,
    ),
]


def files_under(folder: Path) -> set[Path]:
    return set(folder.rglob("*"))


@pytest.mark.parametrize("mistake", MISTAKES, ids=str)
def test_a_mistake_is_one_line_exit_2_and_writes_nothing(
    mistake: Mistake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = mistake.argv(tmp_path)
    before = files_under(tmp_path)
    try:
        code = mistake.command(argv)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2, captured.err
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err + captured.out
    assert mistake.expected.format(tmp=tmp_path) in lines[0]
    assert files_under(tmp_path) == before


def test_a_labelled_batch_without_the_label_is_scored(tmp_path: Path) -> None:
    """The rule behind the mistakes: the same rows without their last column are valid."""
    from ml.local.inputs import check_run_inputs, unlabelled_rows

    source = training(tmp_path)
    batch = batch_with(tmp_path, unlabelled_rows(source).decode())
    check_run_inputs(source, batch, tmp_path / "out")
    assert not (tmp_path / "out").exists()
