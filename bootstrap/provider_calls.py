"""The AWS calls pulumi-aws makes for each resource type this program declares, as IAM actions.

Read from the Terraform AWS provider that pulumi-aws 7.51 bundles (internal/service/<service>/
<resource>.go and the tagging interceptor in internal/provider/, at upstream tag v6.58.0, the
newest release whose source could be read; pulumi-aws 7.51 bundles a later 6.6x whose argument
sets match for these types), for the way this program configures each resource: no inline
policies or managed policy ARNs on roles, no object lock, `skip_destroy` on log groups,
`force_destroy` on destroyable buckets, e-mail subscriptions. Reads run on refresh, on import
and after every create and update. Where an API call needs an IAM action of another name
(DeletePublicAccessBlock needs s3:PutBucketPublicAccessBlock), the action is listed.

Tests check that each stage's deploy role allows every call on the resource it names.
"""

from __future__ import annotations

from bootstrap.promotion import PROMOTION_CALLS

PHASES = ("create", "read", "update", "delete")

_S3_BUCKET_READ = (
    "s3:ListBucket",
    "s3:GetBucketPolicy",
    "s3:GetBucketAcl",
    "s3:GetBucketCORS",
    "s3:GetBucketWebsite",
    "s3:GetBucketVersioning",
    "s3:GetAccelerateConfiguration",
    "s3:GetBucketRequestPayment",
    "s3:GetBucketLogging",
    "s3:GetLifecycleConfiguration",
    "s3:GetReplicationConfiguration",
    "s3:GetEncryptionConfiguration",
    "s3:GetBucketObjectLockConfiguration",
    "s3:ListTagsForResource",
)


def _setting(put: str, get: str, delete: str | None = None) -> dict[str, tuple[str, ...]]:
    """A bucket setting resource: put and wait until it reads back; delete (or put) it."""
    return {
        "create": (put, get),
        "read": (get,),
        "update": (put, get),
        "delete": (delete or put, get),
    }


PROVIDER_CALLS: dict[str, dict[str, tuple[str, ...]]] = {
    "aws:cloudwatch/dashboard:Dashboard": {
        "create": ("cloudwatch:PutDashboard", "cloudwatch:GetDashboard"),
        "read": ("cloudwatch:GetDashboard",),
        "update": ("cloudwatch:PutDashboard",),
        "delete": ("cloudwatch:DeleteDashboards",),
    },
    "aws:cloudwatch/eventRule:EventRule": {
        "create": ("events:PutRule", "events:TagResource", "events:DescribeRule"),
        "read": ("events:DescribeRule", "events:ListTagsForResource"),
        "update": ("events:PutRule", "events:TagResource", "events:UntagResource"),
        "delete": ("events:DeleteRule",),
    },
    "aws:cloudwatch/eventTarget:EventTarget": {
        "create": ("events:PutTargets", "events:ListTargetsByRule"),
        "read": ("events:ListTargetsByRule",),
        "update": ("events:PutTargets",),
        "delete": ("events:RemoveTargets",),
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": {
        "create": ("cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"),
        "read": ("cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
        "update": (
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:TagResource",
            "cloudwatch:UntagResource",
        ),
        "delete": ("cloudwatch:DeleteAlarms",),
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        "create": ("logs:CreateLogGroup", "logs:TagResource", "logs:PutRetentionPolicy"),
        "read": ("logs:DescribeLogGroups", "logs:ListTagsForResource"),
        "update": (
            "logs:PutRetentionPolicy",
            "logs:DisassociateKmsKey",
            "logs:TagResource",
            "logs:UntagResource",
        ),
        # skip_destroy: the group is only forgotten.
        "delete": (),
    },
    "aws:iam/role:Role": {
        "create": ("iam:CreateRole", "iam:TagRole", "iam:GetRole"),
        "read": (
            "iam:GetRole",
            "iam:ListRolePolicies",
            "iam:GetRolePolicy",
            "iam:ListAttachedRolePolicies",
        ),
        "update": (
            "iam:UpdateAssumeRolePolicy",
            "iam:UpdateRoleDescription",
            "iam:UpdateRole",
            "iam:TagRole",
            "iam:UntagRole",
        ),
        "delete": ("iam:ListInstanceProfilesForRole", "iam:DeleteRole"),
    },
    "aws:iam/rolePolicy:RolePolicy": {
        "create": ("iam:PutRolePolicy", "iam:GetRolePolicy"),
        "read": ("iam:GetRolePolicy",),
        "update": ("iam:PutRolePolicy",),
        "delete": ("iam:DeleteRolePolicy",),
    },
    "aws:kms/alias:Alias": {
        "create": ("kms:CreateAlias",),
        "read": ("kms:ListAliases",),
        "update": ("kms:UpdateAlias",),
        "delete": ("kms:DeleteAlias",),
    },
    "aws:kms/key:Key": {
        "create": (
            "kms:CreateKey",
            "kms:TagResource",
            "kms:EnableKeyRotation",
            "kms:GetKeyRotationStatus",
            "kms:GetKeyPolicy",
            "kms:ListResourceTags",
        ),
        "read": (
            "kms:DescribeKey",
            "kms:GetKeyPolicy",
            "kms:GetKeyRotationStatus",
            "kms:ListResourceTags",
        ),
        "update": (
            "kms:UpdateKeyDescription",
            "kms:PutKeyPolicy",
            "kms:EnableKeyRotation",
            "kms:TagResource",
            "kms:UntagResource",
            "kms:DescribeKey",
        ),
        "delete": ("kms:ScheduleKeyDeletion", "kms:DescribeKey"),
    },
    "aws:s3/bucket:Bucket": {
        "create": ("s3:CreateBucket", "s3:TagResource", "s3:ListBucket"),
        "read": _S3_BUCKET_READ,
        "update": ("s3:TagResource", "s3:UntagResource"),
        # force_destroy: every version and delete marker goes first.
        "delete": (
            "s3:DeleteBucket",
            "s3:ListBucketVersions",
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
        ),
    },
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _setting(
        "s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration"
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _setting(
        "s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls"
    ),
    "aws:s3/bucketPolicy:BucketPolicy": _setting(
        "s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _setting(
        "s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock"
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        _setting("s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration")
    ),
    "aws:s3/bucketVersioning:BucketVersioning": _setting(
        "s3:PutBucketVersioning", "s3:GetBucketVersioning"
    ),
    "aws:s3/bucketObjectv2:BucketObjectv2": {
        # SSE-KMS by the bucket's default: S3 asks KMS for a data key with the caller's rights.
        "create": ("s3:PutObject", "s3:PutObjectTagging", "kms:GenerateDataKey"),
        "read": ("s3:GetObject", "s3:GetObjectTagging"),
        "update": (
            "s3:PutObject",
            "s3:GetObjectTagging",
            "s3:PutObjectTagging",
            "s3:DeleteObjectTagging",
            "kms:GenerateDataKey",
        ),
        "delete": ("s3:ListBucketVersions", "s3:DeleteObjectVersion"),
    },
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": {
        "create": (
            "sagemaker:CreateModelPackageGroup",
            "sagemaker:AddTags",
            "sagemaker:DescribeModelPackageGroup",
        ),
        "read": ("sagemaker:DescribeModelPackageGroup", "sagemaker:ListTags"),
        "update": ("sagemaker:AddTags", "sagemaker:DeleteTags"),
        "delete": ("sagemaker:DeleteModelPackageGroup", "sagemaker:DescribeModelPackageGroup"),
    },
    "aws:sagemaker/pipeline:Pipeline": {
        "create": ("sagemaker:CreatePipeline", "sagemaker:AddTags", "iam:PassRole"),
        "read": ("sagemaker:DescribePipeline", "sagemaker:ListTags"),
        "update": (
            "sagemaker:UpdatePipeline",
            "iam:PassRole",
            "sagemaker:AddTags",
            "sagemaker:DeleteTags",
        ),
        "delete": ("sagemaker:DeletePipeline",),
    },
    # A customer key on the schedule: Scheduler uses it with the caller's rights (Scheduler user
    # guide, identity-based policy examples for CreateSchedule and GetSchedule).
    "aws:scheduler/schedule:Schedule": {
        "create": (
            "scheduler:CreateSchedule",
            "iam:PassRole",
            "kms:DescribeKey",
            "kms:GenerateDataKey",
            "kms:Decrypt",
        ),
        "read": ("scheduler:GetSchedule", "kms:Decrypt"),
        "update": (
            "scheduler:UpdateSchedule",
            "iam:PassRole",
            "kms:DescribeKey",
            "kms:GenerateDataKey",
            "kms:Decrypt",
        ),
        "delete": ("scheduler:DeleteSchedule",),
    },
    "aws:scheduler/scheduleGroup:ScheduleGroup": {
        "create": (
            "scheduler:CreateScheduleGroup",
            "scheduler:TagResource",
            "scheduler:GetScheduleGroup",
        ),
        "read": ("scheduler:GetScheduleGroup", "scheduler:ListTagsForResource"),
        "update": ("scheduler:TagResource", "scheduler:UntagResource"),
        "delete": ("scheduler:DeleteScheduleGroup", "scheduler:GetScheduleGroup"),
    },
    "aws:sns/topic:Topic": {
        # pulumi-aws refuses to adopt an existing topic: it reads the attributes first.
        "create": (
            "sns:GetTopicAttributes",
            "sns:CreateTopic",
            "sns:TagResource",
            "sns:SetTopicAttributes",
        ),
        "read": ("sns:GetTopicAttributes", "sns:ListTagsForResource"),
        "update": ("sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource"),
        "delete": ("sns:DeleteTopic",),
    },
    "aws:sns/topicPolicy:TopicPolicy": {
        "create": ("sns:SetTopicAttributes", "sns:GetTopicAttributes"),
        "read": ("sns:GetTopicAttributes",),
        "update": ("sns:SetTopicAttributes",),
        # No delete call: the default policy is put back.
        "delete": ("sns:SetTopicAttributes",),
    },
    "aws:sns/topicSubscription:TopicSubscription": {
        "create": ("sns:Subscribe", "sns:GetSubscriptionAttributes"),
        "read": ("sns:GetSubscriptionAttributes",),
        "update": ("sns:SetSubscriptionAttributes",),
        "delete": ("sns:Unsubscribe", "sns:GetSubscriptionAttributes"),
    },
    "aws:sqs/queue:Queue": {
        "create": ("sqs:CreateQueue", "sqs:TagQueue", "sqs:GetQueueAttributes"),
        "read": ("sqs:GetQueueAttributes", "sqs:ListQueueTags"),
        "update": (
            "sqs:SetQueueAttributes",
            "sqs:GetQueueAttributes",
            "sqs:TagQueue",
            "sqs:UntagQueue",
        ),
        "delete": ("sqs:DeleteQueue", "sqs:GetQueueAttributes"),
    },
    "aws:sqs/queuePolicy:QueuePolicy": {
        "create": ("sqs:SetQueueAttributes", "sqs:GetQueueAttributes"),
        "read": ("sqs:GetQueueAttributes",),
        "update": ("sqs:SetQueueAttributes",),
        "delete": ("sqs:SetQueueAttributes", "sqs:GetQueueAttributes"),
    },
    # The copy of a model approved in dev, and the model made from it (preprod and prod).
    **PROMOTION_CALLS,
}

# Data sources the program reads during every preview and update.
INVOKE_CALLS = {
    "aws:cloudwatch/getLogGroups:getLogGroups": ("logs:DescribeLogGroups",),
}
