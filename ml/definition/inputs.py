"""Plain values the definition is built from; no SDK import here, so callers stay light."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ml.contract import (
    SKLEARN_FRAMEWORK_VERSION,
    XGBOOST_FRAMEWORK_VERSION,
    ResourceNames,
    S3Layout,
)
from ml.packaging import CodeUris, build_code_package
from ml.settings import Settings

# Seeded hyperparameters of the example model (see README "Bring your own model").
DEFAULT_HYPERPARAMETERS = {
    "num_round": "300",
    "early_stopping_rounds": "20",
    "max_depth": "5",
    "eta": "0.1",
    "subsample": "0.8",
    "min_child_weight": "4",
    "seed": "42",
}


@dataclass(frozen=True)
class ParameterDefaults:
    """Default values of the pipeline parameters; the schedule passes the same values."""

    processing_instance_type: str
    processing_instance_count: int
    training_instance_type: str
    training_instance_count: int
    transform_instance_type: str
    transform_instance_count: int
    input_data_url: str
    batch_data_url: str
    mse_threshold: float
    model_approval_status: str


class StackScope(Protocol):
    """What every job reads from its stack, whichever pipeline it is in: where outputs go, the key
    that encrypts them, and the names job prefixes come from."""

    @property
    def bucket(self) -> str: ...

    @property
    def kms_key_arn(self) -> str: ...

    @property
    def names(self) -> ResourceNames: ...


@dataclass(frozen=True)
class DefinitionInputs:
    region: str
    role_arn: str
    bucket: str
    kms_key_arn: str
    code: CodeUris
    names: ResourceNames
    defaults: ParameterDefaults
    max_runtime_seconds: int
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    sklearn_version: str = SKLEARN_FRAMEWORK_VERSION
    xgboost_version: str = XGBOOST_FRAMEWORK_VERSION
    hyperparameters: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_HYPERPARAMETERS))


def parameter_defaults(settings: Settings, bucket: str) -> ParameterDefaults:
    layout = S3Layout(bucket)
    return ParameterDefaults(
        processing_instance_type=settings.processing.instance_type,
        processing_instance_count=settings.processing.instance_count,
        training_instance_type=settings.training.instance_type,
        training_instance_count=settings.training.instance_count,
        transform_instance_type=settings.transform.instance_type,
        transform_instance_count=settings.transform.instance_count,
        input_data_url=settings.input_data_url or layout.uri(layout.SAMPLE_TRAINING_KEY),
        batch_data_url=settings.batch_data_url or layout.uri(layout.SAMPLE_BATCH_KEY),
        mse_threshold=settings.mse_threshold,
        model_approval_status=settings.model_approval_status,
    )


def definition_inputs(
    settings: Settings, role_arn: str, kms_key_arn: str, code: CodeUris
) -> DefinitionInputs:
    names = settings.names
    vpc = settings.vpc
    return DefinitionInputs(
        region=settings.region,
        role_arn=role_arn,
        bucket=names.bucket,
        kms_key_arn=kms_key_arn,
        code=code,
        names=names,
        defaults=parameter_defaults(settings, names.bucket),
        max_runtime_seconds=settings.max_job_runtime_seconds,
        subnet_ids=vpc.subnet_ids if vpc else (),
        security_group_ids=vpc.security_group_ids if vpc else (),
    )


def offline_definition_inputs(
    settings: Settings, kms_key_arn: str | None = None
) -> DefinitionInputs:
    """Inputs for a render with no cloud: the deterministic role ARN, the stand-in key unless one
    is given, and the code URIs of this checkout."""
    names = settings.names
    code = build_code_package(names.bucket).uris
    key = kms_key_arn or names.stand_in_kms_key_arn
    return definition_inputs(settings, names.execution_role_arn, key, code)


@dataclass(frozen=True)
class ScoringInputs:
    """The scoring-only pipeline: one batch transform with a model the stack creates.

    No subnets or security groups: CreateTransformJob has no VPC settings, a transform runs in
    the network of its model, and that model's VpcConfig is set where the stack creates it.
    """

    region: str
    bucket: str
    kms_key_arn: str
    names: ResourceNames
    model_name: str
    transform_instance_type: str
    transform_instance_count: int
    batch_data_url: str


def scoring_inputs(settings: Settings, kms_key_arn: str, model_name: str) -> ScoringInputs:
    names = settings.names
    # The same defaults the training pipeline's transform has, so a stage scores alike either way.
    defaults = parameter_defaults(settings, names.bucket)
    return ScoringInputs(
        region=settings.region,
        bucket=names.bucket,
        kms_key_arn=kms_key_arn,
        names=names,
        model_name=model_name,
        transform_instance_type=defaults.transform_instance_type,
        transform_instance_count=defaults.transform_instance_count,
        batch_data_url=defaults.batch_data_url,
    )


def offline_scoring_inputs(
    settings: Settings, model_data_url: str, image_uri: str, kms_key_arn: str | None = None
) -> ScoringInputs:
    """Inputs for a render with no cloud: the stand-in key unless one is given, and the name the
    stack gives the model that serves this artifact with this image."""
    names = settings.names
    model_name = names.promoted_model(model_data_url, image_uri)
    return scoring_inputs(settings, kms_key_arn or names.stand_in_kms_key_arn, model_name)
