"""What a preprod or prod deploy role needs to run its stage from a model a human approved in
dev: copy the artifact from dev's bucket into its own (aws.s3.ObjectCopy) and create a SageMaker
model from the copy (aws.sagemaker.Model), on those names only. Dev trains and copies nothing.

Dev's names come from its stack file (accountId and aws:region of Pulumi.dev.yaml), the one the
dev program deploys from; the dev stack grants the other half, its bucket policy and key policy
(components/documents/sharing.py), to the accounts its modelConsumerAccountIds lists.
"""

from __future__ import annotations

from pathlib import Path

from components.documents.arns import Arns
from components.documents.policy import Statement, allow
from ml.contract import MODEL_CONSUMER_STAGES, MODEL_SOURCE_STAGE, ResourceNames, S3Layout
from ml.settings import SettingsError, load_stack_settings
from ml.settings.sources import ConfigSourceError

ROOT = Path(__file__).resolve().parent.parent
OBJECT_COPY = "aws:s3/objectCopy:ObjectCopy"
MODEL = "aws:sagemaker/model:Model"

# Part of bootstrap/provider_calls.py's PROVIDER_CALLS (same sources and phases). S3 authorises
# HeadObject as s3:GetObject, and CopyObject as s3:GetObject on the source and s3:PutObject
# (s3:PutObjectTagging with tags) on the copy; S3 uses both keys with the caller's rights.
PROMOTION_CALLS: dict[str, dict[str, tuple[str, ...]]] = {
    # internal/service/s3/object_copy.go, and the tagging interceptor (ObjectCopy's tags are
    # read and updated by objectListTags and objectUpdateTags).
    OBJECT_COPY: {
        # resourceObjectCopyDoCopy: CopyObject with the tags, then the read below.
        "create": (
            "s3:GetObject",
            "kms:Decrypt",
            "s3:PutObject",
            "s3:PutObjectTagging",
            "kms:GenerateDataKey",
            "s3:GetObjectTagging",
        ),
        # resourceObjectCopyRead: HeadObject of the copy; the interceptor: GetObjectTagging.
        "read": ("s3:GetObject", "s3:GetObjectTagging"),
        # Tags: objectUpdateTags gets the tag set, then puts or deletes it; any other change
        # copies again (resourceObjectCopyUpdate).
        "update": (
            "s3:GetObjectTagging",
            "s3:PutObjectTagging",
            "s3:DeleteObjectTagging",
            "s3:GetObject",
            "kms:Decrypt",
            "s3:PutObject",
            "kms:GenerateDataKey",
        ),
        # The copy in a versioned bucket has a version id, so resourceObjectCopyDelete deletes
        # every version of its key: ListObjectVersions, then DeleteObject with a version id.
        "delete": ("s3:ListBucketVersions", "s3:DeleteObjectVersion"),
    },
    # internal/service/sagemaker/model.go: CreateModel with the tags and the execution role;
    # every read is DescribeModel, and the interceptor's ListTags; an update changes tags only.
    MODEL: {
        "create": (
            "sagemaker:CreateModel",
            "sagemaker:AddTags",
            "iam:PassRole",
            "sagemaker:DescribeModel",
            "sagemaker:ListTags",
        ),
        "read": ("sagemaker:DescribeModel", "sagemaker:ListTags"),
        "update": (
            "sagemaker:AddTags",
            "sagemaker:DeleteTags",
            "sagemaker:DescribeModel",
            "sagemaker:ListTags",
        ),
        "delete": ("sagemaker:DeleteModel",),
    },
}


class ModelSourceError(ValueError):
    pass


def model_source(stage: str, project_dir: Path = ROOT) -> ResourceNames | None:
    """The dev stack's names for a stage that copies dev's models; None for dev itself."""
    if stage not in MODEL_CONSUMER_STAGES:
        return None
    try:
        return load_stack_settings(project_dir, MODEL_SOURCE_STAGE).names
    except (SettingsError, ConfigSourceError) as error:
        raise ModelSourceError(
            f"the {stage} deploy role copies models from the {MODEL_SOURCE_STAGE} stack, whose "
            f"bucket and key it names by the accountId and aws:region of "
            f"Pulumi.{MODEL_SOURCE_STAGE}.yaml, which cannot be read: {error}"
        ) from None


def promotion_statements(names: ResourceNames, source: ResourceNames | None) -> list[Statement]:
    """The calls the provider makes for the two resource types (bootstrap/provider_calls.py),
    besides what the role holds already: PassRole of the execution role to SageMaker, the stack
    key's data keys through S3, deletes in the stack bucket and listing its versions."""
    if source is None:
        return []
    arns, dev = Arns(names), Arns(source)
    models = S3Layout.MODELS_PREFIX
    return [
        # CopyObject names no source version and replaces the tags (tagging_directive REPLACE),
        # so it reads the source with GetObject alone, never GetObjectVersion or
        # GetObjectTagging (Terraform AWS provider, internal/service/s3/object_copy.go,
        # resourceObjectCopyDoCopy); refresh reads only the copy.
        allow("PromotionReadsDevModels", ["s3:GetObject"], [f"{dev.bucket}/{models}/*"]),
        # S3 decrypts the source with the caller's rights on dev's key, whose id AWS assigned in
        # another account: any key there, through S3 only; dev's key policy admits this role
        # for its own key alone.
        allow(
            "PromotionDecryptsDevModelsThroughS3",
            ["kms:Decrypt"],
            [dev.arn("kms", "key/*")],
            {"StringEquals": {"kms:ViaService": f"s3.{source.region}.amazonaws.com"}},
        ),
        # The copy, under the same key: CopyObject writes it with its tags; the read after
        # every create and update is HeadObject (s3:GetObject) and the tagging interceptor's
        # GetObjectTagging; a change of tags alone gets, puts or deletes the tag set
        # (object_copy.go resourceObjectCopyRead; tags.go objectListTags, objectUpdateTags).
        allow(
            "PromotedModelCopies",
            [
                "s3:GetObject",
                "s3:GetObjectTagging",
                "s3:PutObject",
                "s3:PutObjectTagging",
                "s3:DeleteObjectTagging",
            ],
            [f"{arns.bucket}/{models}/*"],
        ),
        # Only a model with network isolation, as the pipeline's own models are.
        allow(
            "CreatePromotedModels",
            ["sagemaker:CreateModel"],
            [arns.sagemaker(f"model/{names.promoted_model_prefix}*")],
            {"Bool": {"sagemaker:NetworkIsolation": "true"}},
        ),
        # internal/service/sagemaker/model.go: DescribeModel on every read, tags through the
        # interceptor (AddTags with CreateModel's tags, ListTags, DeleteTags), DeleteModel.
        allow(
            "PromotedModels",
            [
                "sagemaker:DescribeModel",
                "sagemaker:DeleteModel",
                "sagemaker:AddTags",
                "sagemaker:ListTags",
                "sagemaker:DeleteTags",
            ],
            [arns.sagemaker(f"model/{names.promoted_model_prefix}*")],
        ),
    ]
