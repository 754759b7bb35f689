"""Run the pipeline's step scripts locally, in order, under the SageMaker container contract.

Each step runs as its own process, with the paths and SM_* variables its container would give
it; its outputs appear under <output>/<step> only when it succeeds (staged, then renamed), so a
failed run never leaves output that looks complete.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ml.contract import EVALUATION_REPORT, MSE_JSON_PATH, Step
from ml.definition.inputs import DEFAULT_HYPERPARAMETERS
from ml.packaging import STEPS_DIR

PROJECT_ROOT = STEPS_DIR.parent.parent
MODEL_ARCHIVE = "model.tar.gz"


class StepFailed(RuntimeError):
    def __init__(self, step: str, message: str) -> None:
        self.step = step
        super().__init__(f"{step} failed: {message}")


class QualityGateFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class LocalRun:
    output_dir: Path
    metrics: dict[str, float]
    predictions: tuple[Path, ...]


# Step scripts start their line with their own name, which the step label already says.
_STEP_SCRIPT_PREFIX = re.compile(r"^(preprocess|train|evaluate|transform): ")


def gate_message(mse: float, threshold: float) -> str:
    """The same words as the pipeline's FailStep, so a local failure reads like a cloud one."""
    return (
        f"Quality gate failed: test mse {mse:.4f} is above MseThreshold {threshold}; "
        "the model was not registered and no batch was scored."
    )


def _run_process(step: str, args: list[str], env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **(env or {})},
        check=False,
    )
    if result.returncode != 0:
        tail = result.stderr.strip().splitlines()[-3:] or [f"exit code {result.returncode}"]
        raise StepFailed(step, " | ".join(tail))
    return result.stdout.strip()


class _Stage:
    """A step's output folder, staged under .partial and renamed only on success."""

    def __init__(self, root: Path, name: str) -> None:
        self.final = root / name
        self.partial = root / f"{name}.partial"

    def __enter__(self) -> Path:
        shutil.rmtree(self.partial, ignore_errors=True)
        self.partial.mkdir(parents=True)
        return self.partial

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is None:
            self.partial.replace(self.final)
        else:
            shutil.rmtree(self.partial, ignore_errors=True)


def preprocess(input_csv: Path, out: Path) -> str:
    with _Stage(out, "preprocess") as stage:
        data = stage / "input"
        data.mkdir()
        shutil.copyfile(input_csv, data / input_csv.name)
        args = ["--input-dir", str(data), "--output-dir", str(stage / "output")]
        message = _run_process(Step.PREPROCESS, [str(STEPS_DIR / "preprocess.py"), *args])
        shutil.rmtree(data)
    return message


def train(out: Path) -> str:
    splits = out / "preprocess" / "output"
    with _Stage(out, "train") as stage:
        model_dir = stage / "model"
        env = {
            "SM_MODEL_DIR": str(model_dir),
            "SM_CHANNEL_TRAIN": str(splits / "train"),
            "SM_CHANNEL_VALIDATION": str(splits / "validation"),
            "SM_CHANNEL_PREPROCESSING": str(splits / "preprocessing"),
        }
        # As SageMaker passes them from the definition.
        hyperparameters = [f"--{k}={v}" for k, v in DEFAULT_HYPERPARAMETERS.items()]
        message = _run_process(Step.TRAIN, [str(STEPS_DIR / "train.py"), *hyperparameters], env)
        with tarfile.open(stage / MODEL_ARCHIVE, "w:gz") as tar:
            for path in sorted(model_dir.rglob("*")):
                tar.add(path, arcname=str(path.relative_to(model_dir)), recursive=False)
    return message


def evaluate(out: Path) -> tuple[str, dict[str, float]]:
    with _Stage(out, "evaluate") as stage:
        args = [
            str(STEPS_DIR / "evaluate.py"),
            "--model-archive", str(out / "train" / MODEL_ARCHIVE),
            "--test-dir", str(out / "preprocess" / "output" / "test"),
            "--output-dir", str(stage),
        ]  # fmt: skip
        message = _run_process(Step.EVALUATE, args)
    report = json.loads((out / "evaluate" / EVALUATION_REPORT).read_text())
    metrics = {name: float(m["value"]) for name, m in report["regression_metrics"].items()}
    return message, metrics


def quality_gate(metrics: dict[str, float], threshold: float) -> str:
    mse = metrics[MSE_JSON_PATH.split(".")[1]]
    if mse > threshold:
        raise QualityGateFailed(gate_message(mse, threshold))
    return f"passed: test mse {mse:.4f} <= MseThreshold {threshold}"


def transform(batch_csv: Path, out: Path, model_archive: Path | None = None) -> str:
    """Score with the archive this run trained, or with a given one (a promoted model)."""
    archive = model_archive or out / "train" / MODEL_ARCHIVE
    with _Stage(out, "transform") as stage:
        args = [
            "-m", "ml.local.transform",
            "--model-archive", str(archive),
            "--output-dir", str(stage),
            str(batch_csv),
        ]  # fmt: skip
        return _run_process(Step.TRANSFORM, args)


def score_with(
    model_archive: Path, batch_csv: Path, out: Path, report: Callable[[str], None] = print
) -> Path:
    """What a registry-mode stage runs: the batch transform alone, with the archive's own
    serving code (not this checkout's)."""
    shutil.rmtree(out / "transform", ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    report(f"[1/1] {Step.TRANSFORM} ...")
    started = time.perf_counter()
    message = _STEP_SCRIPT_PREFIX.sub("", transform(batch_csv, out, model_archive.resolve()))
    report(f"[1/1] {Step.TRANSFORM}: {message} ({time.perf_counter() - started:.1f}s)")
    return out / "transform" / f"{batch_csv.name}.out"


def run_pipeline(
    input_csv: Path,
    batch_csv: Path,
    out: Path,
    threshold: float,
    report: Callable[[str], None] = print,
) -> LocalRun:
    for name in ("preprocess", "train", "evaluate", "transform"):
        shutil.rmtree(out / name, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    metrics: dict[str, float] = {}

    def timed(index: int, step: str, action: Callable[[], str]) -> None:
        report(f"[{index}/5] {step} ...")
        started = time.perf_counter()
        message = _STEP_SCRIPT_PREFIX.sub("", action())
        report(f"[{index}/5] {step}: {message} ({time.perf_counter() - started:.1f}s)")

    def run_evaluate() -> str:
        message, found = evaluate(out)
        metrics.update(found)
        return message

    timed(1, Step.PREPROCESS, lambda: preprocess(input_csv, out))
    timed(2, Step.TRAIN, lambda: train(out))
    timed(3, Step.EVALUATE, run_evaluate)
    timed(4, Step.QUALITY_GATE, lambda: quality_gate(metrics, threshold))
    timed(5, Step.TRANSFORM, lambda: transform(batch_csv, out))
    return LocalRun(out, metrics, (out / "transform" / f"{batch_csv.name}.out",))
