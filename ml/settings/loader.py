"""Turn raw configuration into a validated, frozen Settings object, or fail naming every bad key.

The checks themselves are in the declaration (ml.settings.stack_config); this module reads the
values, phrases each problem as `ml-batch-pipeline:<key>: <value> <problem>; allowed: ...`,
adds the provider's region and account keys, and shapes the result for the program.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ml.contract import MODEL_SOURCE_STAGE, PROJECT
from ml.schedule import parse_schedule
from ml.settings import checks, declared
from ml.settings.model import (
    JobCompute,
    LogGroupSettings,
    SageMakerProject,
    ScheduleSettings,
    Settings,
    SettingsError,
    VpcSettings,
)
from ml.settings.promotion import PromotedModel, source_problems
from ml.settings.sources import read_stack_file
from ml.settings.stack_config import StackConfig

REGION_KEY = "aws:region"
ALLOWED_ACCOUNTS_KEY = "aws:allowedAccountIds"
# What a value that is not of its key's type must be.
_TYPE_PROBLEMS = {
    "string": "must be a string",
    "integer": "must be a whole number",
    "boolean": "must be true or false",
    "array": "must be a list of strings",
}


def load_stack_settings(project_dir: Path, stack: str) -> Settings:
    """Settings for the command-line tools: the declared defaults plus Pulumi.<stack>.yaml."""
    source = f"Pulumi.{stack}.yaml"
    return with_promotion_checked(
        build_settings(read_stack_file(project_dir, stack), source), project_dir, source
    )


def with_promotion_checked(settings: Settings, project_dir: Path, source: str) -> Settings:
    """A registry-mode stage's package must be in dev's account, as dev's stack file says."""
    promoted = settings.promoted_model
    if promoted is None:
        return settings
    dev = read_stack_file(project_dir, MODEL_SOURCE_STAGE).get(f"{PROJECT}:accountId")
    if promoted.account != dev:
        raise SettingsError(
            [
                f"{PROJECT}:modelPackageArn: {promoted.package_arn!r} is in account "
                f"{promoted.account}; allowed: a package of dev's account {dev} "
                f"(Pulumi.{MODEL_SOURCE_STAGE}.yaml)"
            ],
            source,
        )
    return settings


def build_settings(raw: Mapping[str, Any], source: str) -> Settings:
    """Settings from every `namespace:key` value of a stack (values may be engine strings)."""
    prefix = f"{PROJECT}:"
    own = {key[len(prefix) :]: value for key, value in raw.items() if key.startswith(prefix)}
    config, problems = declared.validate(StackConfig, own)
    messages = [f"{prefix}{p.key}: {_phrase(p)}" for p in problems]
    region = raw.get(REGION_KEY)
    if not isinstance(region, str) or not region:
        messages.append(
            f"{REGION_KEY}: {region!r} is required; allowed: a region name such as eu-west-1"
        )
    elif problem := checks.check_region(region):
        messages.append(f"{REGION_KEY}: {region!r} {problem}")
    account_id = own.get("accountId")
    if isinstance(account_id, str) and value_problem("accountId", account_id) is None:
        messages += _allowed_accounts_problems(raw.get(ALLOWED_ACCOUNTS_KEY), account_id)
    if config is not None and not messages and config.model_source == "registry":
        promoted = _promoted(config)
        messages += [
            f"{prefix}{key}: {getattr(promoted, _PROMOTED_FIELDS[key])!r} {problem}"
            for key, problem in source_problems(promoted, str(region)).items()
        ]
    if messages or config is None:
        raise SettingsError(messages, source)
    return _settings_from(config, str(region))


_PROMOTED_FIELDS = {
    "modelPackageArn": "package_arn",
    "modelDataUrl": "model_data_url",
    "modelImageUri": "image_uri",
}


def _promoted(config: StackConfig) -> PromotedModel:
    return PromotedModel(config.model_package_arn, config.model_data_url, config.model_image_uri)


def _phrase(problem: declared.Problem) -> str:
    """What follows `<key>: ` in a message: the value as given, what is wrong, what is allowed."""
    if problem.kind == "missing":
        return f"None is required; allowed: a {problem.pulumi_type}, set per stack"
    return f"{problem.value!r} {_what_is_wrong(problem)}"


def value_problem(key: str, value: Any) -> str | None:
    """The problem with one value of a declared key alone, phrased to follow the value."""
    problem = declared.value_problem(StackConfig, key, value)
    return _what_is_wrong(problem) if problem else None


def _what_is_wrong(problem: declared.Problem) -> str:
    if problem.kind == "type":
        kind = problem.pulumi_type
        return f"{_type_problem(kind, problem.value)}; allowed: a {kind}"
    if problem.kind == "range":
        low, high = problem.bounds
        return f"is out of range; allowed: {low} to {high}"
    return problem.text


def _type_problem(kind: str, value: Any) -> str:
    if kind == "array" and isinstance(value, str):
        try:
            json.loads(value)
        except json.JSONDecodeError:
            return "must be a list"  # not even JSON text, as the engine writes a list
    return _TYPE_PROBLEMS[kind]


def _allowed_accounts_problems(allowed: Any, account_id: str) -> list[str]:
    if allowed is None:
        return []
    if isinstance(allowed, str):
        allowed = json.loads(allowed)
    if allowed == [account_id]:
        return []
    return [
        f"{ALLOWED_ACCOUNTS_KEY}: {allowed!r} must list exactly this stack's accountId; "
        f"allowed: [{account_id!r}]"
    ]


def _settings_from(config: StackConfig, region: str) -> Settings:
    sagemaker_project = None
    if config.sagemaker_project_name:
        sagemaker_project = SageMakerProject(
            config.sagemaker_project_name, config.sagemaker_project_id
        )
    vpc = None
    if config.subnet_ids:
        vpc = VpcSettings(tuple(config.subnet_ids), tuple(config.security_group_ids))
    return Settings(
        stage=config.stage,
        account_id=config.account_id,
        region=region,
        processing=JobCompute(config.processing_instance_type, config.processing_instance_count),
        training=JobCompute(config.training_instance_type, config.training_instance_count),
        transform=JobCompute(config.transform_instance_type, config.transform_instance_count),
        allowed_instance_types=tuple(config.allowed_instance_types),
        mse_threshold=float(config.mse_threshold),
        input_data_url=config.input_data_url or None,
        batch_data_url=config.batch_data_url or None,
        model_approval_status=config.model_approval_status,
        auto_approve_models=config.auto_approve_models,
        schedule=ScheduleSettings(
            parse_schedule(config.schedule), config.schedule_timezone, config.schedule_enabled
        ),
        alarm_emails=tuple(config.alarm_emails),
        protect_resources=config.protect_resources,
        upload_sample_data=config.upload_sample_data,
        max_job_runtime_seconds=config.max_job_runtime_seconds,
        max_parallel_steps=config.max_parallel_steps,
        execution_retention_days=config.execution_retention_days,
        sagemaker_project=sagemaker_project,
        log_groups=LogGroupSettings(config.manage_log_groups, config.log_retention_days),
        vpc=vpc,
        input_kms_key_arns=tuple(config.input_kms_key_arns),
        promoted_model=_promoted(config) if config.model_source == "registry" else None,
        model_consumer_account_ids=tuple(sorted(set(config.model_consumer_account_ids))),
        project=PROJECT,
    )
