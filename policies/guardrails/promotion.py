"""Registry mode: the stage's own copy of a promoted model, and the model that serves it.

A stage that serves a model approved in dev holds the artifact in its own bucket, under the key
it had in dev, encrypted with its own key; the model runs isolated from the network, on an AWS
XGBoost image of the stage's region (the image the builder's models run).
"""

from __future__ import annotations

import re

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    Severity,
    StackValidationArgs,
)

from .common import Rule, of_type, peek, violation
from .kms import KEY
from .s3 import BUCKETS

OBJECT_COPY = "aws:s3/objectCopy:ObjectCopy"
MODEL = "aws:sagemaker/model:Model"
XGBOOST_IMAGE = re.compile(
    r"^\d{12}\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/sagemaker-xgboost[:@]"
)


def _depends_on_type(resource: PolicyResource, prop: str, types: tuple[str, ...]) -> bool:
    return bool(of_type(resource.property_dependencies.get(prop, []), *types))


def _copy_in_stack_bucket(args: StackValidationArgs, report: ReportViolation) -> None:
    for copy in of_type(args.resources, OBJECT_COPY):
        source = str(copy.props.get("source") or "")
        source_key = source.split("/", 1)[1] if "/" in source else ""
        problems = []
        if not _depends_on_type(copy, "bucket", BUCKETS):
            problems.append("its bucket is not a bucket of this stack")
        if copy.props.get("key") != source_key:
            problems.append(f"its key {copy.props.get('key')!r} is not the source's {source_key!r}")
        if not _depends_on_type(copy, "kmsKeyId", (KEY,)):
            problems.append("it is not encrypted with a key of this stack")
        if problems:
            violation(
                report,
                copy.name,
                "; ".join(problems),
                "copy into the stack bucket under the source's key, with kmsKeyId = the stack key",
                copy.urn,
            )


def _model_isolated(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.props.get("enableNetworkIsolation") is not True:
        violation(
            report,
            args.name,
            "the model's container may reach the network",
            "set enableNetworkIsolation to true",
        )


def _model_image(args: ResourceValidationArgs, report: ReportViolation) -> None:
    image = peek(args.props.get("primaryContainer") or {}, "image")
    if image is None or not isinstance(image, str):
        return  # no image given here, or not known yet: nothing to judge
    match = XGBOOST_IMAGE.match(image)
    region = (args.provider.props.get("region") if args.provider else None) or None
    if not match or (region and match["region"] != region):
        violation(
            report,
            args.name,
            f"image {image!r} is not an AWS XGBoost image of {region or 'the stack region'}",
            "serve the promoted package's own image: <account>.dkr.ecr.<region>.amazonaws.com/"
            "sagemaker-xgboost:<tag>",
        )


POLICIES = [
    Rule(
        "s3-promoted-copy-in-stack-bucket",
        "A promoted model's artifact is copied into the stack's bucket under its own key, "
        "encrypted with the stack's key.",
        Severity.HIGH,
        "Copy it with aws.s3.ObjectCopy into the stack bucket, same key, kmsKeyId = stack key.",
        ("S3.17", "model governance"),
    ).stack(_copy_in_stack_bucket),
    Rule(
        "sagemaker-model-network-isolation",
        "Models the stack creates run without network access.",
        Severity.HIGH,
        "Set enableNetworkIsolation: true on the model.",
        ("SageMaker.4",),
    ).on([MODEL], _model_isolated),
    Rule(
        "sagemaker-model-aws-xgboost-image",
        "Models the stack creates run an AWS XGBoost image of the stack's region.",
        Severity.MEDIUM,
        "Serve the promoted package's own AWS XGBoost image.",
        ("model governance",),
    ).on([MODEL], _model_image),
]
