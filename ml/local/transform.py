"""Local batch transform: what SageMaker does with SplitType=Line, MultiRecord and JoinSource=Input.

Rows stream from the input file in mini-batches bounded by a payload size, pass through the
model's own serving handlers (input_fn, predict_fn, output_fn), and each output line is the
input row joined with its prediction. Memory follows the mini-batch size, not the file size.
Run as a subprocess by the local runner: `python -m ml.local.transform ...`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO

from ml.local.step_modules import abalone

CSV = "text/csv"
DEFAULT_MAX_PAYLOAD_BYTES = 6 * 1024 * 1024


def mini_batches(stream: BinaryIO, max_payload_bytes: int) -> Iterator[bytes]:
    """Request bodies of whole lines, each within the payload bound (SplitType=Line, MultiRecord).

    Reads payload-sized blocks and cuts them at the last line break, so the work per batch is a
    few bulk operations rather than one per line.
    """
    carry = b""
    while block := stream.read(max_payload_bytes - len(carry)):
        data = carry + block
        cut = data.rfind(b"\n") + 1
        if cut == 0 and len(data) < max_payload_bytes:
            carry = data
            continue
        if cut == 0:
            raise ValueError(f"a row is longer than the {max_payload_bytes}-byte payload bound")
        carry = data[cut:]
        yield data[:cut]
    if carry:
        yield carry


def score_batch(serving: ModuleType, model: Any, body: bytes) -> list[bytes]:
    """Each row of the body joined with its prediction (JoinSource=Input)."""
    scored = serving.output_fn(serving.predict_fn(serving.input_fn(body, CSV), model), CSV)
    outputs = (scored.encode() if isinstance(scored, str) else scored).splitlines()
    # The handlers skip blank lines, so they carry no prediction to join.
    rows = [line for line in body.splitlines() if line.strip()]
    if len(outputs) != len(rows):
        raise RuntimeError(f"the model returned {len(outputs)} lines for {len(rows)} rows")
    return [row + b"," + out + b"\n" for row, out in zip(rows, outputs, strict=True)]


def transform_file(
    serving: ModuleType, model: Any, source: Path, target: Path, max_payload_bytes: int
) -> int:
    """Score one file into <target>; written under a temporary name and renamed when complete."""
    partial = target.with_name(target.name + ".partial")
    rows = lines = 0
    try:
        with source.open("rb") as reader, partial.open("wb") as writer:
            for body in mini_batches(reader, max_payload_bytes):
                # A stretch of blank lines holds no rows to send.
                if body.strip():
                    try:
                        scored = score_batch(serving, model, body)
                    except abalone.DataError as error:
                        # Line numbers in the error count from the start of this mini-batch.
                        where = f"{source.name}, mini-batch from line {lines + 1}"
                        raise abalone.DataError(f"{where}: {error}") from error
                    writer.writelines(scored)
                    rows += len(scored)
                lines += len(body.splitlines())
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    return rows


def run(model_archive: Path, inputs: list[Path], output_dir: Path, max_payload_bytes: int) -> int:
    output_dir.mkdir(parents=True, exist_ok=True)
    total = 0
    with abalone.loaded_model(model_archive) as (serving, model):
        for source in inputs:
            # SageMaker names each result after its input object: <name>.out
            total += transform_file(
                serving, model, source, output_dir / f"{source.name}.out", max_payload_bytes
            )
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model-archive", type=Path, required=True)
    parser.add_argument("--output-dir", type=Path, required=True)
    parser.add_argument("--max-payload-bytes", type=int, default=DEFAULT_MAX_PAYLOAD_BYTES)
    parser.add_argument("inputs", type=Path, nargs="+")
    args = parser.parse_args(argv)
    try:
        rows = run(args.model_archive, args.inputs, args.output_dir, args.max_payload_bytes)
    except abalone.DataError as error:
        print(f"transform: bad input: {error}", file=sys.stderr)
        return 2
    print(f"transform: scored {rows} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
