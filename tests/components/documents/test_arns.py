"""ARNs built from names must be the ARNs AWS assigns: documents and event patterns use them
before the resources exist (a first preview), and a wrong one silently grants or matches
nothing. Each is compared with the format in AWS's Service Authorization Reference."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from policy_sentry.querying.arns import get_arn_type_details

from components.documents.arns import Arns
from ml.contract import STAGES
from ml.settings import load_stack_settings

NAME = "ml-batch-pipeline-prod-thing"
BUILT: dict[tuple[str, str], Callable[[Arns], str]] = {
    ("sagemaker", "pipeline"): lambda arns: arns.pipeline(NAME),
    ("sns", "topic"): lambda arns: arns.topic(NAME),
    ("sqs", "queue"): lambda arns: arns.queue(NAME),
    ("events", "rule-on-default-event-bus"): lambda arns: arns.event_rule(NAME),
    ("iam", "role"): lambda arns: arns.role(NAME),
    ("s3", "bucket"): lambda arns: arns.bucket.replace(arns.names.bucket, NAME),
}


def documented(service: str, resource_type: str, arns: Arns) -> str:
    raw = get_arn_type_details(service, resource_type)["raw_arn"]
    names = arns.names
    known = {"Partition": names.partition, "Region": names.region, "Account": names.account_id}
    return re.sub(r"\$\{(\w+)\}", lambda m: known.get(m[1], NAME), raw)


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize(("service", "resource_type"), sorted(BUILT))
def test_each_arn_built_from_a_name_is_the_one_aws_documents(
    project_dir: Path, stage: str, service: str, resource_type: str
) -> None:
    arns = Arns(load_stack_settings(project_dir, stage).names)
    assert BUILT[service, resource_type](arns) == documented(service, resource_type, arns)


def test_pipeline_arns_carry_the_name_in_lower_case(project_dir: Path) -> None:
    # SageMaker lower-cases names in its ARNs and events; IAM compares ARNs case-sensitively.
    arns = Arns(load_stack_settings(project_dir, "dev").names)
    assert arns.pipeline("Ml-Batch").endswith(":pipeline/ml-batch")
