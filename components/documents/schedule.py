"""The schedule's target: which parameter values a scheduled run starts the pipeline with."""

from __future__ import annotations

from collections.abc import Sequence

from ml.contract import Param
from ml.definition.inputs import ParameterDefaults

# A scheduled start that keeps failing is retried for at most an hour, then dead-lettered: a
# late run is worse than a missed one that the alarm reports.
RETRY_ATTEMPTS = 3
MAX_EVENT_AGE_SECONDS = 3600


def schedule_parameters(
    defaults: ParameterDefaults, declared: Sequence[str] | None = None
) -> list[tuple[str, str]]:
    """(name, value) pairs; the Scheduler API takes every value as a string. `declared` limits
    them to the parameters the pipeline declares: a run given one it lacks fails."""
    values: dict[Param, object] = {
        Param.PROCESSING_INSTANCE_TYPE: defaults.processing_instance_type,
        Param.PROCESSING_INSTANCE_COUNT: defaults.processing_instance_count,
        Param.TRAINING_INSTANCE_TYPE: defaults.training_instance_type,
        Param.TRAINING_INSTANCE_COUNT: defaults.training_instance_count,
        Param.TRANSFORM_INSTANCE_TYPE: defaults.transform_instance_type,
        Param.TRANSFORM_INSTANCE_COUNT: defaults.transform_instance_count,
        Param.INPUT_DATA_URL: defaults.input_data_url,
        Param.BATCH_DATA_URL: defaults.batch_data_url,
        Param.MSE_THRESHOLD: defaults.mse_threshold,
        Param.MODEL_APPROVAL_STATUS: defaults.model_approval_status,
    }
    return [
        (str(name), str(value))
        for name, value in values.items()
        if declared is None or name in declared
    ]
