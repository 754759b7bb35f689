from __future__ import annotations

import pytest

from ml.contract import JOB_PREFIX_MAX_LENGTH, PROJECT, STAGES, ResourceNames, Step
from ml.sample_data import generate

PREFIXED_STEPS = (Step.PREPROCESS, Step.TRAIN, Step.EVALUATE, Step.CREATE_MODEL, Step.TRANSFORM)


@pytest.mark.parametrize("stage", STAGES)
def test_names_are_deterministic_and_within_aws_limits(stage: str) -> None:
    names = ResourceNames(PROJECT, stage, "123456789012", "ap-southeast-2")
    assert names.pipeline == f"ml-batch-pipeline-{stage}"
    assert len(names.bucket) <= 63
    assert names.bucket == f"ml-batch-pipeline-{stage}-123456789012-ap-southeast-2"
    assert len(names.execution_role) <= 64
    prefixes = [names.job_prefix(step) for step in PREFIXED_STEPS]
    assert len(set(prefixes)) == len(prefixes)
    assert all(p.startswith(names.pipeline + "-") for p in prefixes)
    assert max(map(len, prefixes)) <= JOB_PREFIX_MAX_LENGTH


def test_sample_data_is_seeded_and_in_range() -> None:
    assert generate(20, seed=1) == generate(20, seed=1)
    assert generate(20, seed=1) != generate(20, seed=2)
    rows = generate(2000)
    assert {r[0] for r in rows} == {"M", "F", "I"}
    assert all(1 <= int(r[8]) <= 29 for r in rows)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="rows: 0 is out of range"):
        generate(0)
