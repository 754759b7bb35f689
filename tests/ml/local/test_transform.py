"""The local batch transform: mini-batches of whole lines, each row joined with its prediction."""

from __future__ import annotations

import io
from pathlib import Path
from types import ModuleType

import pytest

from ml.local import transform
from ml.local.step_modules import abalone


def serving(*, skip_first: bool = False) -> ModuleType:
    """Handlers that predict each row's length, so a row joined with another's prediction shows."""
    module = ModuleType("serving")
    vars(module).update(
        input_fn=lambda body, _: abalone.parse_rows(body, with_label=False, source="request"),
        predict_fn=lambda rows, _: rows["length"].to_numpy()[1 if skip_first else 0 :],
        output_fn=lambda predictions, _: "".join(f"{p:g}\n" for p in predictions),
    )
    return module


def test_mini_batches_are_whole_lines_within_the_payload_bound() -> None:
    data = b"".join(f"M,{i},1,1,1,1,1,1\n".encode() for i in range(100))
    batches = list(transform.mini_batches(io.BytesIO(data), max_payload_bytes=64))
    assert len(batches) > 1
    assert all(len(b) <= 64 and b.endswith(b"\n") for b in batches)
    assert b"".join(batches) == data


def test_a_row_longer_than_the_payload_bound_is_refused() -> None:
    with pytest.raises(ValueError, match="longer than the 12-byte payload bound"):
        list(transform.mini_batches(io.BytesIO(b"M,1,1,1,1,1,1,1\n" * 2), max_payload_bytes=12))


def test_each_row_is_joined_with_its_own_prediction(tmp_path: Path) -> None:
    rows = [f"M,{i},1,1,1,1,1,1" for i in range(1, 41)]
    # CRLF endings, blank lines and a last line without its line break.
    source = tmp_path / "batch.csv"
    source.write_bytes(("\r\n".join(rows[:20]) + "\r\n\r\n  \n" + "\n".join(rows[20:])).encode())
    target = tmp_path / "batch.csv.out"
    assert transform.transform_file(serving(), None, source, target, max_payload_bytes=100) == 40
    assert target.read_text().splitlines() == [f"{row},{row.split(',')[1]}" for row in rows]


def test_a_bad_value_is_named_by_its_mini_batch_and_line(tmp_path: Path) -> None:
    lines = [f"M,{i},1,1,1,1,1,1" for i in range(1, 31)]
    lines[16] = "M,x,1,1,1,1,1,1"  # line 17 of the file
    source = tmp_path / "batch.csv"
    source.write_text("\n".join(lines[:5]) + "\n\n" + "\n".join(lines[5:]) + "\n")
    with pytest.raises(abalone.DataError) as caught:
        transform.transform_file(serving(), None, source, tmp_path / "out", max_payload_bytes=80)
    where, problem = str(caught.value).split(": ", 1)
    first_line = int(where.removeprefix("batch.csv, mini-batch from line "))
    number = int(problem.removeprefix("request: length is not a number (e.g. 'x') on line "))
    assert first_line + number - 1 == 18  # 17, and the blank line before it
    assert not list(tmp_path.glob("out*"))


def test_the_join_refuses_a_model_that_skips_rows() -> None:
    with pytest.raises(RuntimeError, match="the model returned 1 lines for 2 rows"):
        transform.score_batch(serving(skip_first=True), None, b"M,1,1,1,1,1,1,1\nF,2,1,1,1,1,1,1\n")
