"""The batch transform step, shared by both pipelines: the training pipeline scores with the
model it just created, the scoring-only pipeline with the model its stack created."""

from __future__ import annotations

from sagemaker.transformer import Transformer
from sagemaker.workflow.entities import PipelineVariable
from sagemaker.workflow.pipeline_context import PipelineSession
from sagemaker.workflow.steps import TransformStep

from ml.contract import Step
from ml.definition.inputs import StackScope
from ml.definition.jobs import CSV, execution_uri, job_retries
from ml.definition.parameters import TransformParameters

# SageMaker's default mini-batch bound for MultiRecord transforms, stated so it is visible.
TRANSFORM_MAX_PAYLOAD_MB = 6


def transform_step(
    stack: StackScope,
    params: TransformParameters,
    session: PipelineSession,
    model_name: str | PipelineVariable,
) -> TransformStep:
    """Score the batch at BatchDataUrl into the execution's own folder, encrypted with the stack
    key; the network is the model's (a transform job has no VPC settings of its own)."""
    transformer = Transformer(
        model_name=model_name,
        instance_type=params.instance_type,
        instance_count=params.instance_count,
        output_path=execution_uri(stack, Step.TRANSFORM),
        accept=CSV,
        assemble_with="Line",
        strategy="MultiRecord",
        max_payload=TRANSFORM_MAX_PAYLOAD_MB,
        output_kms_key=stack.kms_key_arn,
        volume_kms_key=stack.kms_key_arn,
        base_transform_job_name=stack.names.job_prefix(Step.TRANSFORM),
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
