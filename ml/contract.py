"""Names shared by the definition builder, the schedule, the component and the tests.

Everything a user sees (pipeline parameters and steps in Studio, S3 keys, resource names) is
defined here once, so a rename is one edit and every consumer follows.
"""

from __future__ import annotations

import enum
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

PROJECT = "ml-batch-pipeline"
STAGES = ("dev", "preprod", "prod")
# Dev trains; the later stages may instead copy a model a human approved in dev's registry,
# each with its own deploy role, from dev's bucket into their own.
MODEL_SOURCE_STAGE = "dev"
MODEL_CONSUMER_STAGES = ("preprod", "prod")

# Framework images the pipeline runs in (see README "Framework images").
SKLEARN_FRAMEWORK_VERSION = "1.4-2"
XGBOOST_FRAMEWORK_VERSION = "3.0-5"
STEP_SCRIPTS_PYTHON = (3, 10)


class Param(enum.StrEnum):
    """Pipeline parameters: the schedule passes these, Studio shows them."""

    PROCESSING_INSTANCE_TYPE = "ProcessingInstanceType"
    PROCESSING_INSTANCE_COUNT = "ProcessingInstanceCount"
    TRAINING_INSTANCE_TYPE = "TrainingInstanceType"
    TRAINING_INSTANCE_COUNT = "TrainingInstanceCount"
    TRANSFORM_INSTANCE_TYPE = "TransformInstanceType"
    TRANSFORM_INSTANCE_COUNT = "TransformInstanceCount"
    INPUT_DATA_URL = "InputDataUrl"
    BATCH_DATA_URL = "BatchDataUrl"
    MSE_THRESHOLD = "MseThreshold"
    MODEL_APPROVAL_STATUS = "ModelApprovalStatus"


class Step(enum.StrEnum):
    """Step names as the SDK emits them into the definition (2.x suffixes model steps)."""

    PREPROCESS = "Preprocess"
    TRAIN = "Train"
    EVALUATE = "Evaluate"
    QUALITY_GATE = "QualityGate"
    REGISTER_MODEL = "RegisterModel-RegisterModel"
    CREATE_MODEL = "CreateModel-CreateModel"
    TRANSFORM = "Transform"
    QUALITY_GATE_FAILED = "QualityGateFailed"


# What the scoring-only pipeline declares, in its order: a transform reads nothing else, and the
# schedule of a scoring stack passes exactly these (a parameter the pipeline lacks fails the run).
SCORING_PARAMETERS = (
    Param.TRANSFORM_INSTANCE_TYPE,
    Param.TRANSFORM_INSTANCE_COUNT,
    Param.BATCH_DATA_URL,
)

# The names passed to ModelStep, from which the SDK derives the emitted names above.
REGISTER_MODEL_STEP_BASE = "RegisterModel"
CREATE_MODEL_STEP_BASE = "CreateModel"

# Processing outputs, by name.
OUTPUT_TRAIN = "train"
OUTPUT_VALIDATION = "validation"
OUTPUT_TEST = "test"
OUTPUT_PREPROCESSING = "preprocessing"
OUTPUT_EVALUATION = "evaluation"

# The environment that makes the XGBoost serving container run the model's own serving code,
# shipped inside model.tar.gz: the Model the pipeline creates and registers carries exactly this,
# and a promoted model must carry it too.
SERVING_CODE_DIR = "/opt/ml/model/code"
SERVING_ENVIRONMENT: Mapping[str, str] = MappingProxyType(
    {"SAGEMAKER_PROGRAM": "inference.py", "SAGEMAKER_SUBMIT_DIRECTORY": SERVING_CODE_DIR}
)

EVALUATION_REPORT = "evaluation.json"
EVALUATION_PROPERTY_FILE = "EvaluationReport"
MSE_JSON_PATH = "regression_metrics.mse.value"

APPROVAL_STATUSES = ("PendingManualApproval", "Approved")

S3_URI = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(?:/(?P<key>.*))?$")


class S3Layout:
    """Where things live in a stack's bucket. Per-execution outputs never overwrite a past run."""

    CODE_PREFIX = "code"
    # Expires after executionRetentionDays (the bucket's lifecycle): each run's datasets and
    # predictions.
    EXECUTIONS_PREFIX = "executions"
    # Never expires: trained models, and the evaluation reports registered packages point to.
    MODELS_PREFIX = "models"
    EVALUATIONS_PREFIX = f"{MODELS_PREFIX}/evaluations"
    SAMPLE_TRAINING_KEY = "input/training/abalone.csv"
    SAMPLE_BATCH_KEY = "input/batch/abalone-batch.csv"

    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def code_key(self, digest: str, file_name: str) -> str:
        """Code lives under a content-hashed folder: a change is a new key, nothing else is."""
        return f"{self.CODE_PREFIX}/{digest}/{file_name}"

    @property
    def executions_root(self) -> str:
        """Joined at run time with the execution id: s3://bucket/executions/<id>/<step>."""
        return self.uri(self.EXECUTIONS_PREFIX)

    @property
    def evaluations_root(self) -> str:
        """Joined at run time with the execution id: s3://bucket/models/evaluations/<id>. A
        registered model version points to its report for as long as the version exists."""
        return self.uri(self.EVALUATIONS_PREFIX)


@dataclass(frozen=True)
class ResourceNames:
    """Deterministic physical names, so IAM can be scoped before anything exists."""

    project: str
    stage: str
    account_id: str
    region: str

    @property
    def pipeline(self) -> str:
        return f"{self.project}-{self.stage}"

    @property
    def bucket(self) -> str:
        # Bucket names are global: account and region make them unique.
        return f"{self.project}-{self.stage}-{self.account_id}-{self.region}"

    @property
    def execution_role(self) -> str:
        return f"{self.pipeline}-execution"

    @property
    def alerts_topic(self) -> str:
        return f"{self.pipeline}-alerts"

    @property
    def scheduler_role(self) -> str:
        return f"{self.pipeline}-scheduler"

    @property
    def deploy_role(self) -> str:
        """The role the delivery assumes for this stage (the bootstrap creates it)."""
        return f"{self.project}-github-deploy-{self.stage}"

    @property
    def deploy_role_arn(self) -> str:
        return self.role_arn(self.deploy_role)

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        return "aws-us-gov" if self.region.startswith("us-gov-") else "aws"

    @property
    def execution_role_arn(self) -> str:
        """Known before the role exists, because its name is deterministic (offline renders)."""
        return self.role_arn(self.execution_role)

    def role_arn(self, name: str) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:role/{name}"

    @property
    def stand_in_kms_key_arn(self) -> str:
        """AWS assigns key ids at creation; offline renders use a fixed, obviously fake one."""
        return (
            f"arn:{self.partition}:kms:{self.region}:{self.account_id}:"
            "key/00000000-0000-0000-0000-000000000000"
        )

    @property
    def model_package_group(self) -> str:
        return f"{self.pipeline}-models"

    def promoted_model(self, model_data_url: str, image_uri: str, *network: str) -> str:
        """The SageMaker model a scoring stack creates from a promoted artifact.

        Every field of a SageMaker model forces its replacement, and a replacement under the same
        name would have to delete the model the pipeline scores with before creating the new one.
        The name is a digest of all the stack sets instead (artifact, image, network): a change is
        a new name, created first, and the old model goes once the pipeline points at the new one.
        The name stays outside the `job_prefix(Step.CREATE_MODEL)` prefix, whose models
        `ml cleanup` deletes as leftovers of training runs; this one belongs to the stack. It fits
        MODEL_NAME_MAX_LENGTH for every stage (a test checks).
        """
        served = "\n".join((model_data_url, image_uri, *network))
        return f"{self.promoted_model_prefix}{hashlib.sha256(served.encode()).hexdigest()[:12]}"

    @property
    def promoted_model_prefix(self) -> str:
        """Models a preprod or prod stage creates from a copy of a model approved in dev:
        `<pipeline>-promoted-<12 hex>`; its deploy role may create only these."""
        return f"{self.pipeline}-promoted-"

    def job_prefix(self, step: Step | str) -> str:
        """Job-name prefix kept in the definition; IAM scopes job ARNs on it.

        The service appends `-<execution id>-<token>-<attempt>` to it within SageMaker's 63
        characters, so prefixes stay within JOB_PREFIX_MAX_LENGTH (a test checks every stage).
        """
        return f"{self.pipeline}-{_JOB_SHORT_NAMES[Step(step)]}"


JOB_PREFIX_MAX_LENGTH = 32
# CreateModel's ModelName limit.
MODEL_NAME_MAX_LENGTH = 63
_JOB_SHORT_NAMES = {
    Step.PREPROCESS: "prep",
    Step.TRAIN: "train",
    Step.EVALUATE: "eval",
    Step.CREATE_MODEL: "model",
    Step.TRANSFORM: "xform",
}
