"""Evaluate step: score the held-out test rows through the model's own serving code.

Loading the handlers from inside model.tar.gz means the metrics measure exactly what batch
inference will run, preprocessing included. Writes evaluation.json:
  {"regression_metrics": {"mse": {"value": ...}, "rmse": ..., "mae": ..., "r2": ...}, ...}
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

SHARED_CODE_DIR = "/opt/ml/processing/input/shared"
if os.path.isdir(SHARED_CODE_DIR):
    sys.path.insert(0, SHARED_CODE_DIR)

import abalone  # noqa: E402

REPORT = "evaluation.json"


def extract_model(archive: Path, target: Path) -> None:
    """Unpack model.tar.gz, refusing members that would land outside the target folder."""
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            if member.name.startswith("/") or ".." in Path(member.name).parts or member.issym():
                raise abalone.DataError(f"{archive.name}: unsafe member {member.name!r}")
        tar.extractall(target)


def load_serving_module(model_dir: Path) -> ModuleType:
    path = model_dir / "code" / "inference.py"
    if not path.is_file():
        raise abalone.DataError("the model archive has no code/inference.py")
    spec = importlib.util.spec_from_file_location("model_inference", path)
    if spec is None or spec.loader is None:
        raise abalone.DataError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def loaded_model(model_archive: Path) -> Iterator[tuple[ModuleType, Any]]:
    """The model's own serving module and its loaded model, from a model.tar.gz."""
    with tempfile.TemporaryDirectory() as scratch:
        extract_model(model_archive, Path(scratch))
        serving = load_serving_module(Path(scratch))
        yield serving, serving.model_fn(scratch)


def regression_metrics(actual: np.ndarray, predicted: np.ndarray) -> dict[str, dict[str, float]]:
    errors = predicted - actual
    mse = float(np.mean(errors**2))
    total = float(np.sum((actual - actual.mean()) ** 2))
    r2 = 1.0 - float(np.sum(errors**2)) / total if total > 0 else 0.0
    return {
        "mse": {"value": mse, "standard_deviation": float(np.std(errors**2))},
        "rmse": {"value": float(np.sqrt(mse))},
        "mae": {"value": float(np.mean(np.abs(errors)))},
        "r2": {"value": r2},
    }


def evaluate(model_archive: Path, test_dir: Path) -> dict[str, Any]:
    files = sorted(test_dir.glob("*.csv"))
    if not files:
        raise abalone.DataError(f"{test_dir}: no test CSV files")
    frame = pd.concat(
        [abalone.parse_rows(f.read_bytes(), with_label=True, source=f.name) for f in files]
    )
    with loaded_model(model_archive) as (serving, model):
        predictions = serving.predict_fn(frame[list(abalone.FEATURES)], model)
    actual = frame[abalone.LABEL].to_numpy(dtype=np.float64)
    return {"regression_metrics": regression_metrics(actual, predictions), "rows": len(frame)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--model-archive", type=Path, default=Path("/opt/ml/processing/input/model/model.tar.gz")
    )
    parser.add_argument("--test-dir", type=Path, default=Path("/opt/ml/processing/input/test"))
    parser.add_argument("--output-dir", type=Path, default=Path("/opt/ml/processing/evaluation"))
    args = parser.parse_args(argv)
    try:
        report = evaluate(args.model_archive, args.test_dir)
    except abalone.DataError as error:
        print(f"evaluate: bad input: {error}", file=sys.stderr)
        return 2
    args.output_dir.mkdir(parents=True, exist_ok=True)
    (args.output_dir / REPORT).write_text(json.dumps(report, indent=2, sort_keys=True))
    metrics = report["regression_metrics"]
    print("evaluate: " + ", ".join(f"{k} {v['value']:.4f}" for k, v in metrics.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
