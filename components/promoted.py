"""Registry mode: the stack's own copy of a model approved in dev, and the model serving it.

The artifact is copied from dev's bucket into this stack's bucket under the same key, encrypted
with this stack's key, so scoring and refresh never need dev (only a new copy reads dev again).
The copy's source forces its replacement, so a new promotion is a new copy; the copy is tagged
with the REPLACE directive, since the stack's tags are not the source object's.
"""

from __future__ import annotations

import pulumi
from pulumi_aws import iam, kms, s3, sagemaker

from components.context import Context
from components.storage import StackBucket
from ml.contract import SERVING_ENVIRONMENT
from ml.settings.promotion import PromotedModel


def copy_promoted_artifact(
    ctx: Context, stack_bucket: StackBucket, key: kms.Key, promoted: PromotedModel
) -> s3.ObjectCopy:
    source_bucket, object_key = promoted.source
    return s3.ObjectCopy(
        ctx.child("promoted-artifact"),
        bucket=stack_bucket.bucket.bucket,
        key=object_key,
        source=f"{source_bucket}/{object_key}",
        # Refused unless dev's account owns the source bucket and this stack's owns its own.
        expected_source_bucket_owner=promoted.account,
        expected_bucket_owner=ctx.names.account_id,
        server_side_encryption="aws:kms",
        kms_key_id=key.arn,
        bucket_key_enabled=True,
        tagging_directive="REPLACE",
        tags=ctx.tags,
        # Written only once the bucket is locked down, like every object the stack puts there.
        # A new source lands under the same key when only dev's bucket differs: the old copy is
        # deleted first, or deleting it after the new copy would delete the new object.
        opts=pulumi.ResourceOptions.merge(
            ctx.opts(depends_on=stack_bucket.hardening),
            pulumi.ResourceOptions(delete_before_replace=True),
        ),
    )


def create_promoted_model(
    ctx: Context,
    role: iam.Role,
    artifact: s3.ObjectCopy,
    promoted: PromotedModel,
    depends_on: list[pulumi.Resource],
) -> sagemaker.Model:
    vpc = ctx.settings.vpc
    network = (*vpc.subnet_ids, *vpc.security_group_ids) if vpc else ()
    return sagemaker.Model(
        ctx.child("promoted-model"),
        name=ctx.names.promoted_model(promoted.model_data_url, promoted.image_uri, *network),
        execution_role_arn=role.arn,
        primary_container=sagemaker.ModelPrimaryContainerArgs(
            # The package's own image, never one recomputed from this checkout.
            image=promoted.image_uri,
            model_data_url=pulumi.Output.concat("s3://", artifact.bucket, "/", artifact.key),
            environment=dict(SERVING_ENVIRONMENT),
        ),
        enable_network_isolation=True,
        vpc_config=sagemaker.ModelVpcConfigArgs(
            subnets=list(vpc.subnet_ids), security_group_ids=list(vpc.security_group_ids)
        )
        if vpc
        else None,
        tags=ctx.sagemaker_tags,
        # The role may pull the image and read the copy before SageMaker checks both.
        opts=ctx.opts(depends_on=depends_on),
    )
