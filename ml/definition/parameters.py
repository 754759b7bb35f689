"""The pipeline's parameters: what a run (or the schedule) may set, with the stage's defaults."""

from __future__ import annotations

from typing import Any

from sagemaker.workflow.parameters import ParameterFloat, ParameterInteger, ParameterString

from ml import contract
from ml.contract import Param
from ml.definition.inputs import DefinitionInputs


class PipelineParameters:
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
