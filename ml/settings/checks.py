"""Checks of one value that a type, range or list of choices cannot express: formats, AWS's own
lists (botocore's instance types and regions) and the time zone database. Each returns the
problem, or None when the value is fine; the declaration (ml.settings.stack_config) runs them.

A problem is phrased to follow "<key>: <value>", and always says what is allowed.
"""

from __future__ import annotations

import functools
import math
import re
import zoneinfo
from collections.abc import Callable, Sequence

from ml.botocore_models import botocore_session
from ml.contract import S3_URI
from ml.schedule import ALLOWED_HELP, parse_schedule

_ACCOUNT_ID = re.compile(r"^\d{12}$")
# Deliberately simple: catches typos and missing parts, leaves the rest to SNS confirmation.
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")
_SUBNET = re.compile(r"^subnet-[0-9a-f]{8}([0-9a-f]{9})?$")
_SECURITY_GROUP = re.compile(r"^sg-[0-9a-f]{8}([0-9a-f]{9})?$")
_PROJECT_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$")
_PROJECT_ID = re.compile(r"^p-[a-z0-9]{12}$")
# CloudWatch Logs accepts only these retention periods.
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
    1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip


@functools.cache
def botocore_instance_types(job_type: str) -> frozenset[str]:
    """The instance types AWS's own API model allows for a job type (the lists differ)."""
    shape = f"{job_type.capitalize()}InstanceType"
    model = botocore_session().get_service_model("sagemaker")
    return frozenset(model.shape_for(shape).enum)


@functools.cache
def sagemaker_regions() -> frozenset[str]:
    return frozenset(botocore_session().get_available_regions("sagemaker"))


def check_account_id(value: str) -> str | None:
    return None if _ACCOUNT_ID.match(value) else "is not an AWS account id; allowed: 12 digits"


def check_region(value: str) -> str | None:
    if value in sagemaker_regions():
        return None
    return "is not a region with SageMaker; allowed: a region name such as eu-west-1"


def check_timezone(value: str) -> str | None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "is not an IANA time zone; allowed: a tz database name such as Europe/London or UTC"
    return None


def instance_type_check(job_type: str) -> Callable[[str], str | None]:
    def check_instance_type(value: str) -> str | None:
        offered = botocore_instance_types(job_type)
        if value in offered:
            return None
        similar = sorted(t for t in offered if t.split(".")[1] == _family(value))[:6]
        hint = f" (e.g. {', '.join(similar)})" if similar else " (e.g. ml.m5.xlarge)"
        return f"is not a {job_type} instance type; allowed: a type SageMaker offers{hint}"

    return check_instance_type


def check_allow_list(value: str, allow_list: Sequence[str]) -> str | None:
    if allow_list and value not in allow_list:
        return f"is not in allowedInstanceTypes; allowed: {', '.join(allow_list)}"
    return None


def _family(instance_type: str) -> str:
    parts = instance_type.split(".")
    return parts[1] if len(parts) == 3 else ""


def check_single_instance(value: int) -> str | None:
    if value == 1:
        return None
    return "is not supported: the step scripts run on one instance; allowed: 1"


def check_threshold(value: str) -> str | None:
    try:
        number = float(value)
    except ValueError:
        return 'is not a number; allowed: a positive decimal such as "8.0"'
    if not math.isfinite(number) or number <= 0:
        return 'is not a positive finite number; allowed: a positive decimal such as "8.0"'
    return None


def check_s3_uri(value: str) -> str | None:
    match = S3_URI.match(value)
    if match and match["key"]:
        return None
    return "is not an S3 URI; allowed: s3://<bucket>/<key or prefix>, or empty for the sample data"


def check_email(value: str) -> str | None:
    return None if _EMAIL.match(value) else "is not an e-mail address; allowed: name@example.com"


def check_log_retention(value: int) -> str | None:
    if value in LOG_RETENTION_DAYS:
        return None
    return f"is not a CloudWatch retention; allowed: {', '.join(map(str, LOG_RETENTION_DAYS))}"


_KMS_KEY_ARN = re.compile(
    r"^arn:aws(-cn|-us-gov)?:kms:[a-z]{2}(-[a-z]+)+-\d:\d{12}:key/"
    r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$"
)


def check_kms_key_arn(value: str) -> str | None:
    if _KMS_KEY_ARN.match(value):
        return None
    return (
        "is not a KMS key ARN; allowed: arn:aws:kms:<region>:<account>:key/<key id> "
        "(a key ARN, not an alias)"
    )


def check_subnet(value: str) -> str | None:
    return None if _SUBNET.match(value) else "is not a subnet id; allowed: subnet-0123abcd..."


def check_security_group(value: str) -> str | None:
    return (
        None
        if _SECURITY_GROUP.match(value)
        else "is not a security group id; allowed: sg-0123abcd..."
    )


def check_project_name(value: str) -> str | None:
    if _PROJECT_NAME.match(value):
        return None
    return "is not a SageMaker project name; allowed: 1-32 letters, digits and hyphens"


def check_project_id(value: str) -> str | None:
    return (
        None
        if _PROJECT_ID.match(value)
        else "is not a SageMaker project id; allowed: p-<12 characters>"
    )


def check_schedule(value: str) -> str | None:
    try:
        parse_schedule(value)
    except ValueError as error:
        return f"{error}; allowed: {ALLOWED_HELP}"
    return None
