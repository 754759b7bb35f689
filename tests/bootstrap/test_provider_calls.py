"""Every call the provider makes for every resource of each stack is allowed to that stage's
deploy role, on the resource the call names (bootstrap/provider_calls.py has the calls and
where they come from)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bootstrap.deploy_policy import deploy_policy
from bootstrap.provider_calls import INVOKE_CALLS, PHASES, PROVIDER_CALLS
from components.documents.arns import Arns
from ml.contract import ResourceNames
from ml.settings import load_stack_settings
from offline.recorder import RecordedResource, StackGraph
from tests.bootstrap.iam_eval import allowed
from tests.support.iam_reference import wildcard_only

# Stand-ins for the ids AWS assigns (a key id; an object a run wrote).
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
RUN_OUTPUT = "executions/exec-1/Transform/batch.csv.out"
PASSED_TO = {
    "aws:sagemaker/pipeline:Pipeline": "sagemaker.amazonaws.com",
    "aws:scheduler/schedule:Schedule": "scheduler.amazonaws.com",
}
KEY_VIA = {
    "aws:s3/bucketObjectv2:BucketObjectv2": "s3",
    "aws:scheduler/schedule:Schedule": "scheduler",
}


# A promoted model's copy and model read dev's bucket and key as well as the stage's own:
# tests/bootstrap/test_promotion.py checks their calls with that context.
CHECKED_WITH_THEIR_SOURCE = {"aws:s3/objectCopy:ObjectCopy", "aws:sagemaker/model:Model"}


def primary_arn(resource: RecordedResource, names: ResourceNames) -> str:
    """The ARN of what the resource is (or, for settings resources, what it configures)."""
    arns, i = Arns(names), resource.inputs
    kind = resource.type.split(":")[1]
    by_kind = {
        "cloudwatch/dashboard": lambda: (
            f"arn:aws:cloudwatch::{names.account_id}:dashboard/{i.get('dashboardName')}"
        ),
        "cloudwatch/eventRule": lambda: arns.arn("events", f"rule/{i.get('name')}"),
        "cloudwatch/eventTarget": lambda: arns.arn("events", f"rule/{i.get('rule')}"),
        "cloudwatch/metricAlarm": lambda: arns.alarm(str(i.get("name"))),
        "cloudwatch/logGroup": lambda: arns.log_group(str(i.get("name"))),
        "iam/role": lambda: f"arn:aws:iam::{names.account_id}:role/{i.get('name')}",
        "iam/rolePolicy": lambda: f"arn:aws:iam::{names.account_id}:role/{i.get('role')}",
        "kms/alias": lambda: arns.arn("kms", str(i.get("name"))),
        "kms/key": lambda: arns.arn("kms", f"key/{KEY_ID}"),
        "s3/bucketObjectv2": lambda: f"{arns.bucket}/{i.get('key')}",
        "sagemaker/modelPackageGroup": lambda: arns.model_package_group,
        "sagemaker/pipeline": lambda: arns.sagemaker(f"pipeline/{i.get('pipelineName')}"),
        "scheduler/schedule": lambda: arns.arn(
            "scheduler", f"schedule/{i.get('groupName')}/{i.get('name')}"
        ),
        "scheduler/scheduleGroup": lambda: arns.arn("scheduler", f"schedule-group/{i.get('name')}"),
        "sns/topic": lambda: arns.arn("sns", str(i.get("name"))),
        "sns/topicPolicy": lambda: str(i.get("arn")),
        "sns/topicSubscription": lambda: str(i.get("topic")),
        "sqs/queue": lambda: arns.arn("sqs", str(i.get("name"))),
        "sqs/queuePolicy": lambda: arns.arn("sqs", str(i.get("queueUrl")).rsplit("/", 1)[-1]),
    }
    if kind.startswith("s3/bucket") and kind != "s3/bucketObjectv2":
        return arns.bucket
    return by_kind[kind]()


def targets(
    resource: RecordedResource, action: str, names: ResourceNames
) -> list[tuple[str, dict[str, Any]]]:
    """(resource ARN, request context) pairs AWS authorises the call on."""
    arns = Arns(names)
    tags = resource.inputs.get("tags") or {}
    key = arns.arn("kms", f"key/{KEY_ID}")
    key_tags = {"aws:ResourceTag/project": names.project, "aws:ResourceTag/stage": names.stage}
    if wildcard_only(action):
        request = {f"aws:RequestTag/{k}": v for k, v in tags.items()}
        return [("*", request)]
    if action == "iam:PassRole":
        role = resource.inputs.get("roleArn") or resource.inputs["target"]["roleArn"]
        return [(role, {"iam:PassedToService": PASSED_TO[resource.type]})]
    if action.startswith("kms:") and resource.type == "aws:kms/alias:Alias":
        return [(primary_arn(resource, names), {}), (key, key_tags)]
    if action.startswith("kms:") and resource.type == "aws:kms/key:Key":
        request = {f"aws:RequestTag/{k}": v for k, v in tags.items()}
        return [(key, key_tags | request)]
    if action.startswith("kms:"):
        via = f"{KEY_VIA[resource.type]}.{names.region}.amazonaws.com"
        return [(key, key_tags | {"kms:ViaService": via})]
    if action in ("s3:ListBucketVersions", "s3:ListBucket"):
        return [(arns.bucket, {})]
    if action in ("s3:DeleteObject", "s3:DeleteObjectVersion") and "bucketObject" not in (
        resource.type
    ):
        # Emptying a destroyable bucket deletes what runs wrote too.
        return [(f"{arns.bucket}/{RUN_OUTPUT}", {})]
    return [(primary_arn(resource, names), {})]


def test_every_listed_type_says_what_each_phase_calls() -> None:
    for calls in PROVIDER_CALLS.values():
        assert set(calls) == set(PHASES)


@pytest.mark.parametrize("phase", PHASES)
def test_the_deploy_role_allows_every_call_of_every_resource(
    project_dir: Path, every_rendering: list[StackGraph], phase: str
) -> None:
    refused = []
    for graph in every_rendering:
        stage = graph.stack
        names = load_stack_settings(project_dir, stage).names
        policy = deploy_policy(names)
        for resource in graph.resources:
            if resource.type in CHECKED_WITH_THEIR_SOURCE:
                continue
            for action in PROVIDER_CALLS.get(resource.type, {}).get(phase, ()):
                for arn, context in targets(resource, action, names):
                    if not allowed(policy, action, arn, context):
                        refused.append(f"{stage} {resource.name}: {action} on {arn}")
    assert refused == []


def test_the_programs_data_source_calls_are_allowed(project_dir: Path) -> None:
    names = load_stack_settings(project_dir, "dev").names
    for actions in INVOKE_CALLS.values():
        for action in actions:
            assert allowed(deploy_policy(names), action, "*")


def test_the_check_refuses_what_the_role_does_not_grant(project_dir: Path) -> None:
    """The evaluator is not a rubber stamp: the gaps the review found are refused without them."""
    names = load_stack_settings(project_dir, "prod").names
    policy = deploy_policy(names)
    role = f"arn:aws:iam::{names.account_id}:role/{names.pipeline}-execution"
    assert allowed(policy, "iam:UpdateRoleDescription", role)
    stripped = {
        "Version": policy["Version"],
        "Statement": [
            {**s, "Action": [a for a in s["Action"] if a != "iam:UpdateRoleDescription"]}
            for s in policy["Statement"]
        ],
    }
    assert not allowed(stripped, "iam:UpdateRoleDescription", role)
    # Data the jobs wrote is never readable, only deletable.
    output = f"{Arns(names).bucket}/{RUN_OUTPUT}"
    assert not allowed(policy, "s3:GetObject", output)
    assert allowed(policy, "s3:DeleteObject", output)
    # The key's data actions only through S3 or Scheduler.
    key = Arns(names).arn("kms", f"key/{KEY_ID}")
    tagged = {"aws:ResourceTag/project": names.project, "aws:ResourceTag/stage": names.stage}
    assert not allowed(policy, "kms:Decrypt", key, tagged)
    s3 = {"kms:ViaService": f"s3.{names.region}.amazonaws.com"}
    assert allowed(policy, "kms:Decrypt", key, tagged | s3)
    # Each role is passed only to its own service.
    assert not allowed(
        policy, "iam:PassRole", role, {"iam:PassedToService": "scheduler.amazonaws.com"}
    )
