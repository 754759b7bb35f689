"""Stage and approval tags: the other policies read the stage from them."""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from .common import APPROVAL_TAG, STAGE_TAG, Rule, tags_of, violation

STAGES = ("dev", "preprod", "prod")
APPROVAL_MODES = ("manual", "automatic")
# The taggable types the stacks deploy (pulumi-aws v7 tokens).
TAGGED_TYPES = (
    "aws:kms/key:Key",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketObjectv2:BucketObjectv2",
    "aws:iam/role:Role",
    "aws:sagemaker/pipeline:Pipeline",
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
    "aws:scheduler/scheduleGroup:ScheduleGroup",
    "aws:sqs/queue:Queue",
    "aws:sns/topic:Topic",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:s3/objectCopy:ObjectCopy",
    "aws:sagemaker/model:Model",
)


def _stage_tags(args: ResourceValidationArgs, report: ReportViolation) -> None:
    tags = tags_of(args.props)
    if tags.get(STAGE_TAG) not in STAGES:
        violation(
            report,
            args.name,
            f"tag {STAGE_TAG!r} is {tags.get(STAGE_TAG)!r}, so policies judge it as prod",
            f"tag it {STAGE_TAG}: one of {', '.join(STAGES)}",
        )
    if tags.get(APPROVAL_TAG) not in APPROVAL_MODES:
        violation(
            report,
            args.name,
            f"tag {APPROVAL_TAG!r} is {tags.get(APPROVAL_TAG)!r}",
            f"tag it {APPROVAL_TAG}: manual or automatic",
        )


POLICIES = [
    Rule(
        "stage-and-approval-tags",
        "Taggable resources say their stage and model approval mode.",
        Severity.LOW,
        "Set the stage and model-approval tags on the resource itself.",
        ("tagging",),
    ).on(TAGGED_TYPES, _stage_tags),
]
