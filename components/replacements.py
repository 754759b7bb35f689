"""Which input changes make pulumi-aws replace a resource instead of updating it.

Pulumi's schema does not say; the Terraform AWS provider does (`ForceNew: true` in SDKv2
schemas, `RequiresReplace` plan modifiers in framework ones). Read from the provider that
pulumi-aws 7.51 bundles, at upstream tag v6.58.0 (internal/service/<service>/<resource>.go; the
argument sets of these types match the bundled 6.6x release). A change of `region` also
replaces every regional resource (the provider's region interceptor).

`names` are the inputs that make up the resource's physical identity: changing one creates the
replacement under another name, so Pulumi's create-before-delete cannot collide. `others`
force a replacement under the *same* identity: where this program sets one to a literal, the
resource must be deleted before it is replaced (tests/components/test_replacements.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Replacement:
    names: tuple[str, ...]
    others: tuple[str, ...] = ()


_NAMED = Replacement(("name", "namePrefix"))
_BUCKET_SETTING = Replacement((), ("bucket", "expectedBucketOwner"))

REPLACED_BY: dict[str, Replacement] = {
    "aws:cloudwatch/dashboard:Dashboard": Replacement(("dashboardName",)),
    "aws:cloudwatch/eventRule:EventRule": Replacement(("name", "namePrefix"), ("eventBusName",)),
    "aws:cloudwatch/eventTarget:EventTarget": Replacement(("rule", "targetId"), ("eventBusName",)),
    "aws:cloudwatch/metricAlarm:MetricAlarm": Replacement(("name",)),
    "aws:cloudwatch/logGroup:LogGroup": Replacement(("name", "namePrefix"), ("logGroupClass",)),
    "aws:iam/role:Role": Replacement(("name", "namePrefix"), ("path",)),
    "aws:iam/rolePolicy:RolePolicy": Replacement(("name", "namePrefix"), ("role",)),
    "aws:kms/alias:Alias": _NAMED,
    # No physical name: a replacement is a new key, whatever changed.
    "aws:kms/key:Key": Replacement(
        (), ("customerMasterKeySpec", "keyUsage", "customKeyStoreId", "xksKeyId", "multiRegion")
    ),
    "aws:s3/bucket:Bucket": Replacement(
        ("bucket", "bucketPrefix"), ("bucketNamespace", "objectLockEnabled")
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _BUCKET_SETTING,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _BUCKET_SETTING,
    "aws:s3/bucketPolicy:BucketPolicy": _BUCKET_SETTING,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _BUCKET_SETTING,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        _BUCKET_SETTING
    ),
    "aws:s3/bucketVersioning:BucketVersioning": _BUCKET_SETTING,
    "aws:s3/bucketObjectv2:BucketObjectv2": Replacement(("bucket", "key")),
    # A copy is identified by where it lands; a new source replaces it at the same key.
    "aws:s3/objectCopy:ObjectCopy": Replacement(
        ("bucket", "key"), ("source", "expectedSourceBucketOwner", "kmsEncryptionContext")
    ),
    # Every argument of a model forces its replacement. The literals the stack sets (image,
    # network isolation, subnets and security groups) are digested into its name
    # (ResourceNames.promoted_model), so a replacement never collides with the old model.
    "aws:sagemaker/model:Model": Replacement(
        ("name",), ("executionRoleArn", "primaryContainer", "containers")
    ),
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": Replacement(
        ("modelPackageGroupName",), ("modelPackageGroupDescription",)
    ),
    "aws:sagemaker/pipeline:Pipeline": Replacement(("pipelineName",)),
    "aws:scheduler/schedule:Schedule": Replacement(("name", "namePrefix"), ("groupName",)),
    "aws:scheduler/scheduleGroup:ScheduleGroup": _NAMED,
    "aws:sns/topic:Topic": Replacement(("name", "namePrefix"), ("fifoTopic",)),
    "aws:sns/topicPolicy:TopicPolicy": Replacement((), ("arn",)),
    # A subscription is identified by what it connects.
    "aws:sns/topicSubscription:TopicSubscription": Replacement(("topic", "protocol", "endpoint")),
    "aws:sqs/queue:Queue": Replacement(("name", "namePrefix"), ("fifoQueue",)),
    "aws:sqs/queuePolicy:QueuePolicy": Replacement((), ("queueUrl",)),
}
