"""Every key of the program's configuration, declared once: type, default, allowed values and
description. Pulumi.yaml's `config:` block is this declaration written out (a test keeps the two
equal); the loader validates stack files and the engine's config against it."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from ml.contract import APPROVAL_STATUSES, MODEL_SOURCE_STAGE, STAGES
from ml.settings import checks
from ml.settings.declared import (
    FROM_ENGINE,
    Boolean,
    Declaration,
    Integer,
    Strings,
    check,
    one_of,
    rule_broken,
    unless_empty,
)
from ml.settings.promotion import (
    MODEL_SOURCES,
    check_image_uri,
    check_model_data_url,
    check_model_package_arn,
)

DEFAULT_INSTANCE_TYPE = "ml.m5.xlarge"
# Lists whose every item is checked (a problem names the item).
Emails = Annotated[list[Annotated[str, check(checks.check_email)]], FROM_ENGINE]
SubnetIds = Annotated[list[Annotated[str, check(checks.check_subnet)]], FROM_ENGINE]
SecurityGroupIds = Annotated[list[Annotated[str, check(checks.check_security_group)]], FROM_ENGINE]
KmsKeyArns = Annotated[list[Annotated[str, check(checks.check_kms_key_arn)]], FROM_ENGINE]
AccountIds = Annotated[list[Annotated[str, check(checks.check_account_id)]], FROM_ENGINE]
# Keys set together or not at all: the later key -> the earlier one.
_PAIRS = {"sagemaker_project_id": "sagemaker_project_name", "security_group_ids": "subnet_ids"}


class StackConfig(Declaration):
    stage: Annotated[str, one_of(STAGES)] = Field(
        description="Promotion stage of this stack, one of dev, preprod, prod. Drives protection "
        "and tags."
    )
    account_id: Annotated[str, check(checks.check_account_id)] = Field(
        description="The 12-digit AWS account this stack deploys into; the program refuses "
        "other credentials."
    )
    # Before the instance types, whose values it limits.
    allowed_instance_types: Strings = Field(
        [],
        description="Optional per-stage allow-list of instance types; empty allows every type "
        "AWS offers for the job.",
    )
    processing_instance_type: Annotated[str, check(checks.instance_type_check("processing"))] = (
        Field(
            DEFAULT_INSTANCE_TYPE,
            description="Instance type of the preprocessing and evaluation jobs.",
        )
    )
    processing_instance_count: Annotated[Integer, check(checks.check_single_instance)] = Field(
        1,
        description="Instances per processing job. Must be 1 (the scripts do not distribute work).",
    )
    training_instance_type: Annotated[str, check(checks.instance_type_check("training"))] = Field(
        DEFAULT_INSTANCE_TYPE, description="Instance type of the training job."
    )
    training_instance_count: Annotated[Integer, check(checks.check_single_instance)] = Field(
        1,
        description="Instances of the training job. Must be 1 (the training script is "
        "single-node).",
    )
    transform_instance_type: Annotated[str, check(checks.instance_type_check("transform"))] = Field(
        DEFAULT_INSTANCE_TYPE, description="Instance type of the batch transform job."
    )
    transform_instance_count: Integer = Field(
        1,
        ge=1,
        le=100,
        description="Instances of the batch transform job (1-100); input files are spread "
        "across them.",
    )
    # A string: Pulumi config has no floating-point type.
    mse_threshold: Annotated[str, check(checks.check_threshold)] = Field(
        "8.0",
        description="Quality gate; a model whose test MSE is above this value is not registered "
        "or used.",
    )
    input_data_url: Annotated[str, check(unless_empty(checks.check_s3_uri))] = Field(
        "",
        description="S3 URI of the training CSV (Abalone layout). Empty uses the sample data in "
        "the stack bucket.",
    )
    batch_data_url: Annotated[str, check(unless_empty(checks.check_s3_uri))] = Field(
        "",
        description="S3 URI (file or prefix) of the CSV rows to score. Empty uses the sample "
        "batch in the stack bucket.",
    )
    # Before the approval status, which it may allow to be Approved.
    auto_approve_models: Boolean = Field(
        default=False,
        description="Allow this stage to register models as Approved without a human.",
    )
    model_approval_status: Annotated[str, one_of(APPROVAL_STATUSES)] = Field(
        "PendingManualApproval",
        description="Status given to registered models, PendingManualApproval or Approved "
        "(Approved needs autoApproveModels).",
    )
    schedule: Annotated[str, check(checks.check_schedule)] = Field(
        "rate(1 day)", description="EventBridge Scheduler expression, rate(...) or cron(...)."
    )
    schedule_timezone: Annotated[str, check(checks.check_timezone)] = Field(
        "UTC", description="IANA time zone the schedule is evaluated in."
    )
    schedule_enabled: Boolean = Field(
        default=False,
        description="Whether the schedule runs the pipeline. Off by default so a first deploy "
        "starts nothing.",
    )
    alarm_emails: Emails = Field(
        [],
        description="E-mail addresses subscribed to pipeline failure and alarm notifications.",
    )
    protect_resources: Boolean = Field(
        default=False,
        description="Protect and retain the bucket, key and model registry (prod); false keeps "
        "the stack destroyable.",
    )
    upload_sample_data: Boolean = Field(
        default=False,
        description="Upload the sample Abalone data to the stack bucket so the first run needs "
        "no data preparation.",
    )
    max_job_runtime_seconds: Integer = Field(
        3600,
        ge=60,
        le=432_000,
        description="Upper bound on every processing and training job's run time.",
    )
    max_parallel_steps: Integer = Field(
        4,
        ge=1,
        le=256,
        description="Pipeline parallelism limit (steps running at once in one execution).",
    )
    execution_retention_days: Integer = Field(
        90,
        ge=1,
        le=3650,
        description="Days the per-execution outputs under executions/ (datasets, predictions) "
        "are kept in the stack bucket; models/ never expires.",
    )
    sagemaker_project_name: Annotated[str, check(unless_empty(checks.check_project_name))] = Field(
        "",
        description="Optional SageMaker project name; tags the pipeline and model group so "
        "Studio lists them under it.",
    )
    sagemaker_project_id: Annotated[str, check(unless_empty(checks.check_project_id))] = Field(
        "",
        description="Optional SageMaker project id (p-xxxxxxxxxxxx), set together with "
        "sagemakerProjectName.",
    )
    manage_log_groups: Boolean = Field(
        default=False,
        description="Create the account-wide /aws/sagemaker/* log groups with retention. Off "
        "unless no one else owns them.",
    )
    log_retention_days: Annotated[Integer, check(checks.check_log_retention)] = Field(
        90,
        description="Retention of the managed log groups, in days (a value CloudWatch accepts).",
    )
    subnet_ids: SubnetIds = Field(
        [],
        description="Optional private subnets for the jobs; set together with securityGroupIds.",
    )
    security_group_ids: SecurityGroupIds = Field(
        [],
        description="Optional security groups for the jobs; set together with subnetIds.",
    )
    input_kms_key_arns: KmsKeyArns = Field(
        [],
        description="ARNs of the customer KMS keys that encrypt the buckets of inputDataUrl and "
        "batchDataUrl; the jobs may decrypt with them through S3 only.",
    )
    model_source: Annotated[str, one_of(MODEL_SOURCES)] = Field(
        "train",
        description="train: each run trains, gates, registers and scores; registry: each run "
        "scores with this stack's copy of a model approved in dev (see promote-model).",
    )
    model_package_arn: Annotated[str, check(unless_empty(check_model_package_arn))] = Field(
        "",
        description="registry mode: the approved dev model package this stage serves "
        "(provenance), written by python -m ml promote-model.",
    )
    model_data_url: Annotated[str, check(unless_empty(check_model_data_url))] = Field(
        "",
        description="registry mode: the package's model artifact in dev's stack bucket, which "
        "the stack copies into its own.",
    )
    model_image_uri: Annotated[str, check(unless_empty(check_image_uri))] = Field(
        "",
        description="registry mode: the package's own serving image (an AWS XGBoost image of "
        "this region).",
    )
    model_consumer_account_ids: AccountIds = Field(
        [],
        description="The preprod and prod accounts whose deploy roles may read this stack's "
        "models/ and decrypt them through S3, to copy approved models (dev only); empty grants "
        "nothing.",
    )

    # Rules between keys. Each sits on the later of its keys, so the earlier one's value is in
    # `info.data` once valid; while either key's own value is refused, the rule waits.

    @field_validator(
        "processing_instance_type", "training_instance_type", "transform_instance_type"
    )
    @classmethod
    def _in_allow_list(cls, value: str, info: ValidationInfo) -> str:
        problem = checks.check_allow_list(value, info.data.get("allowed_instance_types", ()))
        if problem:
            raise rule_broken(problem)
        return value

    @field_validator("model_approval_status")
    @classmethod
    def _approved_only_if_automatic(cls, value: str, info: ValidationInfo) -> str:
        if value == "Approved" and info.data.get("auto_approve_models") is False:
            raise rule_broken(
                "needs autoApproveModels: true on this stage; allowed: PendingManualApproval"
            )
        return value

    @field_validator("model_source")
    @classmethod
    def _dev_trains(cls, value: str, info: ValidationInfo) -> str:
        if value == "registry" and info.data.get("stage") == MODEL_SOURCE_STAGE:
            raise rule_broken(
                "is for the stages that promote dev's models; allowed: train (dev trains them)"
            )
        return value

    @field_validator("model_package_arn", "model_data_url", "model_image_uri")
    @classmethod
    def _only_and_all_in_registry_mode(cls, value: str, info: ValidationInfo) -> str:
        source = info.data.get("model_source")
        if source == "train" and value:
            raise rule_broken("is used only with modelSource: registry; allowed: empty")
        if source == "registry" and not value:
            raise rule_broken(
                "is required with modelSource: registry; allowed: what "
                "`python -m ml promote-model` writes"
            )
        return value

    @field_validator("model_consumer_account_ids")
    @classmethod
    def _only_dev_shares_models(cls, value: list[str], info: ValidationInfo) -> list[str]:
        stage = info.data.get("stage")
        if value and stage not in (None, MODEL_SOURCE_STAGE):
            raise rule_broken(
                f"is read only on the {MODEL_SOURCE_STAGE} stack, whose models the later stages "
                f"copy; allowed: [] on a {stage} stack"
            )
        return value

    @field_validator("sagemaker_project_id", "security_group_ids")
    @classmethod
    def _set_together(cls, value: str | list[str], info: ValidationInfo) -> str | list[str]:
        later = str(info.field_name)
        first = _PAIRS[later]
        if first not in info.data or bool(info.data[first]) == bool(value):
            return value
        key = {name: cls.model_fields[name].alias for name in (first, later)}
        if value:
            # The earlier key is the one missing: the problem is reported there.
            raise rule_broken(
                f"must be set together with {key[later]}", key=key[first], value=info.data[first]
            )
        raise rule_broken(f"must be set together with {key[first]}")
