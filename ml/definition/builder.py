"""Build the SageMaker pipeline definition with the SDK (2.x), offline and deterministically.

Every `sagemaker` import in the project lives in this module, so moving to another SDK major
version touches one file. Nothing here calls AWS: code and data are s3:// URIs (no uploads), the
role is a full ARN (no iam:GetRole), the session has no defaults config (a user's SageMaker config
file cannot change the definition), and the training step is built without `Estimator.fit()`,
the one call that emits SDK telemetry.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import warnings
from collections.abc import Iterator
from typing import Any, cast

# The SDK builds a session at import; with no credentials in the environment it would probe the
# EC2 metadata endpoint, which costs seconds off EC2 and tells the definition nothing.
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")

import boto3
from sagemaker import image_uris
from sagemaker.inputs import TrainingInput
from sagemaker.model import Model
from sagemaker.model_metrics import MetricsSource, ModelMetrics
from sagemaker.network import NetworkConfig
from sagemaker.processing import ProcessingInput, ProcessingOutput, ScriptProcessor
from sagemaker.transformer import Transformer
from sagemaker.workflow.condition_step import ConditionStep
from sagemaker.workflow.conditions import ConditionLessThanOrEqualTo
from sagemaker.workflow.execution_variables import ExecutionVariables
from sagemaker.workflow.fail_step import FailStep
from sagemaker.workflow.functions import Join, JsonGet
from sagemaker.workflow.model_step import ModelStep
from sagemaker.workflow.parameters import (
    ParameterFloat,
    ParameterInteger,
    ParameterString,
)
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.pipeline_context import PipelineSession
from sagemaker.workflow.pipeline_definition_config import PipelineDefinitionConfig
from sagemaker.workflow.properties import PropertyFile
from sagemaker.workflow.retry import (
    RetryPolicy,
    SageMakerJobExceptionTypeEnum,
    SageMakerJobStepRetryPolicy,
    StepExceptionTypeEnum,
    StepRetryPolicy,
)
from sagemaker.workflow.steps import ProcessingStep, TrainingStep, TransformStep
from sagemaker.xgboost.estimator import XGBoost

from ml import contract
from ml.botocore_models import botocore_session
from ml.contract import Param, Step
from ml.definition.inputs import DefinitionInputs

PROCESSING = "/opt/ml/processing"
SHARED_CODE_DIR = f"{PROCESSING}/input/shared"
PREPROCESS_INPUT_DIR = f"{PROCESSING}/input/data"
PREPROCESS_OUTPUT_DIR = f"{PROCESSING}/output"
EVALUATE_MODEL_DIR = f"{PROCESSING}/input/model"
EVALUATE_TEST_DIR = f"{PROCESSING}/input/test"
EVALUATE_OUTPUT_DIR = f"{PROCESSING}/evaluation"
SERVING_CODE_DIR = "/opt/ml/model/code"
CSV = "text/csv"
# SageMaker's default mini-batch bound for MultiRecord transforms, stated so it is visible.
TRANSFORM_MAX_PAYLOAD_MB = 6
RETRY_INTERVAL_SECONDS = 30
RETRY_BACKOFF_RATE = 2.0
RETRY_MAX_ATTEMPTS = 5


def build_definition(inputs: DefinitionInputs) -> str:
    """The pipeline definition as canonical JSON (sorted keys, no insignificant whitespace)."""
    with _sdk_errors_only(), warnings.catch_warnings():
        # The estimator form of TrainingStep is deprecated in favour of fit(), which is the
        # call that emits telemetry; the request it produces is the same.
        warnings.filterwarnings("ignore", message='.*TrainingStep using "estimator".*')
        # ModelStep uses CreateModelStep internally, and the session notes it starts no jobs.
        warnings.filterwarnings("ignore", message=".*deprecating the use of CreateModelStep.*")
        warnings.filterwarnings("ignore", message=".*Running within a PipelineSession.*")
        boto_session = boto3.Session(region_name=inputs.region, botocore_session=botocore_session())
        with _default_boto_session(boto_session):
            pipeline = _pipeline(inputs, _session(boto_session))
            definition = pipeline.definition()
    return canonical_json(json.loads(definition))


@contextlib.contextmanager
def _sdk_errors_only() -> Iterator[None]:
    """The SDK logs, by design, that parameter defaults stand in for values known at run time
    and which image variant it picked; a program's log lines show in every preview."""
    sdk_logger = logging.getLogger("sagemaker")
    level = sdk_logger.level
    sdk_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        sdk_logger.setLevel(level)


def canonical_json(document: Any) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


@contextlib.contextmanager
def _default_boto_session(session: boto3.Session) -> Iterator[None]:
    """Parts of the SDK (the estimator's interactive apps) create clients from boto3's default
    session; pointing it at ours keeps them on the shared loader and off the user's profile."""
    previous = boto3.DEFAULT_SESSION
    boto3.DEFAULT_SESSION = session
    try:
        yield
    finally:
        boto3.DEFAULT_SESSION = previous


@functools.cache
def _framework_image(framework: str, region: str, version: str) -> str:
    """The SDK re-reads its image tables (JSON) on every lookup; the answer never changes."""
    return str(image_uris.retrieve(framework, region, version))


def step_images(
    region: str,
    sklearn_version: str = contract.SKLEARN_FRAMEWORK_VERSION,
    xgboost_version: str = contract.XGBOOST_FRAMEWORK_VERSION,
) -> tuple[str, ...]:
    """The images the steps run (sorted), known without building the definition: the
    execution role's pull permissions follow from them before any ARN exists."""
    with _sdk_errors_only():
        sklearn = _framework_image("sklearn", region, sklearn_version)
        xgboost = _framework_image("xgboost", region, xgboost_version)
    return tuple(sorted({sklearn, xgboost}))


def _session(boto_session: boto3.Session) -> PipelineSession:
    with _constant_config_trusted():
        session = PipelineSession(
            boto_session=boto_session,
            # A non-empty config stops the SDK reading the user's defaults files at
            # construction...
            sagemaker_config=_NO_SDK_DEFAULTS,
        )
    # ...and an empty one afterwards stops it re-validating that config on every lookup.
    session.sagemaker_config = {}
    return session


_NO_SDK_DEFAULTS = {"SchemaVersion": "1.0"}


@contextlib.contextmanager
def _constant_config_trusted() -> Iterator[None]:
    """Skip the SDK's JSON-schema validation of `_NO_SDK_DEFAULTS` while the session is built.

    The SDK validates the config it is given three times during construction, re-checking its
    whole schema each time (~0.75 s, most of the definition's cost). The only config it sees
    here is the constant above, which a test validates against the SDK's schema once.
    """
    import sagemaker.session
    import sagemaker.utils

    modules = (sagemaker.session, sagemaker.utils)
    originals = [getattr(module, _VALIDATOR) for module in modules]
    for module in modules:
        setattr(module, _VALIDATOR, _validate_only_foreign_config)
    try:
        yield
    finally:
        for module, original in zip(modules, originals, strict=True):
            setattr(module, _VALIDATOR, original)


# The name each SDK module imported the validator under.
_VALIDATOR = "validate_sagemaker_config"


def _validate_only_foreign_config(sagemaker_config: Any = None) -> None:
    if sagemaker_config != _NO_SDK_DEFAULTS:
        from sagemaker.config.config import validate_sagemaker_config

        validate_sagemaker_config(sagemaker_config)


class _Parameters:
    def __init__(self, inputs: DefinitionInputs) -> None:
        d = inputs.defaults
        self.processing_type = ParameterString(
            Param.PROCESSING_INSTANCE_TYPE, d.processing_instance_type
        )
        self.processing_count = ParameterInteger(
            Param.PROCESSING_INSTANCE_COUNT, d.processing_instance_count
        )
        self.training_type = ParameterString(Param.TRAINING_INSTANCE_TYPE, d.training_instance_type)
        self.training_count = ParameterInteger(
            Param.TRAINING_INSTANCE_COUNT, d.training_instance_count
        )
        self.transform_type = ParameterString(
            Param.TRANSFORM_INSTANCE_TYPE, d.transform_instance_type
        )
        self.transform_count = ParameterInteger(
            Param.TRANSFORM_INSTANCE_COUNT, d.transform_instance_count
        )
        self.input_data_url = ParameterString(Param.INPUT_DATA_URL, d.input_data_url)
        self.batch_data_url = ParameterString(Param.BATCH_DATA_URL, d.batch_data_url)
        self.mse_threshold = ParameterFloat(Param.MSE_THRESHOLD, d.mse_threshold)
        self.approval_status = ParameterString(
            Param.MODEL_APPROVAL_STATUS,
            d.model_approval_status,
            enum_values=list(contract.APPROVAL_STATUSES),
        )

    def all(self) -> list[Any]:
        return list(vars(self).values())


def _pipeline(inputs: DefinitionInputs, session: PipelineSession) -> Pipeline:
    params = _Parameters(inputs)
    preprocess = _preprocess_step(inputs, params, session)
    train = _train_step(inputs, params, session, preprocess)
    evaluate, report = _evaluate_step(inputs, params, session, preprocess, train)
    mse = JsonGet(step_name=evaluate.name, property_file=report, json_path=contract.MSE_JSON_PATH)
    gate = ConditionStep(
        name=Step.QUALITY_GATE,
        # JsonGet is the documented left-hand side; the SDK's type hints omit it.
        conditions=[ConditionLessThanOrEqualTo(left=cast(Any, mse), right=params.mse_threshold)],
        if_steps=_deploy_steps(inputs, params, session, train, evaluate),
        else_steps=[_fail_step(mse, params)],
    )
    return Pipeline(
        name=inputs.names.pipeline,
        parameters=params.all(),
        steps=[preprocess, train, evaluate, gate],
        sagemaker_session=session,
        # No Experiments trial per execution: nothing outside the stack's state to clean up, and
        # the execution role needs no Experiments permissions.
        pipeline_experiment_config=None,
        pipeline_definition_config=PipelineDefinitionConfig(use_custom_job_prefix=True),
    )


def _job_retries() -> list[RetryPolicy]:
    kinds = [
        SageMakerJobExceptionTypeEnum.INTERNAL_ERROR,
        SageMakerJobExceptionTypeEnum.CAPACITY_ERROR,
        SageMakerJobExceptionTypeEnum.RESOURCE_LIMIT,
    ]
    return [_retry(SageMakerJobStepRetryPolicy, kinds)]


def _model_step_retries() -> list[RetryPolicy]:
    # ModelStep rejects the job-step policy; transient service errors are what it can retry.
    kinds = [StepExceptionTypeEnum.SERVICE_FAULT, StepExceptionTypeEnum.THROTTLING]
    return [_retry(StepRetryPolicy, kinds)]


def _retry(policy: Any, kinds: list[Any]) -> RetryPolicy:
    # Exactly one of max_attempts / expire_after_mins: the SDK does not enforce it.
    retry: RetryPolicy = policy(
        exception_types=kinds,
        interval_seconds=RETRY_INTERVAL_SECONDS,
        backoff_rate=RETRY_BACKOFF_RATE,
        max_attempts=RETRY_MAX_ATTEMPTS,
    )
    return retry


def _execution_uri(inputs: DefinitionInputs, *parts: str) -> Join:
    """s3://bucket/executions/<execution id>/<parts>: a run never overwrites another's outputs."""
    root = contract.S3Layout(inputs.bucket).executions_root
    return Join(on="/", values=[root, ExecutionVariables.PIPELINE_EXECUTION_ID, *parts])


def _network(inputs: DefinitionInputs) -> NetworkConfig:
    # Security flags are literals, never parameters: a run cannot switch them off.
    return NetworkConfig(
        enable_network_isolation=True,
        encrypt_inter_container_traffic=True,
        subnets=list(inputs.subnet_ids) or None,
        security_group_ids=list(inputs.security_group_ids) or None,
    )


def _processor(
    inputs: DefinitionInputs, params: _Parameters, session: PipelineSession, image: str, step: Step
) -> ScriptProcessor:
    return ScriptProcessor(
        role=inputs.role_arn,
        image_uri=image,
        command=["python3"],
        instance_type=params.processing_type,
        instance_count=params.processing_count,
        volume_kms_key=inputs.kms_key_arn,
        output_kms_key=inputs.kms_key_arn,
        max_runtime_in_seconds=inputs.max_runtime_seconds,
        base_job_name=inputs.names.job_prefix(step),
        network_config=_network(inputs),
        sagemaker_session=session,
    )


def _shared_code_input(inputs: DefinitionInputs) -> ProcessingInput:
    return ProcessingInput(
        source=inputs.code.shared_prefix, destination=SHARED_CODE_DIR, input_name="shared"
    )


def _preprocess_step(
    inputs: DefinitionInputs, params: _Parameters, session: PipelineSession
) -> ProcessingStep:
    image = _framework_image("sklearn", inputs.region, inputs.sklearn_version)
    processor = _processor(inputs, params, session, image, Step.PREPROCESS)
    outputs = [
        ProcessingOutput(
            output_name=name,
            source=f"{PREPROCESS_OUTPUT_DIR}/{name}",
            destination=_execution_uri(inputs, Step.PREPROCESS, name),
        )
        for name in (
            contract.OUTPUT_TRAIN,
            contract.OUTPUT_VALIDATION,
            contract.OUTPUT_TEST,
            contract.OUTPUT_PREPROCESSING,
        )
    ]
    step_args = processor.run(
        code=inputs.code.preprocess_script,
        inputs=[
            ProcessingInput(
                source=params.input_data_url, destination=PREPROCESS_INPUT_DIR, input_name="data"
            ),
            _shared_code_input(inputs),
        ],
        outputs=outputs,
    )
    return ProcessingStep(name=Step.PREPROCESS, step_args=step_args, retry_policies=_job_retries())


def _output_uri(step: ProcessingStep, name: str) -> Any:
    return step.properties.ProcessingOutputConfig.Outputs[name].S3Output.S3Uri


def _train_step(
    inputs: DefinitionInputs,
    params: _Parameters,
    session: PipelineSession,
    preprocess: ProcessingStep,
) -> TrainingStep:
    estimator = XGBoost(
        entry_point="train.py",
        source_dir=inputs.code.training_sourcedir,
        framework_version=inputs.xgboost_version,
        py_version="py3",
        role=inputs.role_arn,
        instance_type=params.training_type,
        instance_count=params.training_count,
        # A plain string: the SDK would call AWS for a default bucket given a pipeline variable.
        # SageMaker appends the job name, which carries the execution id, so runs never collide.
        output_path=contract.S3Layout(inputs.bucket).uri(contract.S3Layout.MODELS_PREFIX),
        volume_kms_key=inputs.kms_key_arn,
        output_kms_key=inputs.kms_key_arn,
        max_run=inputs.max_runtime_seconds,
        enable_network_isolation=True,
        encrypt_inter_container_traffic=True,
        subnets=list(inputs.subnet_ids) or None,
        security_group_ids=list(inputs.security_group_ids) or None,
        base_job_name=inputs.names.job_prefix(Step.TRAIN),
        hyperparameters=dict(inputs.hyperparameters),
        disable_profiler=True,
        debugger_hook_config=False,
        sagemaker_session=session,
    )
    channels = {
        name: TrainingInput(s3_data=_output_uri(preprocess, name), content_type=CSV)
        for name in (contract.OUTPUT_TRAIN, contract.OUTPUT_VALIDATION)
    }
    channels[contract.OUTPUT_PREPROCESSING] = TrainingInput(
        s3_data=_output_uri(preprocess, contract.OUTPUT_PREPROCESSING),
        content_type="application/json",
    )
    return TrainingStep(
        name=Step.TRAIN, estimator=estimator, inputs=channels, retry_policies=_job_retries()
    )


def _evaluate_step(
    inputs: DefinitionInputs,
    params: _Parameters,
    session: PipelineSession,
    preprocess: ProcessingStep,
    train: TrainingStep,
) -> tuple[ProcessingStep, PropertyFile]:
    image = _xgboost_image(inputs)
    processor = _processor(inputs, params, session, image, Step.EVALUATE)
    report = PropertyFile(
        name=contract.EVALUATION_PROPERTY_FILE,
        output_name=contract.OUTPUT_EVALUATION,
        path=contract.EVALUATION_REPORT,
    )
    step_args = processor.run(
        code=inputs.code.evaluate_script,
        inputs=[
            ProcessingInput(
                source=train.properties.ModelArtifacts.S3ModelArtifacts,
                destination=EVALUATE_MODEL_DIR,
                input_name="model",
            ),
            ProcessingInput(
                source=_output_uri(preprocess, contract.OUTPUT_TEST),
                destination=EVALUATE_TEST_DIR,
                input_name="test",
            ),
            _shared_code_input(inputs),
        ],
        outputs=[
            ProcessingOutput(
                output_name=contract.OUTPUT_EVALUATION,
                source=EVALUATE_OUTPUT_DIR,
                destination=_execution_uri(inputs, Step.EVALUATE),
            )
        ],
    )
    step = ProcessingStep(
        name=Step.EVALUATE,
        step_args=step_args,
        property_files=[report],
        retry_policies=_job_retries(),
    )
    return step, report


def _xgboost_image(inputs: DefinitionInputs) -> str:
    return _framework_image("xgboost", inputs.region, inputs.xgboost_version)


def _deploy_steps(
    inputs: DefinitionInputs,
    params: _Parameters,
    session: PipelineSession,
    train: TrainingStep,
    evaluate: ProcessingStep,
) -> list[Any]:
    """Register the model for audit, create it, and score the batch with it."""
    model = Model(
        image_uri=_xgboost_image(inputs),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        role=inputs.role_arn,
        # The serving code ships inside model.tar.gz: nothing is downloaded at run time.
        env={"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_SUBMIT_DIRECTORY": SERVING_CODE_DIR},
        enable_network_isolation=True,
        name=inputs.names.job_prefix(Step.CREATE_MODEL),
        vpc_config=_vpc_config(inputs),
        sagemaker_session=session,
    )
    evaluation_uri = Join(
        on="/",
        values=[
            evaluate.properties.ProcessingOutputConfig.Outputs[
                contract.OUTPUT_EVALUATION
            ].S3Output.S3Uri,
            contract.EVALUATION_REPORT,
        ],
    )
    register = ModelStep(
        name=contract.REGISTER_MODEL_STEP_BASE,
        step_args=model.register(
            content_types=[CSV],
            response_types=[CSV],
            transform_instances=[params.transform_type],
            model_package_group_name=inputs.names.model_package_group,
            approval_status=params.approval_status,
            model_metrics=ModelMetrics(
                model_statistics=MetricsSource(
                    s3_uri=evaluation_uri, content_type="application/json"
                )
            ),
            description=f"{inputs.names.pipeline}: passed the MSE quality gate",
        ),
        retry_policies=_model_step_retries(),
    )
    create = ModelStep(
        name=contract.CREATE_MODEL_STEP_BASE,
        step_args=model.create(instance_type=params.transform_type),
        retry_policies=_model_step_retries(),
    )
    return [register, create, _transform_step(inputs, params, session, create)]


def _vpc_config(inputs: DefinitionInputs) -> dict[str, list[Any]] | None:
    if not inputs.subnet_ids:
        return None
    return {"Subnets": list(inputs.subnet_ids), "SecurityGroupIds": list(inputs.security_group_ids)}


def _transform_step(
    inputs: DefinitionInputs, params: _Parameters, session: PipelineSession, create: ModelStep
) -> TransformStep:
    transformer = Transformer(
        model_name=create.properties.ModelName,
        instance_type=params.transform_type,
        instance_count=params.transform_count,
        output_path=_execution_uri(inputs, Step.TRANSFORM),
        accept=CSV,
        assemble_with="Line",
        strategy="MultiRecord",
        max_payload=TRANSFORM_MAX_PAYLOAD_MB,
        output_kms_key=inputs.kms_key_arn,
        volume_kms_key=inputs.kms_key_arn,
        base_transform_job_name=inputs.names.job_prefix(Step.TRANSFORM),
        sagemaker_session=session,
    )
    step_args = transformer.transform(
        data=params.batch_data_url,
        content_type=CSV,
        split_type="Line",
        # Each output line is the input row followed by its prediction.
        join_source="Input",
    )
    return TransformStep(name=Step.TRANSFORM, step_args=step_args, retry_policies=_job_retries())


def _fail_step(mse: JsonGet, params: _Parameters) -> FailStep:
    return FailStep(
        name=Step.QUALITY_GATE_FAILED,
        error_message=Join(
            on="",
            values=[
                "Quality gate failed: test mse ",
                mse,
                " is above MseThreshold ",
                params.mse_threshold,
                "; the model was not registered and no batch was scored.",
            ],
        ),
    )
