"""The frozen settings object every part of the program is built from."""

from __future__ import annotations

from dataclasses import dataclass

from ml.contract import PROJECT, ResourceNames
from ml.schedule import Schedule
from ml.settings.promotion import PromotedModel


class SettingsError(ValueError):
    """Bad stack configuration; `problems` holds one message per bad key."""

    def __init__(self, problems: list[str], source: str) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"invalid configuration in {source}:\n{lines}")


@dataclass(frozen=True)
class JobCompute:
    instance_type: str
    instance_count: int


@dataclass(frozen=True)
class ScheduleSettings:
    schedule: Schedule
    timezone: str
    enabled: bool

    @property
    def expression(self) -> str:
        return self.schedule.expression


@dataclass(frozen=True)
class SageMakerProject:
    name: str
    project_id: str


@dataclass(frozen=True)
class VpcSettings:
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]


@dataclass(frozen=True)
class LogGroupSettings:
    manage: bool
    retention_days: int


@dataclass(frozen=True)
class Settings:
    stage: str
    account_id: str
    region: str
    processing: JobCompute
    training: JobCompute
    transform: JobCompute
    allowed_instance_types: tuple[str, ...]
    mse_threshold: float
    # None means "the sample data in the stack bucket".
    input_data_url: str | None
    batch_data_url: str | None
    model_approval_status: str
    auto_approve_models: bool
    schedule: ScheduleSettings
    alarm_emails: tuple[str, ...]
    protect_resources: bool
    upload_sample_data: bool
    max_job_runtime_seconds: int
    max_parallel_steps: int
    # Per-execution outputs (intermediate data, predictions) expire after this; models and
    # their evaluation reports never do.
    execution_retention_days: int
    sagemaker_project: SageMakerProject | None
    log_groups: LogGroupSettings
    vpc: VpcSettings | None
    # Customer keys that encrypt the input buckets (inputDataUrl, batchDataUrl).
    input_kms_key_arns: tuple[str, ...] = ()
    # In registry mode the model this stage serves; None when its runs train their own.
    promoted_model: PromotedModel | None = None
    # Dev only: the accounts whose preprod and prod deploy roles may copy this stack's models.
    model_consumer_account_ids: tuple[str, ...] = ()
    project: str = PROJECT

    @property
    def model_source(self) -> str:
        return "registry" if self.promoted_model else "train"

    @property
    def names(self) -> ResourceNames:
        return ResourceNames(self.project, self.stage, self.account_id, self.region)

    @property
    def model_approval_tag(self) -> str:
        return "automatic" if self.auto_approve_models else "manual"
