"""Turn raw configuration into a validated, frozen Settings object, or fail naming every bad key."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ml.contract import APPROVAL_STATUSES, STAGES
from ml.schedule import ALLOWED_HELP, parse_schedule
from ml.settings import checks
from ml.settings.model import (
    JobCompute,
    LogGroupSettings,
    SageMakerProject,
    ScheduleSettings,
    Settings,
    SettingsError,
    VpcSettings,
)
from ml.settings.sources import (
    ProjectSchema,
    coerce,
    read_engine_config,
    read_project_schema,
    read_stack_file,
)

REGION_KEY = "aws:region"
ALLOWED_ACCOUNTS_KEY = "aws:allowedAccountIds"


class _Checker:
    """Collects every problem so a user fixes their stack file in one pass."""

    def __init__(self, project: str) -> None:
        self.project = project
        self.problems: list[str] = []

    def report(self, key: str, value: Any, problem: str) -> None:
        name = key if ":" in key else f"{self.project}:{key}"
        self.problems.append(f"{name}: {value!r} {problem}")

    def check(self, key: str, value: Any, problem: str | None) -> None:
        if problem is not None:
            self.report(key, value, problem)

    def check_each(self, key: str, values: list[str], check: Callable[[str], str | None]) -> None:
        for value in values:
            self.check(key, value, check(value))


def load_stack_settings(project_dir: Path, stack: str) -> Settings:
    """Settings for the command-line tools: Pulumi.yaml defaults plus Pulumi.<stack>.yaml."""
    schema = read_project_schema(project_dir)
    return build_settings(schema, read_stack_file(project_dir, stack), f"Pulumi.{stack}.yaml")


def load_engine_settings(project_dir: Path) -> Settings:
    """Settings for the Pulumi program: the same schema, values from the engine's config."""
    schema = read_project_schema(project_dir)
    return build_settings(schema, read_engine_config(), "the stack configuration")


def build_settings(schema: ProjectSchema, raw: Mapping[str, Any], source: str) -> Settings:
    checker = _Checker(schema.project)
    values = _declared_values(schema, raw, checker)
    region = raw.get(REGION_KEY)
    if not isinstance(region, str) or not region:
        checker.report(REGION_KEY, region, "is required; allowed: a region name such as eu-west-1")
    else:
        checker.check(REGION_KEY, region, checks.check_region(region))
    if not checker.problems:
        _check_values(values, checker)
        _check_allowed_accounts(raw.get(ALLOWED_ACCOUNTS_KEY), values["accountId"], checker)
    if checker.problems:
        raise SettingsError(checker.problems, source)
    return _settings_from(values, str(region), schema.project)


def _declared_values(
    schema: ProjectSchema, raw: Mapping[str, Any], checker: _Checker
) -> dict[str, Any]:
    prefix = f"{schema.project}:"
    for full_key in raw:
        name = full_key[len(prefix) :]
        if full_key.startswith(prefix) and name not in schema.keys:
            close = difflib.get_close_matches(name, list(schema.keys), n=1)
            hint = f"did you mean {close[0]}?" if close else "see Pulumi.yaml for the keys"
            checker.report(full_key, raw[full_key], f"is not a known setting; {hint}")
    values: dict[str, Any] = {}
    for name, key in schema.keys.items():
        value = raw.get(prefix + name, None if key.required else key.default)
        if value is None:
            checker.report(name, value, f"is required; allowed: a {key.type}, set per stack")
            continue
        try:
            values[name] = coerce(key, value)
        except ValueError as error:
            checker.report(name, value, f"{error}; allowed: a {key.type}")
    return values


def _check_values(values: dict[str, Any], checker: _Checker) -> None:
    checker.check("stage", values["stage"], _one_of(values["stage"], STAGES))
    checker.check("accountId", values["accountId"], checks.check_account_id(values["accountId"]))
    allow_list = tuple(values["allowedInstanceTypes"])
    for job_type in checks.JOB_TYPES:
        key = f"{job_type}InstanceType"
        problem = checks.check_instance_type(values[key], job_type, allow_list)
        checker.check(key, values[key], problem)
    for key in ("processingInstanceCount", "trainingInstanceCount"):
        checker.check(key, values[key], checks.check_single_instance(values[key]))
    count = values["transformInstanceCount"]
    checker.check("transformInstanceCount", count, checks.check_range(count, 1, 100))
    checker.check(
        "mseThreshold", values["mseThreshold"], checks.check_threshold(values["mseThreshold"])
    )
    for key in ("inputDataUrl", "batchDataUrl"):
        if values[key]:
            checker.check(key, values[key], checks.check_s3_uri(values[key]))
    _check_approval(values, checker)
    _check_schedule(values, checker)
    checker.check_each("alarmEmails", values["alarmEmails"], checks.check_email)
    runtime = values["maxJobRuntimeSeconds"]
    checker.check("maxJobRuntimeSeconds", runtime, checks.check_range(runtime, 60, 432_000))
    parallel = values["maxParallelSteps"]
    checker.check("maxParallelSteps", parallel, checks.check_range(parallel, 1, 256))
    kept = values["executionRetentionDays"]
    checker.check("executionRetentionDays", kept, checks.check_range(kept, 1, 3650))
    retention = values["logRetentionDays"]
    checker.check("logRetentionDays", retention, checks.check_log_retention(retention))
    _check_pairs(values, checker)


def _one_of(value: str, allowed: tuple[str, ...]) -> str | None:
    return None if value in allowed else f"is not allowed; allowed: {', '.join(allowed)}"


def _check_approval(values: dict[str, Any], checker: _Checker) -> None:
    status = values["modelApprovalStatus"]
    if status not in APPROVAL_STATUSES:
        checker.check("modelApprovalStatus", status, _one_of(status, APPROVAL_STATUSES))
    elif status == "Approved" and not values["autoApproveModels"]:
        checker.report(
            "modelApprovalStatus",
            status,
            "needs autoApproveModels: true on this stage; allowed: PendingManualApproval",
        )


def _check_schedule(values: dict[str, Any], checker: _Checker) -> None:
    try:
        parse_schedule(values["schedule"])
    except ValueError as error:
        checker.report("schedule", values["schedule"], f"{error}; allowed: {ALLOWED_HELP}")
    timezone = values["scheduleTimezone"]
    checker.check("scheduleTimezone", timezone, checks.check_timezone(timezone))


def _check_pairs(values: dict[str, Any], checker: _Checker) -> None:
    """Keys that only make sense together, and their formats."""
    for first, second in (
        ("sagemakerProjectName", "sagemakerProjectId"),
        ("subnetIds", "securityGroupIds"),
    ):
        if bool(values[first]) != bool(values[second]):
            missing = second if values[first] else first
            checker.report(
                missing,
                values[missing],
                f"must be set together with {first if missing == second else second}",
            )
    if values["sagemakerProjectName"]:
        checker.check(
            "sagemakerProjectName",
            values["sagemakerProjectName"],
            checks.check_project_name(values["sagemakerProjectName"]),
        )
        checker.check(
            "sagemakerProjectId",
            values["sagemakerProjectId"],
            checks.check_project_id(values["sagemakerProjectId"]),
        )
    checker.check_each("subnetIds", values["subnetIds"], checks.check_subnet)
    checker.check_each("securityGroupIds", values["securityGroupIds"], checks.check_security_group)
    checker.check_each("inputKmsKeyArns", values["inputKmsKeyArns"], checks.check_kms_key_arn)


def _check_allowed_accounts(allowed: Any, account_id: str, checker: _Checker) -> None:
    if allowed is None:
        return
    if isinstance(allowed, str):
        allowed = json.loads(allowed)
    if allowed != [account_id]:
        checker.report(
            ALLOWED_ACCOUNTS_KEY,
            allowed,
            f"must list exactly this stack's accountId; allowed: [{account_id!r}]",
        )


def _settings_from(values: dict[str, Any], region: str, project: str) -> Settings:
    sagemaker_project = None
    if values["sagemakerProjectName"]:
        sagemaker_project = SageMakerProject(
            values["sagemakerProjectName"], values["sagemakerProjectId"]
        )
    vpc = None
    if values["subnetIds"]:
        vpc = VpcSettings(tuple(values["subnetIds"]), tuple(values["securityGroupIds"]))
    return Settings(
        stage=values["stage"],
        account_id=values["accountId"],
        region=region,
        processing=JobCompute(values["processingInstanceType"], values["processingInstanceCount"]),
        training=JobCompute(values["trainingInstanceType"], values["trainingInstanceCount"]),
        transform=JobCompute(values["transformInstanceType"], values["transformInstanceCount"]),
        allowed_instance_types=tuple(values["allowedInstanceTypes"]),
        mse_threshold=float(values["mseThreshold"]),
        input_data_url=values["inputDataUrl"] or None,
        batch_data_url=values["batchDataUrl"] or None,
        model_approval_status=values["modelApprovalStatus"],
        auto_approve_models=values["autoApproveModels"],
        schedule=ScheduleSettings(
            parse_schedule(values["schedule"]),
            values["scheduleTimezone"],
            values["scheduleEnabled"],
        ),
        alarm_emails=tuple(values["alarmEmails"]),
        protect_resources=values["protectResources"],
        upload_sample_data=values["uploadSampleData"],
        max_job_runtime_seconds=values["maxJobRuntimeSeconds"],
        max_parallel_steps=values["maxParallelSteps"],
        execution_retention_days=values["executionRetentionDays"],
        sagemaker_project=sagemaker_project,
        log_groups=LogGroupSettings(values["manageLogGroups"], values["logRetentionDays"]),
        vpc=vpc,
        input_kms_key_arns=tuple(values["inputKmsKeyArns"]),
        project=project,
    )
