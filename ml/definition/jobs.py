"""The job steps: preprocess and evaluate (processing jobs) and train (a training job).

Security settings are literals in every job: network isolation, inter-container encryption, the
stack key for volumes and outputs, a runtime bound; a run's parameters cannot switch them off.
"""

from __future__ import annotations

from typing import Any

from sagemaker.inputs import TrainingInput
from sagemaker.network import NetworkConfig
from sagemaker.processing import ProcessingInput, ProcessingOutput, ScriptProcessor
from sagemaker.workflow.execution_variables import ExecutionVariables
from sagemaker.workflow.functions import Join
from sagemaker.workflow.pipeline_context import PipelineSession
from sagemaker.workflow.properties import PropertyFile
from sagemaker.workflow.retry import (
    RetryPolicy,
    SageMakerJobExceptionTypeEnum,
    SageMakerJobStepRetryPolicy,
    StepExceptionTypeEnum,
    StepRetryPolicy,
)
from sagemaker.workflow.steps import ProcessingStep, TrainingStep
from sagemaker.xgboost.estimator import XGBoost

from ml import contract
from ml.contract import Step
from ml.definition.inputs import DefinitionInputs, StackScope
from ml.definition.parameters import PipelineParameters
from ml.definition.sdk import framework_image

PROCESSING = "/opt/ml/processing"
SHARED_CODE_DIR = f"{PROCESSING}/input/shared"
PREPROCESS_INPUT_DIR = f"{PROCESSING}/input/data"
PREPROCESS_OUTPUT_DIR = f"{PROCESSING}/output"
EVALUATE_MODEL_DIR = f"{PROCESSING}/input/model"
EVALUATE_TEST_DIR = f"{PROCESSING}/input/test"
EVALUATE_OUTPUT_DIR = f"{PROCESSING}/evaluation"
CSV = "text/csv"
RETRY_INTERVAL_SECONDS = 30
RETRY_BACKOFF_RATE = 2.0
RETRY_MAX_ATTEMPTS = 5


def job_retries() -> list[RetryPolicy]:
    kinds = [
        SageMakerJobExceptionTypeEnum.INTERNAL_ERROR,
        SageMakerJobExceptionTypeEnum.CAPACITY_ERROR,
        SageMakerJobExceptionTypeEnum.RESOURCE_LIMIT,
    ]
    return [_retry(SageMakerJobStepRetryPolicy, kinds)]


def model_step_retries() -> list[RetryPolicy]:
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


def execution_uri(stack: StackScope, *parts: str) -> Join:
    """s3://bucket/executions/<execution id>/<parts>: a run never overwrites another's outputs."""
    root = contract.S3Layout(stack.bucket).executions_root
    return Join(on="/", values=[root, ExecutionVariables.PIPELINE_EXECUTION_ID, *parts])


def evaluation_uri(inputs: DefinitionInputs) -> Join:
    """s3://bucket/models/evaluations/<execution id>: under models/, which never expires, since
    a registered model version points to its report for as long as the version exists
    (executions/ expires after executionRetentionDays); the jobs may write there
    (components/documents/iam.py, JOB_WRITE_PREFIXES)."""
    root = contract.S3Layout(inputs.bucket).evaluations_root
    return Join(on="/", values=[root, ExecutionVariables.PIPELINE_EXECUTION_ID])


def _network(inputs: DefinitionInputs) -> NetworkConfig:
    # Security flags are literals, never parameters: a run cannot switch them off.
    return NetworkConfig(
        enable_network_isolation=True,
        encrypt_inter_container_traffic=True,
        subnets=list(inputs.subnet_ids) or None,
        security_group_ids=list(inputs.security_group_ids) or None,
    )


def _processor(
    inputs: DefinitionInputs,
    params: PipelineParameters,
    session: PipelineSession,
    image: str,
    step: Step,
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


def preprocess_step(
    inputs: DefinitionInputs, params: PipelineParameters, session: PipelineSession
) -> ProcessingStep:
    image = framework_image("sklearn", inputs.region, inputs.sklearn_version)
    processor = _processor(inputs, params, session, image, Step.PREPROCESS)
    outputs = [
        ProcessingOutput(
            output_name=name,
            source=f"{PREPROCESS_OUTPUT_DIR}/{name}",
            destination=execution_uri(inputs, Step.PREPROCESS, name),
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
    return ProcessingStep(name=Step.PREPROCESS, step_args=step_args, retry_policies=job_retries())


def _output_uri(step: ProcessingStep, name: str) -> Any:
    return step.properties.ProcessingOutputConfig.Outputs[name].S3Output.S3Uri


def train_step(
    inputs: DefinitionInputs,
    params: PipelineParameters,
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
        name=Step.TRAIN, estimator=estimator, inputs=channels, retry_policies=job_retries()
    )


def evaluate_step(
    inputs: DefinitionInputs,
    params: PipelineParameters,
    session: PipelineSession,
    preprocess: ProcessingStep,
    train: TrainingStep,
) -> tuple[ProcessingStep, PropertyFile]:
    image = xgboost_image(inputs)
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
                destination=evaluation_uri(inputs),
            )
        ],
    )
    step = ProcessingStep(
        name=Step.EVALUATE,
        step_args=step_args,
        property_files=[report],
        retry_policies=job_retries(),
    )
    return step, report


def xgboost_image(inputs: DefinitionInputs) -> str:
    return framework_image("xgboost", inputs.region, inputs.xgboost_version)
