"""The preprod and prod deploy roles may make every call the provider makes to copy a model
approved in dev and create a SageMaker model from the copy, on those names only; dev's may not.
No stack renders these types yet, so the calls are checked on the names they will have."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bootstrap.deploy_policy import deploy_policy
from bootstrap.promotion import MODEL, OBJECT_COPY, ModelSourceError, model_source
from bootstrap.provider_calls import PHASES, PROVIDER_CALLS
from components.documents.arns import Arns
from ml.contract import MODEL_CONSUMER_STAGES, ResourceNames
from ml.settings import load_stack_settings
from tests.bootstrap.iam_eval import allowed
from tests.support.iam_reference import policy_problems

# Stand-ins for what AWS and the registry assign: key ids, a registered artifact's key, the
# hash part of a promoted model's name.
STACK_KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
DEV_KEY_ID = "5678efab-56ef-78ab-90cd-5678901234ef"
ARTIFACT = "models/ml-batch-pipeline-dev-train-abc123/output/model.tar.gz"
PROMOTED_HASH = "0123456789ab"
INLINE_POLICY_LIMIT = 10_240
Target = tuple[str, dict[str, Any]]


@pytest.fixture(scope="module")
def dev(project_dir: Path) -> ResourceNames:
    return load_stack_settings(project_dir, "dev").names


def stage_names(project_dir: Path, stage: str) -> ResourceNames:
    return load_stack_settings(project_dir, stage).names


def targets(
    kind: str, phase: str, action: str, names: ResourceNames, dev: ResourceNames
) -> list[Target]:
    """(resource ARN, request context) pairs AWS authorises the call on."""
    arns, source = Arns(names), Arns(dev)
    via_s3 = {"kms:ViaService": f"s3.{names.region}.amazonaws.com"}
    stack_key = (
        arns.arn("kms", f"key/{STACK_KEY_ID}"),
        {"aws:ResourceTag/project": names.project, "aws:ResourceTag/stage": names.stage} | via_s3,
    )
    copy = f"{arns.bucket}/{ARTIFACT}"
    model = arns.sagemaker(f"model/{names.promoted_model_prefix}{PROMOTED_HASH}")
    # HeadObject of the copy; CopyObject reads the source as well.
    reads: list[Target] = [(copy, {})]
    if kind == OBJECT_COPY and phase in ("create", "update"):
        reads.append((f"{source.bucket}/{ARTIFACT}", {}))
    by_action: dict[str, list[Target]] = {
        "s3:GetObject": reads,
        # S3 decrypts the source with dev's key and may decrypt with the stack key as it writes.
        "kms:Decrypt": [(source.arn("kms", f"key/{DEV_KEY_ID}"), via_s3), stack_key],
        "kms:GenerateDataKey": [stack_key],
        "s3:ListBucketVersions": [(arns.bucket, {})],
        "iam:PassRole": [(arns.execution_role, {"iam:PassedToService": "sagemaker.amazonaws.com"})],
        "sagemaker:CreateModel": [(model, {"sagemaker:NetworkIsolation": "true"})],
    }
    return by_action.get(action, [(model if kind == MODEL else copy, {})])


def refused_calls(policy: dict[str, Any], names: ResourceNames, dev: ResourceNames) -> list[str]:
    return [
        f"{kind} {phase}: {action} on {arn}"
        for kind in (OBJECT_COPY, MODEL)
        for phase in PHASES
        for action in PROVIDER_CALLS[kind][phase]
        for arn, context in targets(kind, phase, action, names, dev)
        if not allowed(policy, action, arn, context)
    ]


def test_both_types_say_what_each_phase_calls() -> None:
    for kind in (OBJECT_COPY, MODEL):
        assert set(PROVIDER_CALLS[kind]) == set(PHASES)
    assert PROVIDER_CALLS[OBJECT_COPY]["read"] == ("s3:GetObject", "s3:GetObjectTagging")
    assert PROVIDER_CALLS[MODEL]["delete"] == ("sagemaker:DeleteModel",)


@pytest.mark.parametrize("stage", MODEL_CONSUMER_STAGES)
def test_the_stages_that_copy_may_make_every_call(
    project_dir: Path, dev: ResourceNames, stage: str
) -> None:
    names = stage_names(project_dir, stage)
    policy = deploy_policy(names, model_source(stage, project_dir))
    assert policy_problems(policy) == []
    assert refused_calls(policy, names, dev) == []
    assert len(json.dumps(policy, separators=(",", ":"))) < INLINE_POLICY_LIMIT


def test_without_a_model_source_no_call_is_allowed(project_dir: Path, dev: ResourceNames) -> None:
    """The evaluator is not a rubber stamp: the same calls are refused without the statements."""
    names = stage_names(project_dir, "prod")
    refused = refused_calls(deploy_policy(names), names, dev)
    assert f"{OBJECT_COPY} create: s3:GetObject on {Arns(dev).bucket}/{ARTIFACT}" in refused
    assert any(r.startswith(f"{MODEL} create: sagemaker:CreateModel") for r in refused)


def test_dev_trains_and_copies_nothing(project_dir: Path, dev: ResourceNames) -> None:
    assert model_source("dev", project_dir) is None
    policy = deploy_policy(dev, model_source("dev", project_dir))
    assert not [s for s in policy["Statement"] if "Promot" in s["Sid"]]


def test_the_copy_reaches_nothing_else_of_dev(project_dir: Path, dev: ResourceNames) -> None:
    names = stage_names(project_dir, "prod")
    policy = deploy_policy(names, model_source("prod", project_dir))
    source = Arns(dev).bucket
    dev_key = Arns(dev).arn("kms", f"key/{DEV_KEY_ID}")
    assert allowed(policy, "s3:GetObject", f"{source}/{ARTIFACT}")
    # The source's current version only, its tags replaced, nothing outside models/.
    assert not allowed(policy, "s3:GetObjectVersion", f"{source}/{ARTIFACT}")
    assert not allowed(policy, "s3:GetObjectTagging", f"{source}/{ARTIFACT}")
    assert not allowed(policy, "s3:GetObject", f"{source}/executions/exec-1/Transform/out")
    assert not allowed(policy, "s3:PutObject", f"{source}/{ARTIFACT}")
    # Dev's key only as S3 asks for it.
    assert not allowed(policy, "kms:Decrypt", dev_key)
    assert allowed(policy, "kms:Decrypt", dev_key, {"kms:ViaService": "s3.eu-west-1.amazonaws.com"})


def test_only_promoted_models_with_network_isolation(project_dir: Path) -> None:
    names = stage_names(project_dir, "preprod")
    policy = deploy_policy(names, model_source("preprod", project_dir))
    arns = Arns(names)
    promoted = arns.sagemaker(f"model/ml-batch-pipeline-preprod-promoted-{PROMOTED_HASH}")
    isolated = {"sagemaker:NetworkIsolation": "true"}
    assert allowed(policy, "sagemaker:CreateModel", promoted, isolated)
    assert not allowed(policy, "sagemaker:CreateModel", promoted)
    assert not allowed(
        policy, "sagemaker:CreateModel", promoted, {"sagemaker:NetworkIsolation": "false"}
    )
    other_stage = promoted.replace("-preprod-", "-prod-")
    assert not allowed(policy, "sagemaker:CreateModel", other_stage, isolated)
    assert not allowed(policy, "sagemaker:CreateModel", arns.sagemaker("model/anything"), isolated)


def test_the_model_source_is_the_dev_stack_file(
    project_dir: Path, dev: ResourceNames, tmp_path: Path
) -> None:
    assert model_source("prod", project_dir) == dev
    assert Arns(dev).bucket == "arn:aws:s3:::ml-batch-pipeline-dev-111111111111-eu-west-1"
    with pytest.raises(ModelSourceError) as raised:
        model_source("preprod", tmp_path)
    assert str(raised.value) == (
        "the preprod deploy role copies models from the dev stack, whose bucket and key it "
        "names by the accountId and aws:region of Pulumi.dev.yaml, which cannot be read: "
        "no stack file Pulumi.dev.yaml; stacks here: "
    )
