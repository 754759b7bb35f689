from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ml.contract import STAGES
from ml.settings import SettingsError, build_settings, load_stack_settings
from ml.settings.sources import read_stack_file

NS = "ml-batch-pipeline"


def load_with(project_dir: Path, **overrides: Any) -> Any:
    """The dev stack file with some keys changed (None removes a key)."""
    raw = read_stack_file(project_dir, "dev")
    for key, value in overrides.items():
        full = key if ":" in key else f"{NS}:{key}"
        if value is None:
            raw.pop(full, None)
        else:
            raw[full] = value
    return build_settings(raw, "test")


@pytest.mark.parametrize("stack", STAGES)
def test_every_stack_file_loads_with_its_stage(project_dir: Path, stack: str) -> None:
    settings = load_stack_settings(project_dir, stack)
    assert settings.stage == stack
    assert settings.names.pipeline == f"ml-batch-pipeline-{stack}"
    assert settings.processing.instance_count == 1


def test_stage_values_differ_where_the_stack_files_say(project_dir: Path) -> None:
    dev = load_stack_settings(project_dir, "dev")
    prod = load_stack_settings(project_dir, "prod")
    assert (dev.protect_resources, prod.protect_resources) == (False, True)
    assert dev.schedule.expression == "rate(1 day)"
    assert dev.schedule.schedule.rate_seconds == 86400
    assert prod.schedule.expression == "cron(0 2 * * ? *)"
    assert prod.transform.instance_count == 4
    assert prod.mse_threshold == 6.5
    assert dev.input_data_url is None
    assert prod.batch_data_url == "s3://example-prod-data-333333333333/abalone/batch/"


def test_project_defaults_apply_when_a_stack_omits_a_key(project_dir: Path) -> None:
    settings = load_with(project_dir, scheduleTimezone=None, maxJobRuntimeSeconds=None)
    assert settings.schedule.timezone == "UTC"
    assert settings.max_job_runtime_seconds == 3600
    assert settings.model_approval_status == "PendingManualApproval"


def test_engine_strings_are_coerced_by_declared_type(project_dir: Path) -> None:
    """The engine hands every value over as a string; arrays arrive JSON-encoded."""
    settings = load_with(
        project_dir,
        transformInstanceCount="3",
        scheduleEnabled="false",
        alarmEmails='["a@example.com", "b@example.com"]',
        **{"aws:allowedAccountIds": '["111111111111"]'},
    )
    assert settings.transform.instance_count == 3
    assert settings.schedule.enabled is False
    assert settings.alarm_emails == ("a@example.com", "b@example.com")


BAD_VALUES = [
    ("schedule", "rate(1 days)", "the unit must be 'day'"),
    ("schedule", "cron(0 6 * * MON *)", "exactly one of day-of-month and day-of-week must be '?'"),
    ("schedule", "every day", "allowed: rate(<n> minute|minutes|hour|hours|day|days)"),
    ("scheduleTimezone", "Europe/Lodnon", "is not an IANA time zone"),
    ("trainingInstanceType", "ml.p9.xlarge", "is not a training instance type"),
    ("transformInstanceType", "ml.t3.medium", "is not a transform instance type"),
    ("transformInstanceType", "ml.m5.huge", "is not a transform instance type"),
    (
        "processingInstanceType",
        "ml.m5.4xlarge",
        "is not in allowedInstanceTypes; allowed: ml.m5.large, ml.m5.xlarge",
    ),
    ("trainingInstanceCount", 2, "the step scripts run on one instance; allowed: 1"),
    ("transformInstanceCount", 0, "is out of range; allowed: 1 to 100"),
    ("mseThreshold", "eight", "is not a number"),
    ("mseThreshold", "-1", "is not a positive finite number"),
    ("inputDataUrl", "s3: //bucket/key", "is not an S3 URI"),
    ("batchDataUrl", "bucket/batch/", "is not an S3 URI"),
    ("modelApprovalStatus", "Approved", "needs autoApproveModels: true"),
    ("modelApprovalStatus", "Rejected", "allowed: PendingManualApproval, Approved"),
    ("alarmEmails", ["oncall@example"], "is not an e-mail address"),
    ("accountId", "12345678901", "is not an AWS account id; allowed: 12 digits"),
    ("stage", "staging", "allowed: dev, preprod, prod"),
    ("logRetentionDays", 45, "is not a CloudWatch retention"),
    ("maxJobRuntimeSeconds", 10, "allowed: 60 to 432000"),
    ("subnetIds", ["subnet-1"], "is not a subnet id"),
    ("inputKmsKeyArns", ["alias/data-key"], "is not a KMS key ARN"),
    ("modelConsumerAccountIds", ["2222"], "is not an AWS account id; allowed: 12 digits"),
    ("securityGroupIds", ["sg-0123abcd"], "[] must be set together with securityGroupIds"),
    ("sagemakerProjectName", "team-churn", "'' must be set together with sagemakerProjectName"),
    ("scheduleEnabled", "yes", "must be true or false"),
    ("transformInstanceCount", "two", "must be a whole number"),
    ("aws:region", "eu-middle-9", "is not a region with SageMaker"),
    ("aws:allowedAccountIds", ["999999999999"], "must list exactly this stack's accountId"),
]


@pytest.mark.parametrize(("key", "value", "expected"), BAD_VALUES)
def test_bad_value_names_key_value_and_what_is_allowed(
    project_dir: Path, key: str, value: Any, expected: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        load_with(project_dir, **{key: value})
    problems = caught.value.problems
    matching = [p for p in problems if expected in p]
    assert len(matching) == 1, problems
    shown = value[0] if isinstance(value, list) and len(value) == 1 and ":" not in key else value
    if "must be set together" in expected:
        # The problem is reported on the key that is missing, with its empty value.
        assert matching[0].endswith(expected), problems
    else:
        full_key = key if ":" in key else f"{NS}:{key}"
        assert matching[0].startswith(f"{full_key}: {shown!r} "), problems


def test_input_key_arns_are_kept(project_dir: Path) -> None:
    key = "arn:aws:kms:eu-west-1:444444444444:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    settings = load_with(project_dir, inputKmsKeyArns=[key])
    assert settings.input_kms_key_arns == (key,)


def test_dev_shares_its_models_with_the_preprod_and_prod_accounts(project_dir: Path) -> None:
    dev = load_stack_settings(project_dir, "dev")
    later = [load_stack_settings(project_dir, stage).account_id for stage in ("preprod", "prod")]
    assert dev.model_consumer_account_ids == tuple(later) == ("222222222222", "333333333333")
    assert load_stack_settings(project_dir, "prod").model_consumer_account_ids == ()
    repeated = load_with(project_dir, modelConsumerAccountIds=["333333333333", "222222222222"] * 2)
    assert repeated.model_consumer_account_ids == ("222222222222", "333333333333")


def test_only_dev_may_share_its_models(project_dir: Path) -> None:
    raw = read_stack_file(project_dir, "prod")
    raw[f"{NS}:modelConsumerAccountIds"] = ["222222222222"]
    with pytest.raises(SettingsError) as caught:
        build_settings(raw, "test")
    assert caught.value.problems == [
        f"{NS}:modelConsumerAccountIds: ['222222222222'] is read only on the dev stack, whose "
        "models the later stages copy; allowed: [] on a prod stack"
    ]


def test_approved_is_accepted_when_the_stage_allows_automatic_approval(project_dir: Path) -> None:
    settings = load_with(project_dir, modelApprovalStatus="Approved", autoApproveModels=True)
    assert settings.model_approval_status == "Approved"
    assert settings.model_approval_tag == "automatic"


def test_unknown_key_is_reported_with_a_suggestion(project_dir: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_with(project_dir, scheduleTimeZone="UTC")
    assert caught.value.problems == [
        f"{NS}:scheduleTimeZone: 'UTC' is not a known setting; did you mean scheduleTimezone?"
    ]


def test_missing_required_key_is_reported(project_dir: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_with(project_dir, accountId=None)
    assert f"{NS}:accountId: None is required" in str(caught.value)


def test_every_problem_is_reported_at_once(project_dir: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_with(project_dir, scheduleTimezone="Mars/Base", mseThreshold="x", alarmEmails=["@"])
    assert len(caught.value.problems) == 3
    assert "invalid configuration in test:" in str(caught.value)


def test_unknown_stack_names_the_stacks_there(project_dir: Path) -> None:
    from ml.settings import ConfigSourceError

    with pytest.raises(
        ConfigSourceError, match=r"no stack file Pulumi.qa.yaml; stacks here: dev, preprod, prod"
    ):
        load_stack_settings(project_dir, "qa")


def test_encrypted_value_is_refused_by_the_file_loader(tmp_path: Path, project_dir: Path) -> None:
    from ml.settings import ConfigSourceError

    (tmp_path / "Pulumi.yaml").write_text((project_dir / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.x.yaml").write_text(f"config:\n  {NS}:accountId:\n    secure: AAAB\n")
    with pytest.raises(ConfigSourceError, match="is encrypted"):
        load_stack_settings(tmp_path, "x")
