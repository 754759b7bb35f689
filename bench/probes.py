"""Work measured in fresh processes: `python -m bench.probes <probe> ...` prints one JSON line.

Each probe runs alone in its process, so its peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import io
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _vm_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    """This process's own peak resident memory. ru_maxrss would not do: Linux carries it over
    from the parent across fork and exec, so a child would report the bench's peak."""
    return _vm_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _report(**values: float) -> None:
    print(json.dumps({**values, "peak_mb": round(_peak_mb(), 1)}))


def import_floor() -> None:
    started = time.perf_counter()
    import ml.definition.builder  # noqa: F401
    from ml.definition.inputs import offline_definition_inputs  # noqa: F401
    from ml.settings import load_stack_settings  # noqa: F401

    _report(seconds=time.perf_counter() - started)


def build_definition() -> None:
    started = time.perf_counter()
    from ml.definition.builder import build_definition as build
    from ml.definition.inputs import offline_definition_inputs
    from ml.settings import load_stack_settings

    build(offline_definition_inputs(load_stack_settings(PROJECT_DIR, "prod")))
    _report(seconds=time.perf_counter() - started)


# The pulumi_aws classes the program uses: their modules load lazily, on first access.
PROGRAM_AWS_CLASSES = {
    "cloudwatch": ("Dashboard", "EventRule", "EventTarget", "LogGroup", "MetricAlarm"),
    "iam": ("Role", "RolePolicy"),
    "kms": ("Alias", "Key"),
    "s3": (
        "Bucket",
        "BucketLifecycleConfiguration",
        "BucketObjectv2",
        "BucketOwnershipControls",
        "BucketPolicy",
        "BucketPublicAccessBlock",
        "BucketServerSideEncryptionConfiguration",
        "BucketVersioning",
        "ObjectCopy",
    ),
    "sagemaker": ("Model", "ModelPackageGroup", "Pipeline"),
    "scheduler": ("Schedule", "ScheduleGroup"),
    "sns": ("Topic", "TopicPolicy", "TopicSubscription"),
    "sqs": ("Queue", "QueuePolicy"),
}


def program_floor() -> None:
    """What any program deploying these resources with this SDK must import."""
    import importlib

    started = time.perf_counter()
    import pulumi.runtime.mocks  # noqa: F401
    import pulumi_aws

    for service, classes in PROGRAM_AWS_CLASSES.items():
        module = importlib.import_module(f"pulumi_aws.{service}")
        for name in classes:
            getattr(module, name)
    pulumi_aws.get_caller_identity  # noqa: B018 (loads the invoke's module)
    import ml.definition.builder  # noqa: F401

    _report(seconds=time.perf_counter() - started)


def program(stack: str) -> None:
    """The real program for one stack under mocks, from import to the last registration."""
    started = time.perf_counter()
    from offline.recorder import render_stack

    graph = render_stack(stack)
    _report(seconds=time.perf_counter() - started, resources=len(graph.resources))


def _handlers_batch(serving: ModuleType, model: Any, body: bytes) -> str:
    """One mini-batch as the container calls the handlers."""
    rows = serving.input_fn(body, "text/csv")
    text: str = serving.output_fn(serving.predict_fn(rows, model), "text/csv")
    return text


def _floor_batch(_serving: ModuleType, model: Any, body: bytes) -> str:
    """The least any handler does: read the rows into the same typed columns with pandas, apply
    the same fitted preprocessing, predict, write one prediction per line."""
    import pandas as pd

    from ml.local.step_modules import abalone

    booster, preprocessing = model
    frame = pd.read_csv(
        io.BytesIO(body),
        header=None,
        names=list(abalone.FEATURES),
        dtype=abalone.FEATURE_TYPES,
        keep_default_na=False,
        na_values=[""],
    )
    predictions = booster.inplace_predict(abalone.transform(frame, preprocessing)).tolist()
    return ("%.6g\n" * len(predictions)) % tuple(predictions)


SIDES = {"handlers": _handlers_batch, "floor": _floor_batch}


def serving(model_archive: str, rows_csv: str, out_dir: str, repeats: str) -> None:
    """The handlers and the floor over the same mini-batches, alternated in one process; then
    the local transform end to end, which adds the split, the join and the writes."""
    from ml.local.step_modules import abalone
    from ml.local.transform import DEFAULT_MAX_PAYLOAD_BYTES, mini_batches, transform_file

    source, target = Path(rows_csv), Path(out_dir) / f"{Path(rows_csv).name}.out"
    target.parent.mkdir(parents=True, exist_ok=True)
    seconds: dict[str, list[float]] = {"handlers": [], "floor": [], "transform": []}
    with abalone.loaded_model(Path(model_archive)) as (module, model):
        with source.open("rb") as stream:
            bodies = list(mini_batches(stream, DEFAULT_MAX_PAYLOAD_BYTES))
        for warm_up in SIDES.values():  # the first calls load code and start threads
            warm_up(module, model, bodies[0])
        for repeat in range(int(repeats)):
            totals = dict.fromkeys(SIDES, 0.0)
            for index, body in enumerate(bodies):
                # Each side goes first in turn, so both see the same machine load.
                order = list(SIDES) if (repeat + index) % 2 == 0 else list(reversed(SIDES))
                for side in order:
                    started = time.perf_counter()
                    SIDES[side](module, model, body)
                    totals[side] += time.perf_counter() - started
            for side, total in totals.items():
                seconds[side].append(total)
            started = time.perf_counter()
            transform_file(module, model, source, target, DEFAULT_MAX_PAYLOAD_BYTES)
            seconds["transform"].append(time.perf_counter() - started)
    medians = {f"{name}_seconds": statistics.median(s) for name, s in seconds.items()}
    _report(**medians, batches=len(bodies))


def serving_memory(side: str, model_archive: str, rows_csv: str) -> None:
    """Peak memory of one side, streaming the mini-batches as the platform does: only one is
    in memory at a time, so the peak should not grow with the file."""
    from ml.local.step_modules import abalone
    from ml.local.transform import DEFAULT_MAX_PAYLOAD_BYTES, mini_batches

    with abalone.loaded_model(Path(model_archive)) as (module, model):
        loaded = _vm_mb("VmRSS")
        with Path(rows_csv).open("rb") as stream:
            for body in mini_batches(stream, DEFAULT_MAX_PAYLOAD_BYTES):
                SIDES[side](module, model, body)
    _report(loaded_mb=round(loaded, 1))


PROBES: dict[str, Callable[..., None]] = {
    "program_floor": program_floor,
    "program": program,
    "import_floor": import_floor,
    "build_definition": build_definition,
    "serving": serving,
    "serving_memory": serving_memory,
}

if __name__ == "__main__":
    probe, *args = sys.argv[1:]
    PROBES[probe](*args)
