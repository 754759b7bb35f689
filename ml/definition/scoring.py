"""The scoring-only pipeline of a stage in registry mode: one batch transform with the model the
stack created from an artifact approved in dev. Nothing is trained, evaluated or registered here,
so the pipeline declares only what the transform reads."""

from __future__ import annotations

from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.pipeline_context import PipelineSession

from ml.definition.builder import render, stack_pipeline
from ml.definition.inputs import ScoringInputs
from ml.definition.parameters import TransformParameters
from ml.definition.transform import transform_step


def build_scoring_definition(inputs: ScoringInputs) -> str:
    """The scoring pipeline's definition as canonical JSON, like `build_definition`."""
    params = TransformParameters.with_defaults(
        inputs.transform_instance_type, inputs.transform_instance_count, inputs.batch_data_url
    )

    def assemble(session: PipelineSession) -> Pipeline:
        # The model name is a literal: the stack creates the model, so no step's output names it.
        score = transform_step(inputs, params, session, inputs.model_name)
        return stack_pipeline(inputs.names, params.all(), [score], session)

    return render(inputs.region, assemble)
