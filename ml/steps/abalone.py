"""The Abalone data layout, its validation and the fitted preprocessing, shared by every step.

Runs inside the SageMaker framework images (Python 3.10, older numpy/pandas) and locally, so it
uses only long-standing numpy and pandas APIs. The fitted preprocessing is a small versioned JSON
applied with numpy: it loads in the scikit-learn, XGBoost-training and XGBoost-serving
containers alike, where a pickle would break across library versions.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
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
# How the features are read: valid rows parse straight into these types.
FEATURE_TYPES: dict[str, Any] = {SEX: object, **dict.fromkeys(NUMERIC_FEATURES, np.float64)}


class DataError(ValueError):
    """Input rows that do not follow the documented layout."""


def parse_rows(raw: bytes, *, with_label: bool, source: str) -> pd.DataFrame:
    """Validate and parse headerless CSV rows; errors name the source and the line numbers."""
    columns = COLUMNS if with_label else FEATURES
    if not raw.strip():
        raise DataError(f"{source}: the file has no rows")
    try:
        # Valid rows parse straight into typed columns; only a file with a bad value or line pays
        # for a second, untyped read that finds where.
        frame = _read(raw, columns, FEATURE_TYPES)
    except ValueError:
        frame = _read_untyped(raw, columns, source)
    # The parser rejects extra fields but pads short rows; one count catches both cheaply, and
    # only a bad file pays for finding the lines.
    if raw.count(b",") != (len(columns) - 1) * len(frame):
        _check_field_counts(raw, len(columns), source)
    for column in (c for c in columns if c != SEX):
        _check_numeric(frame, column, raw, source)
    _check_sex(frame, raw, source)
    if with_label:
        _raise_on(frame[LABEL].isna(), raw, source, f"the label {LABEL} is missing")
        _raise_on(frame[LABEL] < 0, raw, source, f"{LABEL} is negative")
    return frame


def _read(raw: bytes, columns: tuple[str, ...], types: dict[str, Any]) -> pd.DataFrame:
    # Only an empty field is missing: text such as NA or n/a is refused as not a number,
    # rather than silently filled with the training median.
    return pd.read_csv(
        io.BytesIO(raw),
        header=None,
        names=list(columns),
        dtype=types,
        keep_default_na=False,
        na_values=[""],
    )


def _read_untyped(raw: bytes, columns: tuple[str, ...], source: str) -> pd.DataFrame:
    try:
        return _read(raw, columns, {SEX: object})
    except pd.errors.ParserError as error:
        _check_field_counts(raw, len(columns), source)
        raise DataError(f"{source}: not CSV in the documented layout ({error})") from error


def _numbered_rows(raw: bytes) -> list[tuple[int, bytes]]:
    """The lines the parser reads as rows, with their 1-based numbers in the file.

    splitlines ends lines where the parser does (at CR LF, LF or a lone CR), and the parser skips
    lines that hold only whitespace.
    """
    return [(number, line) for number, line in enumerate(raw.splitlines(), 1) if line.strip()]


def _check_field_counts(raw: bytes, expected: int, source: str) -> None:
    """Find the lines whose field count is wrong (the layout has no quoting) and say which."""
    fields = {number: line.count(b",") + 1 for number, line in _numbered_rows(raw)}
    wrong = {number: count for number, count in fields.items() if count != expected}
    if wrong:
        seen = sorted(set(wrong.values()))
        labelled = expected == len(FEATURES) and seen == [len(COLUMNS)]
        hint = f"; the rows look labelled: drop the last column ({LABEL})" if labelled else ""
        raise DataError(
            f"{source}: expected {expected} columns ({', '.join(COLUMNS[:expected])}), "
            f"found {', '.join(map(str, seen))} on line {_format_lines(list(wrong))}{hint}"
        )


def _check_numeric(frame: pd.DataFrame, column: str, raw: bytes, source: str) -> None:
    values = frame[column]
    if pd.api.types.is_numeric_dtype(values):
        return
    converted = pd.to_numeric(values, errors="coerce")
    bad = converted.isna() & values.notna()
    if bad.any():
        example = values[bad].iloc[0]
        _raise_on(bad, raw, source, f"{column} is not a number (e.g. {example!r})")
    frame[column] = converted


def _check_sex(frame: pd.DataFrame, raw: bytes, source: str) -> None:
    if frame[SEX].isin(SEX_CATEGORIES).all():
        return
    _raise_on(frame[SEX].isna(), raw, source, f"{SEX} is missing")
    # Only a file with stray spaces pays for stripping them.
    values = frame[SEX].str.strip()
    unknown = ~values.isin(SEX_CATEGORIES)
    if unknown.any():
        example = values[unknown].iloc[0]
        allowed = "/".join(SEX_CATEGORIES)
        message = f"{SEX} has unknown category {example!r} (allowed: {allowed})"
        _raise_on(unknown, raw, source, message)
    frame[SEX] = values


def _raise_on(mask: pd.Series, raw: bytes, source: str, problem: str) -> None:
    if mask.any():
        numbers = np.array([number for number, _ in _numbered_rows(raw)])[mask.to_numpy()]
        raise DataError(f"{source}: {problem} on line {_format_lines(numbers.tolist())}")


def _format_lines(lines: list[int]) -> str:
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


# A model archive and the serving code inside it: what evaluation and the local transform score
# with, so both measure exactly what batch inference runs.


def extract_model(archive: Path, target: Path) -> None:
    """Unpack model.tar.gz, refusing members that would land outside the target folder."""
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            if member.name.startswith("/") or ".." in Path(member.name).parts or member.issym():
                raise DataError(f"{archive.name}: unsafe member {member.name!r}")
        # Every member was checked above; the data filter is not in every container's Python.
        tar.extractall(target)  # noqa: S202


def load_serving_module(model_dir: Path) -> ModuleType:
    path = model_dir / "code" / "inference.py"
    if not path.is_file():
        raise DataError("the model archive has no code/inference.py")
    spec = importlib.util.spec_from_file_location("model_inference", path)
    if spec is None or spec.loader is None:
        raise DataError(f"cannot load {path}")
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
