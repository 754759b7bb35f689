"""What runs once the model passed the gate: register it, create it, score the batch; and the
step that fails the run when it did not."""

from __future__ import annotations

from typing import Any

from sagemaker.model import Model
from sagemaker.model_metrics import MetricsSource, ModelMetrics
from sagemaker.workflow.fail_step import FailStep
from sagemaker.workflow.functions import Join, JsonGet
from sagemaker.workflow.model_step import ModelStep
from sagemaker.workflow.pipeline_context import PipelineSession
from sagemaker.workflow.steps import ProcessingStep, TrainingStep

from ml import contract
from ml.contract import Step
from ml.definition.inputs import DefinitionInputs
from ml.definition.jobs import CSV, model_step_retries, xgboost_image
from ml.definition.parameters import PipelineParameters
from ml.definition.transform import transform_step


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
        env=dict(contract.SERVING_ENVIRONMENT),
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
    transform = transform_step(inputs, params.transform(), session, create.properties.ModelName)
    return [register, create, transform]


def _vpc_config(inputs: DefinitionInputs) -> dict[str, list[Any]] | None:
    if not inputs.subnet_ids:
        return None
    return {"Subnets": list(inputs.subnet_ids), "SecurityGroupIds": list(inputs.security_group_ids)}


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
