from __future__ import annotations

import hashlib
import re

import botocore.session
import pytest

from ml.contract import (
    JOB_PREFIX_MAX_LENGTH,
    MODEL_NAME_MAX_LENGTH,
    PROJECT,
    STAGES,
    ResourceNames,
    Step,
)
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


PROMOTED_URL = (
    "s3://ml-batch-pipeline-prod-123456789012-ap-southeast-2/models/promoted/model.tar.gz"
)
PROMOTED_IMAGE = "783357654285.dkr.ecr.ap-southeast-2.amazonaws.com/sagemaker-xgboost:3.0-5"


def test_promoted_model_names_fit_create_model_for_every_stage() -> None:
    shape = botocore.session.get_session().get_service_model("sagemaker")
    name_shape = shape.operation_model("CreateModel").input_shape.members["ModelName"]
    assert name_shape.metadata["max"] == MODEL_NAME_MAX_LENGTH
    names = {
        stage: ResourceNames(PROJECT, stage, "123456789012", "ap-southeast-2").promoted_model(
            PROMOTED_URL, PROMOTED_IMAGE
        )
        for stage in STAGES
    }
    digest = hashlib.sha256(f"{PROMOTED_URL}\n{PROMOTED_IMAGE}".encode()).hexdigest()[:12]
    assert names["preprod"] == f"ml-batch-pipeline-preprod-promoted-{digest}"
    # preprod is the longest stage name: 47 of the 63 characters.
    assert max(map(len, names.values())) == len(names["preprod"]) == 47
    assert all(re.fullmatch(name_shape.metadata["pattern"], name) for name in names.values())


@pytest.mark.parametrize("stage", STAGES)
def test_a_promoted_model_is_not_a_training_leftover_for_cleanup(stage: str) -> None:
    names = ResourceNames(PROJECT, stage, "123456789012", "ap-southeast-2")
    promoted = names.promoted_model(PROMOTED_URL, PROMOTED_IMAGE)
    # `ml cleanup` deletes the models whose names start with this prefix.
    assert not promoted.startswith(names.job_prefix(Step.CREATE_MODEL))
    assert promoted.startswith(f"{names.pipeline}-promoted-")


def test_sample_data_is_seeded_and_in_range() -> None:
    assert generate(20, seed=1) == generate(20, seed=1)
    assert generate(20, seed=1) != generate(20, seed=2)
    rows = generate(2000)
    assert {r[0] for r in rows} == {"M", "F", "I"}
    assert all(1 <= int(r[8]) <= 29 for r in rows)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="rows: 0 is out of range"):
        generate(0)
