"""Work measured in fresh processes: `python -m bench.probes <probe> ...` prints one JSON line.

Each probe runs alone in its process, so its peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The step scripts import each other by bare name, as inside the containers.
sys.path.insert(0, str(PROJECT_DIR / "ml" / "steps"))


def _peak_mb() -> float:
    """This process's own peak resident memory. ru_maxrss would not do: Linux carries it over
    from the parent across fork and exec, so a child would report the bench's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
    ),
    "sagemaker": ("ModelPackageGroup", "Pipeline"),
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


def handlers(model_archive: str, rows_csv: str, out_dir: str) -> None:
    """Batch inference as the local transform does it: mini-batches through the handlers."""
    import evaluate
    from ml.local.transform import DEFAULT_MAX_PAYLOAD_BYTES, transform_file

    Path(out_dir).mkdir(parents=True, exist_ok=True)
    target = Path(out_dir) / f"{Path(rows_csv).name}.out"
    with evaluate.loaded_model(Path(model_archive)) as (serving, model):
        # Timed from a loaded model, as the floor is: what scales with the rows is compared.
        started = time.perf_counter()
        rows = transform_file(serving, model, Path(rows_csv), target, DEFAULT_MAX_PAYLOAD_BYTES)
        _report(seconds=time.perf_counter() - started, rows=rows)


def floor(model_archive: str, rows_csv: str) -> None:
    """The floor: pandas parses the CSV, and a bare booster predicts on a ready matrix."""
    import pandas as pd

    import abalone
    import evaluate

    with evaluate.loaded_model(Path(model_archive)) as (_, model):
        booster, preprocessing = model
    started = time.perf_counter()
    frame = pd.read_csv(rows_csv, header=None, names=list(abalone.FEATURES))
    parse_seconds = time.perf_counter() - started
    matrix = abalone.transform(frame, preprocessing)  # not timed: the floor starts from it
    started = time.perf_counter()
    booster.inplace_predict(matrix)
    _report(seconds=parse_seconds + time.perf_counter() - started, rows=len(frame))


PROBES: dict[str, Callable[..., None]] = {
    "program_floor": program_floor,
    "program": program,
    "import_floor": import_floor,
    "build_definition": build_definition,
    "handlers": handlers,
    "floor": floor,
}

if __name__ == "__main__":
    probe, *args = sys.argv[1:]
    PROBES[probe](*args)
