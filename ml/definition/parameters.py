"""The pipeline's parameters: what a run (or the schedule) may set, with the stage's defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sagemaker.workflow.parameters import ParameterFloat, ParameterInteger, ParameterString

from ml import contract
from ml.contract import Param
from ml.definition.inputs import DefinitionInputs


@dataclass(frozen=True)
class TransformParameters:
    """What a batch transform reads at run time; the training and the scoring pipeline share it."""

    instance_type: ParameterString
    instance_count: ParameterInteger
    batch_data_url: ParameterString

    @classmethod
    def with_defaults(
        cls, instance_type: str, instance_count: int, batch_data_url: str
    ) -> TransformParameters:
        return cls(
            ParameterString(Param.TRANSFORM_INSTANCE_TYPE, instance_type),
            ParameterInteger(Param.TRANSFORM_INSTANCE_COUNT, instance_count),
            ParameterString(Param.BATCH_DATA_URL, batch_data_url),
        )

    def all(self) -> list[Any]:
        """In the order of contract.SCORING_PARAMETERS."""
        return [self.instance_type, self.instance_count, self.batch_data_url]


class PipelineParameters:
    def __init__(self, inputs: DefinitionInputs) -> None:
        d = inputs.defaults
        transform = TransformParameters.with_defaults(
            d.transform_instance_type, d.transform_instance_count, d.batch_data_url
        )
        # The attributes' order is the definition's parameter order (see `all`).
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
        self.transform_type = transform.instance_type
        self.transform_count = transform.instance_count
        self.input_data_url = ParameterString(Param.INPUT_DATA_URL, d.input_data_url)
        self.batch_data_url = transform.batch_data_url
        self.mse_threshold = ParameterFloat(Param.MSE_THRESHOLD, d.mse_threshold)
        self.approval_status = ParameterString(
            Param.MODEL_APPROVAL_STATUS,
            d.model_approval_status,
            enum_values=list(contract.APPROVAL_STATUSES),
        )

    def transform(self) -> TransformParameters:
        return TransformParameters(self.transform_type, self.transform_count, self.batch_data_url)

    def all(self) -> list[Any]:
        return list(vars(self).values())
