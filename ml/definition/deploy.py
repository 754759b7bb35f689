"""What runs once the model passed the gate: register it, create it, score the batch; and the
step that fails the run when it did not."""

from __future__ import annotations

from typing import Any

from sagemaker.model import Model
from sagemaker.model_metrics import MetricsSource, ModelMetrics
from sagemaker.transformer import Transformer
from sagemaker.workflow.fail_step import FailStep
from sagemaker.workflow.functions import Join, JsonGet
from sagemaker.workflow.model_step import ModelStep
from sagemaker.workflow.pipeline_context import PipelineSession
from sagemaker.workflow.steps import ProcessingStep, TrainingStep, TransformStep

from ml import contract
from ml.contract import SERVING_ENVIRONMENT, Step
from ml.definition.inputs import DefinitionInputs
from ml.definition.jobs import CSV, execution_uri, job_retries, model_step_retries, xgboost_image
from ml.definition.parameters import PipelineParameters

# SageMaker's default mini-batch bound for MultiRecord transforms, stated so it is visible.
TRANSFORM_MAX_PAYLOAD_MB = 6


def deploy_steps(
    inputs: DefinitionInputs,
    params: PipelineParameters,
    session: PipelineSession,
    train: TrainingStep,
    evaluate: ProcessingStep,
) -> list[Any]:
    """Register the model for audit, create it, and score the batch with it."""
    model = Model(
        image_uri=xgboost_image(inputs),
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        role=inputs.role_arn,
        # The serving code ships inside model.tar.gz: nothing is downloaded at run time.
        env=dict(SERVING_ENVIRONMENT),
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
        retry_policies=model_step_retries(),
    )
    create = ModelStep(
        name=contract.CREATE_MODEL_STEP_BASE,
        step_args=model.create(instance_type=params.transform_type),
        retry_policies=model_step_retries(),
    )
    return [register, create, _transform_step(inputs, params, session, create)]


def _vpc_config(inputs: DefinitionInputs) -> dict[str, list[Any]] | None:
    if not inputs.subnet_ids:
        return None
    return {"Subnets": list(inputs.subnet_ids), "SecurityGroupIds": list(inputs.security_group_ids)}


def _transform_step(
    inputs: DefinitionInputs,
    params: PipelineParameters,
    session: PipelineSession,
    create: ModelStep,
) -> TransformStep:
    transformer = Transformer(
        model_name=create.properties.ModelName,
        instance_type=params.transform_type,
        instance_count=params.transform_count,
        output_path=execution_uri(inputs, Step.TRANSFORM),
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
    return TransformStep(name=Step.TRANSFORM, step_args=step_args, retry_policies=job_retries())


def fail_step(mse: JsonGet, params: PipelineParameters) -> FailStep:
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
