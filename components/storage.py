"""The stack's key, its hardened bucket, and what the pipeline needs in it before a first run."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from pulumi_aws import kms, s3

from components.context import Context
from components.documents.arns import s3_bucket_arn
from components.documents.kms import key_policy
from components.documents.sharing import ModelConsumers
from components.documents.storage import bucket_policy
from ml import sample_data
from ml.contract import S3Layout
from ml.packaging import CodePackage

# Keys whose loss would lose data wait the longest AWS allows before deletion.
PROTECTED_KEY_DELETION_DAYS = 30
KEY_DELETION_DAYS = 7
NONCURRENT_VERSION_DAYS = 30
INCOMPLETE_UPLOAD_DAYS = 7


@dataclass(frozen=True)
class StackBucket:
    bucket: s3.Bucket
    # Uploads wait for these, so no object is written before the bucket is locked down.
    hardening: tuple[pulumi.Resource, ...]


def create_key(ctx: Context, users: Sequence[pulumi.Resource]) -> kms.Key:
    """`users` are the roles the key policy names: a key policy may name only principals that
    exist, so the key waits for them."""
    protected = ctx.settings.protect_resources
    key = kms.Key(
        ctx.child("key"),
        description=f"Encrypts the {ctx.names.pipeline} pipeline's data, volumes and alerts",
        enable_key_rotation=True,
        deletion_window_in_days=PROTECTED_KEY_DELETION_DAYS if protected else KEY_DELETION_DAYS,
        policy=json.dumps(key_policy(ctx.names, _model_consumers(ctx))),
        tags=ctx.tags,
        opts=ctx.opts(keep=True, depends_on=users),
    )
    kms.Alias(
        ctx.child("key-alias"),
        name=f"alias/{ctx.names.pipeline}",
        target_key_id=key.key_id,
        # Kept with the key: the alias is how people and the jobs' logs name it.
        opts=ctx.opts(keep=True),
    )
    return key


def create_bucket(ctx: Context, key: kms.Key) -> StackBucket:
    """Every setting that guards the bucket is kept with it: deleting one would suspend
    versioning, fall back to default encryption, or lift the public access block and TLS policy
    of a bucket that stays in the account."""
    bucket = s3.Bucket(
        ctx.child("bucket"),
        bucket=ctx.names.bucket,
        # A versioned bucket with objects cannot be deleted: stages that are not protected
        # empty it on destroy, protected ones never do.
        force_destroy=not ctx.settings.protect_resources,
        tags=ctx.tags,
        opts=ctx.opts(keep=True),
    )
    access_block = s3.BucketPublicAccessBlock(
        ctx.child("bucket-public-access-block"),
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=ctx.opts(keep=True),
    )
    ownership = s3.BucketOwnershipControls(
        ctx.child("bucket-ownership"),
        bucket=bucket.id,
        rule=s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=ctx.opts(keep=True),
    )
    encryption = s3.BucketServerSideEncryptionConfiguration(
        ctx.child("bucket-encryption"),
        bucket=bucket.id,
        rules=[
            s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="aws:kms", kms_master_key_id=key.arn
                ),
                # One data key per bucket instead of per object: far fewer KMS calls.
                bucket_key_enabled=True,
            )
        ],
        opts=ctx.opts(keep=True),
    )
    versioning = s3.BucketVersioning(
        ctx.child("bucket-versioning"),
        bucket=bucket.id,
        versioning_configuration=s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
        opts=ctx.opts(keep=True),
    )
    lifecycle = _lifecycle(ctx, bucket, versioning)
    policy = s3.BucketPolicy(
        ctx.child("bucket-policy"),
        bucket=bucket.id,
        # From the bucket's name, not its ARN output: known in a first preview as well.
        policy=bucket.bucket.apply(
            lambda name: json.dumps(
                bucket_policy(s3_bucket_arn(ctx.names.partition, name), _model_consumers(ctx))
            )
        ),
        opts=ctx.opts(keep=True, depends_on=[access_block]),
    )
    return StackBucket(bucket, (access_block, ownership, encryption, versioning, lifecycle, policy))


def _model_consumers(ctx: Context) -> ModelConsumers:
    """Dev's consumers (the settings refuse them on other stages): their deploy roles copy
    approved models from models/, which the lifecycle never expires."""
    return ModelConsumers(ctx.names, ctx.settings.model_consumer_account_ids)


def _lifecycle(
    ctx: Context, bucket: s3.Bucket, versioning: s3.BucketVersioning
) -> s3.BucketLifecycleConfiguration:
    rule = s3.BucketLifecycleConfigurationRuleArgs
    everything = s3.BucketLifecycleConfigurationRuleFilterArgs(prefix="")
    executions = s3.BucketLifecycleConfigurationRuleFilterArgs(
        prefix=f"{S3Layout.EXECUTIONS_PREFIX}/"
    )
    return s3.BucketLifecycleConfiguration(
        ctx.child("bucket-lifecycle"),
        bucket=bucket.id,
        rules=[
            rule(
                id="abort-incomplete-uploads",
                status="Enabled",
                filter=everything,
                abort_incomplete_multipart_upload=s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=INCOMPLETE_UPLOAD_DAYS
                ),
            ),
            rule(
                id="expire-noncurrent-versions",
                status="Enabled",
                filter=everything,
                noncurrent_version_expiration=s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=NONCURRENT_VERSION_DAYS
                ),
            ),
            rule(
                id="expire-execution-outputs",
                status="Enabled",
                filter=executions,
                expiration=s3.BucketLifecycleConfigurationRuleExpirationArgs(
                    days=ctx.settings.execution_retention_days
                ),
            ),
        ],
        # S3 rejects lifecycle rules on noncurrent versions until versioning is on.
        opts=ctx.opts(keep=True, depends_on=[versioning]),
    )


def upload_code(
    ctx: Context, stack_bucket: StackBucket, package: CodePackage
) -> list[s3.BucketObjectv2]:
    """The step scripts and training archive under content-hashed keys (see ml.packaging)."""
    return [
        s3.BucketObjectv2(
            ctx.child(f"code-{code.key.split('/', 2)[2].replace('/', '-')}"),
            bucket=stack_bucket.bucket.id,
            key=code.key,
            content_base64=base64.b64encode(code.content).decode("ascii"),
            content_type="application/gzip" if code.key.endswith(".tar.gz") else "text/x-python",
            tags=ctx.tags,
            opts=ctx.opts(depends_on=stack_bucket.hardening),
        )
        for code in package.objects
    ]


def upload_sample_data(ctx: Context, stack_bucket: StackBucket) -> list[s3.BucketObjectv2]:
    """Seeded sample data where the stage asks for it, so a first run needs no preparation."""
    if not ctx.settings.upload_sample_data:
        return []
    training = sample_data.generate(sample_data.TRAINING_ROWS, sample_data.TRAINING_SEED)
    batch = sample_data.generate(sample_data.BATCH_ROWS, sample_data.BATCH_SEED)
    files = {
        ("sample-training", S3Layout.SAMPLE_TRAINING_KEY): sample_data.csv_text(training),
        ("sample-batch", S3Layout.SAMPLE_BATCH_KEY): sample_data.csv_text(batch, with_label=False),
    }
    return [
        s3.BucketObjectv2(
            ctx.child(role),
            bucket=stack_bucket.bucket.id,
            key=key,
            # An asset is diffed by its hash: previews show a change, not 150 kB of rows.
            source=pulumi.StringAsset(text),
            content_type="text/csv",
            tags=ctx.tags,
            opts=ctx.opts(depends_on=stack_bucket.hardening),
        )
        for (role, key), text in files.items()
    ]
