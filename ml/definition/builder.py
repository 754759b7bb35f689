"""Build the SageMaker pipeline definition with the SDK (2.x), offline and deterministically.

Nothing here calls AWS: code and data are s3:// URIs (no uploads), the role is a full ARN (no
iam:GetRole), the session has no defaults config (a user's SageMaker config file cannot change
the definition), and the training step is built without `Estimator.fit()`, the one call that
emits SDK telemetry. The SDK's imports live in this package (`sdk`, `parameters`, `jobs`,
`deploy`, `transform`, `scoring`), so moving to another SDK major version touches only it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

import boto3
from sagemaker.workflow.condition_step import ConditionStep
from sagemaker.workflow.conditions import ConditionLessThanOrEqualTo
from sagemaker.workflow.functions import JsonGet
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.pipeline_context import PipelineSession
from sagemaker.workflow.pipeline_definition_config import PipelineDefinitionConfig

from ml import contract
from ml.botocore_models import botocore_session
from ml.contract import ResourceNames, Step
from ml.definition.deploy import deploy_steps, fail_step
from ml.definition.inputs import DefinitionInputs
from ml.definition.jobs import evaluate_step, preprocess_step, train_step
from ml.definition.parameters import PipelineParameters
from ml.definition.sdk import (
    default_boto_session,
    expected_warnings_silenced,
    framework_image,
    pipeline_session,
)


def build_definition(inputs: DefinitionInputs) -> str:
    """The pipeline definition as canonical JSON (sorted keys, no insignificant whitespace)."""
    return render(inputs.region, lambda session: _pipeline(inputs, session))


def render(region: str, assemble: Callable[[PipelineSession], Pipeline]) -> str:
    """The definition of the pipeline `assemble` builds, in an offline session, as canonical
    JSON: every pipeline shape is built under the same SDK set-up."""
    boto_session = boto3.Session(region_name=region, botocore_session=botocore_session())
    with expected_warnings_silenced(), default_boto_session(boto_session):
        definition = assemble(pipeline_session(boto_session)).definition()
    return canonical_json(json.loads(definition))


def canonical_json(document: Any) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def step_images(
    region: str,
    sklearn_version: str = contract.SKLEARN_FRAMEWORK_VERSION,
    xgboost_version: str = contract.XGBOOST_FRAMEWORK_VERSION,
) -> tuple[str, ...]:
    """The images the steps run (sorted), known without building the definition: the
    execution role's pull permissions follow from them before any ARN exists."""
    sklearn = framework_image("sklearn", region, sklearn_version)
    xgboost = framework_image("xgboost", region, xgboost_version)
    return tuple(sorted({sklearn, xgboost}))


def _pipeline(inputs: DefinitionInputs, session: PipelineSession) -> Pipeline:
    params = PipelineParameters(inputs)
    preprocess = preprocess_step(inputs, params, session)
    train = train_step(inputs, params, session, preprocess)
    evaluate, report = evaluate_step(inputs, params, session, preprocess, train)
    mse = JsonGet(step_name=evaluate.name, property_file=report, json_path=contract.MSE_JSON_PATH)
    gate = ConditionStep(
        name=Step.QUALITY_GATE,
        # JsonGet is the documented left-hand side; the SDK's type hints omit it.
        conditions=[ConditionLessThanOrEqualTo(left=cast(Any, mse), right=params.mse_threshold)],
        if_steps=deploy_steps(inputs, params, session, train, evaluate),
        else_steps=[fail_step(mse, params)],
    )
    return stack_pipeline(inputs.names, params.all(), [preprocess, train, evaluate, gate], session)


def stack_pipeline(
    names: ResourceNames, parameters: list[Any], steps: list[Any], session: PipelineSession
) -> Pipeline:
    """A stage has one pipeline, whichever its shape, under one name and the same settings."""
    return Pipeline(
        name=names.pipeline,
        parameters=parameters,
        steps=steps,
        sagemaker_session=session,
        # No Experiments trial per execution: nothing outside the stack's state to clean up, and
        # the execution role needs no Experiments permissions.
        pipeline_experiment_config=None,
        # Job names are the prefixes IAM scopes job ARNs on (ResourceNames.job_prefix).
        pipeline_definition_config=PipelineDefinitionConfig(use_custom_job_prefix=True),
    )
