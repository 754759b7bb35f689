"""Seeded, realistic rows in the UCI Abalone layout, so the pipeline can run with no download.

Measurements grow with age along a saturating curve with per-animal noise, roughly matching the
real data set's ranges and correlations (mean rings ~10, length ~0.52, whole weight ~0.83), so a
model learns from them about as well as it learns from the real data.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

SEX_SHARES = {"M": 0.366, "F": 0.313, "I": 0.321}
MAX_ROWS = 10_000_000
# What dev and preprod stacks upload so their first run needs no data preparation: as many
# rows as the UCI data set, and an unlabelled batch drawn with another seed.
TRAINING_ROWS, TRAINING_SEED = 4177, 7
BATCH_ROWS, BATCH_SEED = 1000, 11


def generate(rows: int, seed: int = 7) -> list[tuple[object, ...]]:
    if not 1 <= rows <= MAX_ROWS:
        raise ValueError(f"rows: {rows} is out of range; allowed: 1 to {MAX_ROWS}")
    rng = np.random.default_rng(seed)
    sex = rng.choice(list(SEX_SHARES), size=rows, p=list(SEX_SHARES.values()))
    infant = sex == "I"
    rings = np.where(infant, rng.gamma(9.0, 0.85, rows), rng.gamma(12.0, 0.9, rows))
    rings = np.clip(np.rint(rings), 1, 29).astype(int)
    growth = 1.0 - np.exp(-0.19 * (rings + rng.normal(0.0, 1.6, rows)))
    length = np.clip(0.72 * growth + rng.normal(0.0, 0.025, rows), 0.075, 0.815)
    diameter = np.clip(length * rng.normal(0.79, 0.02, rows), 0.055, 0.65)
    height = np.clip(length * rng.normal(0.27, 0.03, rows), 0.01, 0.25)
    whole = np.clip(4.1 * length**3 * rng.normal(1.0, 0.08, rows), 0.002, 2.8)
    shucked = whole * np.clip(rng.normal(0.43, 0.04, rows) - 0.004 * (rings - 10), 0.2, 0.6)
    viscera = whole * rng.normal(0.22, 0.02, rows)
    shell = whole * np.clip(rng.normal(0.28, 0.03, rows) + 0.005 * (rings - 10), 0.15, 0.5)
    columns = [length, diameter, height, whole, shucked, viscera, shell]
    rounded = [np.round(c, 4) for c in columns]
    return [(sex[i], *(float(c[i]) for c in rounded), int(rings[i])) for i in range(rows)]


def write(rows: list[tuple[object, ...]], path: Path, *, with_label: bool = True) -> None:
    """Write atomically: a half-written file is never left under the final name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        _write_rows(handle, rows, with_label=with_label)
    partial.replace(path)


def csv_text(rows: list[tuple[object, ...]], *, with_label: bool = True) -> str:
    buffer = io.StringIO()
    _write_rows(buffer, rows, with_label=with_label)
    return buffer.getvalue()


def _write_rows(handle: io.TextIOBase, rows: list[tuple[object, ...]], *, with_label: bool) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    for row in rows:
        writer.writerow(row if with_label else row[:-1])
