"""What the dev stack lets the later stages read to copy a model a human approved there: the
objects under models/ of its bucket, decrypted through S3 only, by the preprod and prod deploy
roles (which copy them) and nobody else in their accounts.

S3 and KMS refuse a policy that names a role that does not exist, and those roles live in other
accounts, bootstrapped in any order. So each consumer account is the principal, and a condition
on aws:PrincipalArn admits only the deploy roles: a role created later needs no policy change,
and a role of another name in the same account is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.documents.policy import Condition, Statement, statement
from ml.contract import MODEL_CONSUMER_STAGES, ResourceNames, S3Layout

MODEL_READ_SID = "ModelConsumersReadModels"
MODEL_DECRYPT_SID = "ModelConsumersDecryptModelsThroughS3"


@dataclass(frozen=True)
class ModelConsumers:
    """The accounts (modelConsumerAccountIds) that copy models from the stack `names` names."""

    names: ResourceNames
    account_ids: tuple[str, ...] = ()

    @property
    def account_roots(self) -> list[str]:
        return [f"arn:{self.names.partition}:iam::{account}:root" for account in self.account_ids]

    @property
    def deploy_role_arns(self) -> list[str]:
        """The setting names accounts, not the stage each holds (one account may hold both
        preprod and prod), so each account's preprod and prod deploy roles are admitted: a role
        of either name is one only that account's administrators can create."""
        return sorted(
            ResourceNames(self.names.project, stage, account, self.names.region).deploy_role_arn
            for account in self.account_ids
            for stage in MODEL_CONSUMER_STAGES
        )

    @property
    def only_deploy_roles(self) -> Condition:
        return {"ArnEquals": {"aws:PrincipalArn": self.deploy_role_arns}}


def model_read_statements(consumers: ModelConsumers | None, bucket_arn: str) -> list[Statement]:
    """GetObject alone: the provider's ObjectCopy copies the current version (no versionId in
    its source) and replaces the tags (tagging_directive REPLACE), so neither GetObjectVersion
    nor GetObjectTagging is asked of the source (Terraform AWS provider,
    internal/service/s3/object_copy.go, resourceObjectCopyDoCopy; its read and delete touch
    only the copy)."""
    if consumers is None or not consumers.account_ids:
        return []
    return [
        statement(
            MODEL_READ_SID,
            "Allow",
            ["s3:GetObject"],
            [f"{bucket_arn}/{S3Layout.MODELS_PREFIX}/*"],
            consumers.only_deploy_roles,
            principal={"AWS": consumers.account_roots},
        )
    ]


def model_decrypt_statements(consumers: ModelConsumers | None) -> list[Statement]:
    """S3 decrypts the source of a copy with the caller's permissions on the key; only as S3
    asks, so the roles can decrypt nothing else with it."""
    if consumers is None or not consumers.account_ids:
        return []
    via_s3 = {"StringEquals": {"kms:ViaService": f"s3.{consumers.names.region}.amazonaws.com"}}
    return [
        statement(
            MODEL_DECRYPT_SID,
            "Allow",
            ["kms:Decrypt"],
            # In a key policy "Resource": "*" means this key and nothing else.
            "*",
            via_s3 | consumers.only_deploy_roles,
            principal={"AWS": consumers.account_roots},
        )
    ]
