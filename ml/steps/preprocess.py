"""Preprocess step: validate the Abalone rows, split them with a seed, fit on the training split.

Outputs (processing job output folders):
  train/train.csv, validation/validation.csv  label first, then the transformed features
  test/test.csv                               raw rows in the input layout (evaluation scores them
                                              through the serving code, as batch inference will)
  preprocessing/preprocessing.json            the fitted values, a small versioned JSON
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

# In SageMaker the shared module arrives as its own processing input; locally it sits beside us.
SHARED_CODE_DIR = "/opt/ml/processing/input/shared"
if Path(SHARED_CODE_DIR).is_dir():
    sys.path.insert(0, SHARED_CODE_DIR)

from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import abalone  # noqa: E402

MIN_ROWS = abalone.MIN_TRAINING_ROWS


def read_input(input_dir: Path) -> pd.DataFrame:
    """Read every CSV under the input folder (a file URI or a prefix both land here)."""
    files = sorted(p for p in input_dir.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not files:
        raise abalone.DataError(f"{input_dir}: no input files")
    frames = [abalone.parse_rows(f.read_bytes(), with_label=True, source=f.name) for f in files]
    frame = pd.concat(frames, ignore_index=True)
    if len(frame) < MIN_ROWS:
        raise abalone.DataError(f"{input_dir}: {len(frame)} rows; at least {MIN_ROWS} are needed")
    return frame


def split(
    frame: pd.DataFrame, validation_fraction: float, test_fraction: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    held_out = validation_fraction + test_fraction
    train, rest = train_test_split(frame, test_size=held_out, random_state=seed)
    validation, test = train_test_split(rest, test_size=test_fraction / held_out, random_state=seed)
    return train, validation, test


def fit(train: pd.DataFrame) -> dict[str, object]:
    """Fit imputation and scaling on the training split only: nothing leaks from held-out rows."""
    numeric = train[list(abalone.NUMERIC_FEATURES)].to_numpy(dtype=np.float64)
    imputer = SimpleImputer(strategy="median").fit(numeric)
    scaler = StandardScaler().fit(imputer.transform(numeric))
    names = abalone.NUMERIC_FEATURES
    return abalone.fitted_preprocessing(
        medians=dict(zip(names, map(float, imputer.statistics_), strict=True)),
        means=dict(zip(names, map(float, scaler.mean_), strict=True)),
        scales=dict(zip(names, map(float, scaler.scale_), strict=True)),
    )


def labelled_matrix(frame: pd.DataFrame, preprocessing: dict[str, object]) -> np.ndarray:
    features = abalone.transform(frame, preprocessing)
    labels = frame[abalone.LABEL].to_numpy(dtype=np.float32).reshape(-1, 1)
    return np.hstack([labels, features])


def write_outputs(
    output_dir: Path,
    splits: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
    preprocessing: dict[str, object],
) -> None:
    train, validation, test = splits
    for name, frame in (("train", train), ("validation", validation)):
        target = output_dir / name / f"{name}.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        np.savetxt(target, labelled_matrix(frame, preprocessing), delimiter=",", fmt="%.7g")
    (output_dir / "test").mkdir(parents=True, exist_ok=True)
    test.to_csv(output_dir / "test" / "test.csv", header=False, index=False)
    (output_dir / "preprocessing").mkdir(parents=True, exist_ok=True)
    document = json.dumps(preprocessing, indent=2, sort_keys=True)
    (output_dir / "preprocessing" / "preprocessing.json").write_text(document)


def run(input_dir: Path, output_dir: Path, validation: float, test: float, seed: int) -> None:
    frame = read_input(input_dir)
    splits = split(frame, validation, test, seed)
    preprocessing = fit(splits[0])
    write_outputs(output_dir, splits, preprocessing)
    sizes = ", ".join(
        f"{n} {len(f)}" for n, f in zip(("train", "validation", "test"), splits, strict=True)
    )
    print(f"preprocess: {len(frame)} rows -> {sizes}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--input-dir", type=Path, default=Path("/opt/ml/processing/input/data"))
    parser.add_argument("--output-dir", type=Path, default=Path("/opt/ml/processing/output"))
    parser.add_argument("--validation-fraction", type=float, default=0.15)
    parser.add_argument("--test-fraction", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    try:
        run(
            args.input_dir, args.output_dir, args.validation_fraction, args.test_fraction, args.seed
        )
    except abalone.DataError as error:
        print(f"preprocess: bad input: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
