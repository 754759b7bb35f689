"""The Abalone data layout, its validation and the fitted preprocessing, shared by every step.

Runs inside the SageMaker framework images (Python 3.10, older numpy/pandas) and locally, so it
uses only long-standing numpy and pandas APIs. The fitted preprocessing is a small versioned JSON
applied with numpy: it loads in the scikit-learn, XGBoost-training and XGBoost-serving
containers alike, where a pickle would break across library versions.
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pandas as pd

SEX = "sex"
NUMERIC_FEATURES = (
    "length",
    "diameter",
    "height",
    "whole_weight",
    "shucked_weight",
    "viscera_weight",
    "shell_weight",
)
LABEL = "rings"
FEATURES = (SEX, *NUMERIC_FEATURES)
COLUMNS = (*FEATURES, LABEL)
SEX_CATEGORIES = ("F", "I", "M")

# Fewer rows cannot be split into train, validation and test sets worth fitting on.
MIN_TRAINING_ROWS = 20

PREPROCESSING_FORMAT = "abalone-preprocessing"
PREPROCESSING_VERSION = 1
MAX_REPORTED_LINES = 5


class DataError(ValueError):
    """Input rows that do not follow the documented layout."""


def parse_rows(raw: bytes, with_label: bool, source: str) -> pd.DataFrame:
    """Validate and parse headerless CSV rows; errors name the source and the line numbers."""
    columns = COLUMNS if with_label else FEATURES
    if not raw.strip():
        raise DataError(f"{source}: the file has no rows")
    try:
        # Only an empty field is missing: text such as NA or n/a is refused as not a number,
        # rather than silently filled with the training median.
        frame = pd.read_csv(
            io.BytesIO(raw),
            header=None,
            names=list(columns),
            dtype={SEX: object},
            keep_default_na=False,
            na_values=[""],
        )
    except pd.errors.ParserError as error:
        _check_field_counts(raw, len(columns), source)
        raise DataError(f"{source}: not CSV in the documented layout ({error})") from error
    # The parser rejects extra fields but pads short rows; one count catches both cheaply, and
    # only a bad file pays for finding the lines.
    if raw.count(b",") != (len(columns) - 1) * len(frame):
        _check_field_counts(raw, len(columns), source)
    line_numbers = _non_blank_line_numbers(raw)
    _check_numeric(frame, [c for c in columns if c != SEX], line_numbers, source)
    _check_sex(frame, line_numbers, source)
    if with_label:
        missing = frame[LABEL].isna().to_numpy()
        _raise_on(missing, line_numbers, source, f"the label {LABEL} is missing")
        _raise_on(frame[LABEL].to_numpy() < 0, line_numbers, source, f"{LABEL} is negative")
    return frame


def _line_bounds(raw: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start and end offsets of every line, and which lines are blank."""
    data = np.frombuffer(raw, dtype=np.uint8)
    newlines = np.flatnonzero(data == ord("\n"))
    ends = np.append(newlines, len(data)) if len(data) and data[-1] != ord("\n") else newlines
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts
    carriage = np.zeros(len(starts), dtype=bool)
    carriage[lengths == 1] = data[starts[lengths == 1]] == ord("\r")
    return starts, ends, (lengths == 0) | carriage


def _non_blank_line_numbers(raw: bytes) -> np.ndarray:
    """1-based numbers of the lines pandas parsed (it skips blank lines)."""
    if b"\n\n" not in raw and b"\n\r\n" not in raw and not raw.startswith((b"\n", b"\r\n")):
        return np.arange(1, raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1) + 1)
    _, _, blank = _line_bounds(raw)
    numbers: np.ndarray = np.flatnonzero(~blank) + 1
    return numbers


def _check_field_counts(raw: bytes, expected: int, source: str) -> None:
    """Find the lines whose field count is wrong (the layout has no quoting) and say which."""
    starts, ends, blank = _line_bounds(raw)
    data = np.frombuffer(raw, dtype=np.uint8)
    commas = np.concatenate(([0], np.cumsum(data == ord(","), dtype=np.int64)))
    fields = commas[ends] - commas[starts] + 1
    line_numbers = np.arange(1, len(starts) + 1)
    wrong = ~blank & (fields != expected)
    if wrong.any():
        lines = _format_lines(line_numbers[wrong])
        seen = sorted(set(fields[wrong].tolist()))
        labelled = expected == len(FEATURES) and seen == [len(COLUMNS)]
        hint = f"; the rows look labelled: drop the last column ({LABEL})" if labelled else ""
        raise DataError(
            f"{source}: expected {expected} columns ({', '.join(COLUMNS[:expected])}), "
            f"found {', '.join(map(str, seen))} on line {lines}{hint}"
        )


def _check_numeric(
    frame: pd.DataFrame, columns: list[str], line_numbers: np.ndarray, source: str
) -> None:
    for column in columns:
        if pd.api.types.is_numeric_dtype(frame[column]):
            continue
        converted = pd.to_numeric(frame[column], errors="coerce")
        bad = (converted.isna() & frame[column].notna()).to_numpy()
        example = frame[column][bad].iloc[0]
        _raise_on(bad, line_numbers, source, f"{column} is not a number (e.g. {example!r})")


def _check_sex(frame: pd.DataFrame, line_numbers: np.ndarray, source: str) -> None:
    values = frame[SEX]
    _raise_on(values.isna().to_numpy(), line_numbers, source, f"{SEX} is missing")
    unknown = (~values.isin(SEX_CATEGORIES)).to_numpy()
    if unknown.any():
        # Only a file with stray spaces pays for stripping them.
        values = values.str.strip()
        unknown = (~values.isin(SEX_CATEGORIES)).to_numpy()
    if unknown.any():
        example = values[unknown].iloc[0]
        allowed = "/".join(SEX_CATEGORIES)
        message = f"{SEX} has unknown category {example!r} (allowed: {allowed})"
        _raise_on(unknown, line_numbers, source, message)
    frame[SEX] = values


def _raise_on(mask: np.ndarray, line_numbers: np.ndarray, source: str, problem: str) -> None:
    if mask.any():
        raise DataError(f"{source}: {problem} on line {_format_lines(line_numbers[mask])}")


def _format_lines(lines: np.ndarray) -> str:
    shown = ", ".join(str(n) for n in lines[:MAX_REPORTED_LINES])
    more = len(lines) - MAX_REPORTED_LINES
    return f"{shown} and {more} more" if more > 0 else shown


def fitted_preprocessing(
    medians: dict[str, float], means: dict[str, float], scales: dict[str, float]
) -> dict[str, Any]:
    """The versioned JSON document that travels from preprocessing to training and serving."""
    return {
        "format": PREPROCESSING_FORMAT,
        "version": PREPROCESSING_VERSION,
        "numeric": {
            name: {"median": medians[name], "mean": means[name], "scale": scales[name]}
            for name in NUMERIC_FEATURES
        },
        "categorical": {SEX: list(SEX_CATEGORIES)},
        "feature_names": feature_names(),
    }


def feature_names() -> list[str]:
    return [*NUMERIC_FEATURES, *(f"{SEX}_{c}" for c in SEX_CATEGORIES)]


def load_preprocessing(text: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(text)
    if document.get("format") != PREPROCESSING_FORMAT:
        raise DataError(f"not a preprocessing document (format {document.get('format')!r})")
    if document.get("version") != PREPROCESSING_VERSION:
        raise DataError(
            f"preprocessing version {document.get('version')!r} is not supported; "
            f"this code reads version {PREPROCESSING_VERSION}"
        )
    return document


def transform(frame: pd.DataFrame, preprocessing: dict[str, Any]) -> np.ndarray:
    """Apply the fitted values: impute with medians, scale, one-hot the sex column."""
    numeric = preprocessing["numeric"]
    matrix = frame[list(NUMERIC_FEATURES)].to_numpy(dtype=np.float64)
    medians = np.array([numeric[n]["median"] for n in NUMERIC_FEATURES])
    means = np.array([numeric[n]["mean"] for n in NUMERIC_FEATURES])
    scales = np.array([numeric[n]["scale"] for n in NUMERIC_FEATURES])
    matrix = np.where(np.isnan(matrix), medians, matrix)
    scaled = (matrix - means) / scales
    categories = preprocessing["categorical"][SEX]
    sex = frame[SEX].to_numpy()
    one_hot = np.stack([sex == c for c in categories], axis=1).astype(np.float64)
    return np.hstack([scaled, one_hot]).astype(np.float32)
