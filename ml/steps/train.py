"""Train step (XGBoost script mode): fit a booster and save a self-contained model folder.

The model folder (packed by SageMaker into model.tar.gz) holds everything batch inference needs,
so serving takes raw rows and downloads nothing:
  xgboost-model.json      the booster
  preprocessing.json      the fitted preprocessing from the Preprocess step
  code/inference.py       the serving handlers, and code/abalone.py which they import
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import xgboost as xgb

import abalone

MODEL_FILE = "xgboost-model.json"
PREPROCESSING_FILE = "preprocessing.json"
SERVING_FILES = ("inference.py", "abalone.py")


def load_matrix(channel_dir: Path, name: str) -> xgb.DMatrix:
    files = sorted(channel_dir.glob("*.csv"))
    if not files:
        raise abalone.DataError(f"{channel_dir}: no {name} CSV files")
    data = np.vstack([np.loadtxt(f, delimiter=",", ndmin=2, dtype=np.float32) for f in files])
    return xgb.DMatrix(data[:, 1:], label=data[:, 0], feature_names=abalone.feature_names())


HYPERPARAMETERS = (
    "num_round",
    "early_stopping_rounds",
    "max_depth",
    "eta",
    "subsample",
    "min_child_weight",
    "seed",
)


def train(
    train_matrix: xgb.DMatrix, validation_matrix: xgb.DMatrix, hyperparameters: dict[str, float]
) -> xgb.Booster:
    params = {
        "objective": "reg:squarederror",
        "eval_metric": "rmse",
        "max_depth": int(hyperparameters["max_depth"]),
        "eta": hyperparameters["eta"],
        "subsample": hyperparameters["subsample"],
        "min_child_weight": hyperparameters["min_child_weight"],
        "seed": int(hyperparameters["seed"]),
        "nthread": int(hyperparameters.get("nthread", 0)) or None,
    }
    return xgb.train(
        {k: v for k, v in params.items() if v is not None},
        train_matrix,
        num_boost_round=int(hyperparameters["num_round"]),
        evals=[(validation_matrix, "validation")],
        early_stopping_rounds=int(hyperparameters["early_stopping_rounds"]),
        verbose_eval=False,
    )


def save_model(
    booster: xgb.Booster, preprocessing_dir: Path, model_dir: Path, code_dir: Path
) -> None:
    preprocessing = abalone.load_preprocessing((preprocessing_dir / PREPROCESSING_FILE).read_text())
    model_dir.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(model_dir / MODEL_FILE))
    (model_dir / PREPROCESSING_FILE).write_text(json.dumps(preprocessing, indent=2, sort_keys=True))
    (model_dir / "code").mkdir(exist_ok=True)
    for name in SERVING_FILES:
        shutil.copyfile(code_dir / name, model_dir / "code" / name)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__)
    # SageMaker passes hyperparameters as --name value; their values live in one place, the
    # definition's inputs (DEFAULT_HYPERPARAMETERS), which the local runner passes too.
    for name in HYPERPARAMETERS:
        parser.add_argument(f"--{name}", type=float, required=True)
    parser.add_argument("--nthread", type=int, default=0)
    parser.add_argument(
        "--model-dir", type=Path, default=Path(env("SM_MODEL_DIR", "/opt/ml/model"))
    )
    channels = "/opt/ml/input/data"
    parser.add_argument(
        "--train", type=Path, default=Path(env("SM_CHANNEL_TRAIN", f"{channels}/train"))
    )
    parser.add_argument(
        "--validation",
        type=Path,
        default=Path(env("SM_CHANNEL_VALIDATION", f"{channels}/validation")),
    )
    parser.add_argument(
        "--preprocessing",
        type=Path,
        default=Path(env("SM_CHANNEL_PREPROCESSING", f"{channels}/preprocessing")),
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    hyperparameters = {name: float(getattr(args, name)) for name in (*HYPERPARAMETERS, "nthread")}
    try:
        train_matrix = load_matrix(args.train, "train")
        validation_matrix = load_matrix(args.validation, "validation")
        booster = train(train_matrix, validation_matrix, hyperparameters)
        save_model(booster, args.preprocessing, args.model_dir, Path(__file__).resolve().parent)
    except abalone.DataError as error:
        print(f"train: bad input: {error}", file=sys.stderr)
        return 2
    print(
        f"train: best iteration {booster.best_iteration}, validation rmse {booster.best_score:.4f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
