"""The three stacks rendered under mocks from their real stack files: values that matter."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from components.context import TAG_MODEL_APPROVAL, TAG_STAGE
from components.documents.arns import ecr_repository_arn
from components.pipeline import TYPE_TOKEN
from ml.contract import STAGES, Param
from ml.definition.reading import image_uris, parameter_names, step_names
from offline.recorder import StackGraph, render_stack
from tests.support.iam_reference import expand, policy_problems, wildcard_only
from tests.support.resource_types import taggable

PIPELINE = "aws:sagemaker/pipeline:Pipeline"
SCHEDULE = "aws:scheduler/schedule:Schedule"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
KEPT = (
    "aws:s3/bucket:Bucket",
    "aws:kms/key:Key",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
)


def definition(graph: StackGraph) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(graph.one(PIPELINE).inputs["pipelineDefinition"])
    return document


def schedule_parameters(graph: StackGraph) -> dict[str, str]:
    target = graph.one(SCHEDULE).inputs["target"]
    pairs = target["sagemakerPipelineParameters"]["pipelineParameters"]
    return {pair["name"]: pair["value"] for pair in pairs}


def test_every_stack_renders_completely_with_no_unknown_inputs(
    graphs: dict[str, StackGraph],
) -> None:
    for stage, graph in graphs.items():
        assert graph.unknown_inputs() == [], stage
        assert len(graph.resources) > 30
        (component,) = graph.of_type(TYPE_TOKEN)
        assert component.parent_name == f"ml-batch-pipeline-{stage}"
        children = [r for r in graph.resources if r is not component]
        assert all(r.parent == component.urn for r in children)
        assert graph.outputs["pipelineName"] == f"ml-batch-pipeline-{stage}"


# Inputs that name resources by what the provider assigns at creation (ids, the key's ARN):
# unknown in a first preview, and read by no policy.
ASSIGNED_AT_CREATION = re.compile(
    r"\.(bucket|queueUrl|targetKeyId|kmsMasterKeyId|kmsKeyArn|arn|topic|roleArn|alarmActions\[0\]"
    r"|deadLetterConfig\.arn|dashboardBody|pipelineDefinition)$"
)


@pytest.mark.parametrize("stage", STAGES)
def test_a_first_preview_knows_every_document_a_policy_reads(stage: str) -> None:
    unknown = render_stack(stage, preview=True).unknown_inputs()
    # The definition names the key's ARN (volume keys take no alias), so it waits for the key.
    assert "batch-inference-pipeline.pipelineDefinition" in unknown
    assert [path for path in unknown if not ASSIGNED_AT_CREATION.search(path)] == []
    documents = ("policy", "assumeRolePolicy", "eventPattern", "schedule.target.arn", "role")
    assert [path for path in unknown if path.endswith(documents)] == []


@pytest.mark.parametrize(
    ("stage", "expression", "timezone", "state"),
    [
        ("dev", "rate(1 day)", "Europe/London", "ENABLED"),
        ("preprod", "cron(0 6 ? * MON-FRI *)", "Europe/London", "DISABLED"),
        ("prod", "cron(0 2 * * ? *)", "Europe/London", "ENABLED"),
    ],
)
def test_schedule_follows_the_stack_file(
    graphs: dict[str, StackGraph], stage: str, expression: str, timezone: str, state: str
) -> None:
    inputs = graphs[stage].one(SCHEDULE).inputs
    assert inputs["scheduleExpression"] == expression
    assert inputs["scheduleExpressionTimezone"] == timezone
    assert inputs["state"] == state
    assert inputs["flexibleTimeWindow"] == {"mode": "OFF"}
    target = inputs["target"]
    assert target["arn"] == graphs[stage].outputs["pipelineArn"]
    assert target["retryPolicy"] == {"maximumRetryAttempts": 3, "maximumEventAgeInSeconds": 3600}
    assert target["deadLetterConfig"]["arn"].endswith(f"ml-batch-pipeline-{stage}-schedule-dlq")


@pytest.mark.parametrize(
    ("stage", "training", "transform", "count"),
    [("dev", "ml.m5.large", "ml.m5.large", "1"), ("prod", "ml.m5.2xlarge", "ml.m5.xlarge", "4")],
)
def test_instance_types_reach_the_definition_and_the_schedule(
    graphs: dict[str, StackGraph], stage: str, training: str, transform: str, count: str
) -> None:
    graph = graphs[stage]
    defaults = {p["Name"]: p.get("DefaultValue") for p in definition(graph)["Parameters"]}
    passed = schedule_parameters(graph)
    for name, value in (
        (Param.TRAINING_INSTANCE_TYPE, training),
        (Param.TRANSFORM_INSTANCE_TYPE, transform),
        (Param.TRANSFORM_INSTANCE_COUNT, count),
    ):
        assert passed[name] == value
        assert str(defaults[name]) == value


@pytest.mark.parametrize("stage", STAGES)
def test_schedule_parameters_are_exactly_the_definitions(
    graphs: dict[str, StackGraph], stage: str
) -> None:
    document = graphs[stage].one(PIPELINE).inputs["pipelineDefinition"]
    assert sorted(schedule_parameters(graphs[stage])) == sorted(parameter_names(document))


def test_prod_keeps_its_data_key_and_registry(graphs: dict[str, StackGraph]) -> None:
    for token in KEPT:
        prod = graphs["prod"].one(token)
        assert (prod.protect, prod.retain_on_delete) == (True, True), token
    assert graphs["prod"].one(KEPT[0]).inputs["forceDestroy"] is False
    assert graphs["prod"].one(KEPT[1]).inputs["deletionWindowInDays"] == 30


def test_dev_is_destroyable(graphs: dict[str, StackGraph]) -> None:
    assert not any(r.protect or r.retain_on_delete for r in graphs["dev"].resources)
    assert graphs["dev"].one(KEPT[0]).inputs["forceDestroy"] is True
    assert graphs["dev"].one(KEPT[1]).inputs["deletionWindowInDays"] == 7


# Inputs by which a resource configures another one (rather than merely using it).
GUARDING_INPUTS = {"bucket", "targetKeyId", "modelPackageGroupName"}
# Content in a kept bucket, not a setting of it: the program rewrites it on every change.
CONTENT = {"aws:s3/bucketObjectv2:BucketObjectv2"}


def guards_of(graph: StackGraph, kept: set[str]) -> set[str]:
    return {
        r.urn
        for r in graph.resources
        if r.type not in CONTENT
        and any(set(r.property_dependencies.get(key, [])) & kept for key in GUARDING_INPUTS)
    }


def test_everything_that_guards_a_kept_resource_is_kept_with_it(
    graphs: dict[str, StackGraph],
) -> None:
    """Deleting a guard of a retained bucket suspends versioning, falls back to default
    encryption or lifts its public access block and TLS policy; the set must be closed."""
    prod = graphs["prod"]
    roots = {r.urn for r in prod.resources if r.type in KEPT}
    guards = guards_of(prod, roots)
    assert {prod_type(prod, urn) for urn in guards} >= {
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:kms/alias:Alias",
    }
    kept = {r.urn for r in prod.resources if r.protect and r.retain_on_delete}
    assert kept == roots | guards
    assert guards_of(prod, kept) <= kept
    assert not any(r.protect != r.retain_on_delete for r in prod.resources)


def prod_type(graph: StackGraph, urn: str) -> str:
    return next(r.type for r in graph.resources if r.urn == urn)


def role_policies(graph: StackGraph) -> dict[str, dict[str, Any]]:
    return {r.name: json.loads(r.inputs["policy"]) for r in graph.of_type(ROLE_POLICY)}


@pytest.mark.parametrize("stage", STAGES)
def test_role_policies_are_least_privilege(graphs: dict[str, StackGraph], stage: str) -> None:
    for name, document in role_policies(graphs[stage]).items():
        assert policy_problems(document) == [], name
        for statement in document["Statement"]:
            assert not any(a == "*" or a.endswith(":*") for a in statement["Action"]), name
            if statement["Effect"] == "Allow" and "*" in statement["Resource"]:
                actions = [a for p in statement["Action"] for a in expand(p)]
                assert all(wildcard_only(a) for a in actions), statement["Sid"]


@pytest.mark.parametrize("stage", STAGES)
def test_execution_role_pulls_exactly_the_definition_images(
    graphs: dict[str, StackGraph], stage: str
) -> None:
    """The role's pull permissions come from the settings (known in a first preview); they must
    name the repositories of exactly the images the built definition runs."""
    policy = role_policies(graphs[stage])["batch-inference-execution-policy"]
    pulls = next(s for s in policy["Statement"] if s["Sid"] == "PullStepImages")
    built = definition(graphs[stage])
    repositories = {ecr_repository_arn("aws", uri) for uri in image_uris(json.dumps(built))}
    assert pulls["Resource"] == sorted(repositories)
    assert len(repositories) == 2  # the scikit-learn and the XGBoost images


@pytest.mark.parametrize("stage", STAGES)
def test_the_key_admits_the_role_the_jobs_run_as(graphs: dict[str, StackGraph], stage: str) -> None:
    graph = graphs[stage]
    key = graph.one("aws:kms/key:Key")
    principals = {
        s["Sid"]: s["Principal"].get("AWS") for s in json.loads(key.inputs["policy"])["Statement"]
    }
    job_role = definition(graph)["Steps"][0]["Arguments"]["RoleArn"]
    assert principals["ExecutionRoleUsesKey"] == job_role
    assert principals["ExecutionRoleGrantsForJobVolumes"] == job_role
    schedule = graph.one("aws:scheduler/schedule:Schedule")
    assert principals["SchedulerRoleReadsScheduleInput"] == schedule.inputs["target"]["roleArn"]
    # A key policy may name only principals that exist (KMS CreateKey; the Terraform provider's
    # resourceKeyCreate waits out IAM propagation, not a role created after the key).
    roles = {r.urn for r in graph.of_type("aws:iam/role:Role")}
    assert roles <= set(key.dependencies)


@pytest.mark.parametrize(("stage", "approval"), [("dev", "manual"), ("prod", "manual")])
def test_every_taggable_resource_carries_stage_and_approval_tags(
    graphs: dict[str, StackGraph], stage: str, approval: str
) -> None:
    tagged = [r for r in graphs[stage].resources if taggable(r.type)]
    assert len(tagged) > 15
    for resource in tagged:
        tags = resource.inputs.get("tags") or {}
        assert tags.get(TAG_STAGE) == stage, resource.name
        assert tags.get(TAG_MODEL_APPROVAL) == approval, resource.name


def test_automatic_approval_is_tagged_as_such() -> None:
    graph = render_stack(
        "dev",
        config_overrides={
            "ml-batch-pipeline:autoApproveModels": "true",
            "ml-batch-pipeline:modelApprovalStatus": "Approved",
        },
    )
    assert graph.one(PIPELINE).inputs["tags"][TAG_MODEL_APPROVAL] == "automatic"
    assert schedule_parameters(graph)[Param.MODEL_APPROVAL_STATUS] == "Approved"
    policy = role_policies(graph)["batch-inference-execution-policy"]
    assert "DenySelfApprovedModels" not in {s["Sid"] for s in policy["Statement"]}


def test_sagemaker_project_tags_reach_the_pipeline_and_model_group() -> None:
    graph = render_stack(
        "dev",
        config_overrides={
            "ml-batch-pipeline:sagemakerProjectName": "abalone",
            "ml-batch-pipeline:sagemakerProjectId": "p-abc123def456",
        },
    )
    for token in (PIPELINE, "aws:sagemaker/modelPackageGroup:ModelPackageGroup"):
        tags = graph.one(token).inputs["tags"]
        assert tags["sagemaker:project-name"] == "abalone"
        assert tags["sagemaker:project-id"] == "p-abc123def456"
    assert "sagemaker:project-name" not in graph.one("aws:s3/bucket:Bucket").inputs["tags"]


def test_credentials_of_another_account_stop_the_program_before_any_resource() -> None:
    from offline.recorder import RenderError

    with pytest.raises(RenderError) as raised:
        render_stack("prod", caller_account="999999999999")
    message = str(raised.value)
    assert "333333333333" in message
    assert "999999999999" in message
    assert raised.value.graph.resources == []


def test_sample_data_is_uploaded_where_the_stage_asks(graphs: dict[str, StackGraph]) -> None:
    def sample_keys(stage: str) -> list[str]:
        objects = graphs[stage].of_type("aws:s3/bucketObjectv2:BucketObjectv2")
        return sorted(o.inputs["key"] for o in objects if o.inputs["key"].startswith("input/"))

    expected = ["input/batch/abalone-batch.csv", "input/training/abalone.csv"]
    assert sample_keys("dev") == expected
    assert sample_keys("preprod") == expected
    assert sample_keys("prod") == []


def test_uploads_wait_for_the_bucket_to_be_locked_down(graphs: dict[str, StackGraph]) -> None:
    graph = graphs["dev"]
    hardening = {
        r.urn
        for r in graph.resources
        if r.type.startswith("aws:s3/bucket")
        and r.type not in (KEPT[0],)
        and "Object" not in r.type
    }
    assert len(hardening) == 6
    for upload in graph.of_type("aws:s3/bucketObjectv2:BucketObjectv2"):
        assert hardening <= set(upload.dependencies), upload.name


def test_the_pipeline_exists_only_after_its_code_role_policy_and_group(
    graphs: dict[str, StackGraph],
) -> None:
    graph = graphs["dev"]
    pipeline = graph.one(PIPELINE)
    needed = {r.urn for r in graph.of_type("aws:s3/bucketObjectv2:BucketObjectv2")}
    needed.add(graph.one(ROLE_POLICY, "batch-inference-execution-policy").urn)
    needed.add(graph.one("aws:sagemaker/modelPackageGroup:ModelPackageGroup").urn)
    assert needed <= set(pipeline.dependencies)
    assert pipeline.inputs["parallelismConfiguration"] == {"maxParallelExecutionSteps": 4}


def alarms(graph: StackGraph) -> dict[str, dict[str, Any]]:
    return {r.inputs["name"]: r.inputs for r in graph.of_type(ALARM)}


def test_the_missed_run_alarm_stays_quiet_until_a_run_could_have_happened(
    graphs: dict[str, StackGraph],
) -> None:
    """A new alarm with missing = breaching would go to ALARM at its first evaluation."""
    missed = alarms(graphs["dev"])["ml-batch-pipeline-dev-missed-run"]
    assert missed["period"] == 25 * 3600
    assert missed["comparisonOperator"] == "LessThanThreshold"
    assert missed["treatMissingData"] == "breaching"
    assert missed["warmUpConfiguration"] == {
        "warmUpPeriodDurationInMinutes": 25 * 60,
        "onlyStartEvaluatingAfterWarmUpPeriodEnds": True,
    }
    assert missed["alarmDescription"].startswith("No execution started in the last 25 hours")


def test_a_window_longer_than_the_warm_up_notifies_only_after_a_run_was_seen() -> None:
    graph = render_stack("dev", config_overrides={"ml-batch-pipeline:schedule": "rate(3 days)"})
    missed = alarms(graph)["ml-batch-pipeline-dev-missed-run"]
    assert missed["period"] == 73 * 3600
    assert "warmUpConfiguration" not in missed
    # OK -> INSUFFICIENT_DATA when a window passes without a start; a new alarm's first
    # state (INSUFFICIENT_DATA) notifies no one.
    assert missed["treatMissingData"] == "missing"
    assert missed["insufficientDataActions"] == [graph.outputs["alertTopicArn"]]


def test_no_missed_run_alarm_while_the_schedule_is_disabled(
    graphs: dict[str, StackGraph],
) -> None:
    # preprod's schedule is disabled: a missed-run alarm would fire forever. Enabling the
    # schedule creates the alarm, so its warm-up starts then.
    assert "ml-batch-pipeline-preprod-missed-run" not in alarms(graphs["preprod"])


def test_alarms_notify_through_the_topic_except_when_the_topic_is_what_failed(
    graphs: dict[str, StackGraph],
) -> None:
    dev = alarms(graphs["dev"])
    topic = graphs["dev"].outputs["alertTopicArn"]
    assert dev.pop("ml-batch-pipeline-dev-alerts-dead-letters")["alarmActions"] == [
        "arn:aws:ssm:eu-west-1:111111111111:opsitem:2#CATEGORY=Availability"
    ]
    for name, inputs in dev.items():
        assert inputs["alarmActions"] == [topic], name
        assert inputs["actionsEnabled"] is True
    undeliverable = dev["ml-batch-pipeline-dev-schedule-dead-letters-undeliverable"]
    assert (undeliverable["namespace"], undeliverable["metricName"]) == (
        "AWS/Scheduler",
        "InvocationsFailedToBeSentToDeadLetterCount",
    )


def test_failures_are_notified_once_by_rules_and_not_again_by_an_alarm(
    graphs: dict[str, StackGraph],
) -> None:
    assert not [a for a in alarms(graphs["dev"]).values() if a["metricName"] == "ExecutionFailed"]
    rules = {r.inputs["name"] for r in graphs["dev"].of_type("aws:cloudwatch/eventRule:EventRule")}
    assert rules == {
        f"ml-batch-pipeline-dev-{role}"
        for role in ("execution-stopped", "step-failed", "gate-rejected")
    }
    for target in graphs["dev"].of_type("aws:cloudwatch/eventTarget:EventTarget"):
        assert not target.inputs["inputTransformer"]["inputTemplate"].startswith('"')


def test_dashboard_shows_the_steps_the_definition_has(graphs: dict[str, StackGraph]) -> None:
    graph = graphs["prod"]
    body = json.loads(graph.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"])
    widget = next(w for w in body["widgets"] if w["properties"]["title"] == "Step failures")
    charted = [metric[-1] for metric in widget["properties"]["metrics"]]
    assert charted == step_names(graph.one(PIPELINE).inputs["pipelineDefinition"])
    alarm_widget = next(w for w in body["widgets"] if w["type"] == "alarm")
    assert len(alarm_widget["properties"]["alarms"]) == len(graph.of_type(ALARM))


def test_log_groups_only_when_the_stage_opts_in(
    graphs: dict[str, StackGraph], dev_with_log_groups: StackGraph
) -> None:
    assert graphs["prod"].of_type("aws:cloudwatch/logGroup:LogGroup") == []
    groups = dev_with_log_groups.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert sorted(g.inputs["name"] for g in groups) == [
        "/aws/sagemaker/ProcessingJobs",
        "/aws/sagemaker/TrainingJobs",
        "/aws/sagemaker/TransformJobs",
    ]
    assert all(g.inputs["retentionInDays"] == 90 for g in groups)


def test_account_wide_log_groups_are_adopted_never_deleted_nor_stack_encrypted() -> None:
    """SageMaker creates these on an account's first job; CreateLogGroup then fails with
    ResourceAlreadyExistsException, so an existing group is imported instead."""
    graph = render_stack(
        "dev",
        config_overrides={"ml-batch-pipeline:manageLogGroups": "true"},
        existing_log_groups=("/aws/sagemaker/TrainingJobs", "/aws/sagemaker/Endpoints/x"),
    )
    groups = {g.inputs["name"]: g for g in graph.of_type("aws:cloudwatch/logGroup:LogGroup")}
    assert {name: g.import_id for name, g in groups.items()} == {
        "/aws/sagemaker/ProcessingJobs": "",
        "/aws/sagemaker/TrainingJobs": "/aws/sagemaker/TrainingJobs",
        "/aws/sagemaker/TransformJobs": "",
    }
    for group in groups.values():
        assert group.inputs["skipDestroy"] is True
        assert group.retain_on_delete
        assert "kmsKeyId" not in group.inputs
    key_policy = json.loads(graph.one("aws:kms/key:Key").inputs["policy"])
    services = [s["Principal"].get("Service") for s in key_policy["Statement"]]
    assert "logs.amazonaws.com" not in str(services)


def test_vpc_settings_reach_the_jobs_and_the_role() -> None:
    graph = render_stack(
        "dev",
        config_overrides={
            "ml-batch-pipeline:subnetIds": '["subnet-0abc1234"]',
            "ml-batch-pipeline:securityGroupIds": '["sg-0abc1234"]',
        },
    )
    train = next(s for s in definition(graph)["Steps"] if s["Name"] == "Train")
    assert train["Arguments"]["VpcConfig"] == {
        "SecurityGroupIds": ["sg-0abc1234"],
        "Subnets": ["subnet-0abc1234"],
    }
    policy = role_policies(graph)["batch-inference-execution-policy"]
    assert "JobNetworkInterfaces" in {s["Sid"] for s in policy["Statement"]}


def test_the_scheduler_role_trusts_only_its_schedule_group(graphs: dict[str, StackGraph]) -> None:
    """Scheduler's confused-deputy guidance: aws:SourceArn on the schedule group."""
    role = graphs["dev"].one("aws:iam/role:Role", "batch-inference-scheduler-role")
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    group = graphs["dev"].one("aws:scheduler/scheduleGroup:ScheduleGroup").inputs["name"]
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "111111111111"},
        "ArnEquals": {
            "aws:SourceArn": f"arn:aws:scheduler:eu-west-1:111111111111:schedule-group/{group}"
        },
    }


@pytest.mark.slow
def test_the_program_prints_nothing_a_preview_would_show(project_dir: Path) -> None:
    """The engine shows every line a program writes to stdout or stderr as a diagnostic of the
    preview; the SDK's import and image lookups log by default."""
    # Leaves without the interpreter's shutdown: the offline harness's event loop may complain
    # when collected then, which is this harness's noise, not the program's output.
    program = (
        "import os, sys; from offline.recorder import render_stack; "
        "render_stack('prod', preview=True); sys.stdout.flush(); sys.stderr.flush(); os._exit(0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=project_dir, capture_output=True, text=True, check=True
    )
    assert (result.stdout, result.stderr) == ("", "")
