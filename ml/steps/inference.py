"""Serving handlers for the SageMaker XGBoost container: raw CSV rows in, a prediction per line out.

Rows come in the input layout without the label (sex, then seven measurements); the fitted
preprocessing inside the model folder is applied here, so serving matches training exactly.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import xgboost as xgb

# The container imports this file from the model's code/ folder; its sibling module is there too.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import abalone

CSV = "text/csv"
MODEL_FILE = "xgboost-model.json"
PREPROCESSING_FILE = "preprocessing.json"


class UnsupportedContentType(ValueError):
    pass


def model_fn(model_dir: str) -> tuple[xgb.Booster, dict[str, Any]]:
    booster = xgb.Booster()
    booster.load_model(str(Path(model_dir, MODEL_FILE)))
    preprocessing = abalone.load_preprocessing(
        Path(model_dir, PREPROCESSING_FILE).read_text(encoding="utf-8")
    )
    return booster, preprocessing


def input_fn(request_body: bytes | str, content_type: str) -> Any:
    if content_type.split(";", maxsplit=1)[0].strip() != CSV:
        raise UnsupportedContentType(f"content type {content_type!r} is not supported; send {CSV}")
    raw = request_body.encode("utf-8") if isinstance(request_body, str) else request_body
    return abalone.parse_rows(raw, with_label=False, source="request")


def predict_fn(rows: Any, model: tuple[xgb.Booster, dict[str, Any]]) -> np.ndarray:
    booster, preprocessing = model
    features = abalone.transform(rows, preprocessing)
    return np.asarray(booster.inplace_predict(features), dtype=np.float64)


def output_fn(predictions: np.ndarray, accept: str) -> str:
    if accept.split(";", maxsplit=1)[0].strip() not in (CSV, "*/*"):
        raise UnsupportedContentType(f"accept type {accept!r} is not supported; ask for {CSV}")
    # One formatting operation for the whole mini-batch, rather than one call per prediction.
    return ("%.6g\n" * len(predictions)) % tuple(predictions.tolist())
