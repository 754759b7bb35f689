"""Evaluate step: score the held-out test rows through the model's own serving code.

Loading the handlers from inside model.tar.gz means the metrics measure exactly what batch
inference will run, preprocessing included. Writes evaluation.json:
  {"regression_metrics": {"mse": {"value": ...}, "rmse": ..., "mae": ..., "r2": ...}, ...}
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SHARED_CODE_DIR = "/opt/ml/processing/input/shared"
if Path(SHARED_CODE_DIR).is_dir():
    sys.path.insert(0, SHARED_CODE_DIR)

import abalone  # noqa: E402

REPORT = "evaluation.json"


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
    with abalone.loaded_model(model_archive) as (serving, model):
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
