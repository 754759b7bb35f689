"""The ml-batch-pipeline guard rails: every policy of the pack, grouped by service.

Self-contained on purpose: the engine runs the pack from this folder in its own environment, so
nothing here imports the program. What a policy needs (the stage, the approval mode, step names,
parameters) it reads from the resources themselves.
"""

from .iam import POLICIES as IAM_POLICIES
from .kms import POLICIES as KMS_POLICIES
from .monitoring import POLICIES as MONITORING_POLICIES
from .promotion import POLICIES as PROMOTION_POLICIES
from .s3 import POLICIES as S3_POLICIES
from .sagemaker import POLICIES as SAGEMAKER_POLICIES
from .scheduler import POLICIES as SCHEDULER_POLICIES
from .stack import POLICIES as STACK_POLICIES
from .tags import POLICIES as TAG_POLICIES

POLICIES = [
    *S3_POLICIES,
    *KMS_POLICIES,
    *IAM_POLICIES,
    *SAGEMAKER_POLICIES,
    *PROMOTION_POLICIES,
    *SCHEDULER_POLICIES,
    *MONITORING_POLICIES,
    *TAG_POLICIES,
    *STACK_POLICIES,
]
PACK_NAME = "ml-batch-pipeline-guardrails"

__all__ = ["PACK_NAME", "POLICIES"]
