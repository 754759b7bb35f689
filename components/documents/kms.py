"""The stack key's policy: the account administers it; the stack's two roles and the services
that encrypt with it on the stack's behalf may use it (besides IAM principals the account allows);
on dev, the later stages' deploy roles may decrypt models/ through S3 (documents/sharing.py).

The roles are named here by ARNs built from their names, not in their own IAM policies by the
key's ARN: KMS assigns that ARN at creation, so a role policy naming it would stay unknown in a
stack's first preview. A key policy may name only principals that exist, so the key is created
after the roles; the provider retries CreateKey while IAM propagates a new role (Terraform AWS
provider, internal/service/kms/key.go, resourceKeyCreate: waitIAMPropagation)."""

from __future__ import annotations

from typing import Any

from components.documents.arns import Arns
from components.documents.policy import document, statement
from components.documents.sharing import ModelConsumers, model_decrypt_statements
from ml.contract import ResourceNames

# Alarms and EventBridge rules publish to the encrypted topic; SNS uses the key with *their*
# permissions, so without this statement notifications fail silently.
NOTIFYING_SERVICES = ("cloudwatch.amazonaws.com", "events.amazonaws.com")
# Encrypt stays: a job given a key id or alias for its outputs needs it (CreateTrainingJob's
# OutputDataConfig.KmsKeyId documentation); nothing re-encrypts.
JOB_KEY_USE = ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey")


def key_policy(names: ResourceNames, consumers: ModelConsumers | None = None) -> dict[str, Any]:
    arns = Arns(names)
    # In a key policy "Resource": "*" means this key and nothing else.
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AccountAdministersKeyThroughIam",
            "Effect": "Allow",
            "Principal": {"AWS": arns.account_root},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "NotificationsToEncryptedTopic",
            "Effect": "Allow",
            "Principal": {"Service": list(NOTIFYING_SERVICES)},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            # Only on behalf of this account's alarms and rules (confused deputy).
            "Condition": {"StringEquals": {"aws:SourceAccount": names.account_id}},
        },
        _role_statement("ExecutionRoleUsesKey", arns.execution_role, list(JOB_KEY_USE)),
        # Jobs encrypt their ML storage volumes through grants SageMaker creates on the role's
        # behalf; without this a job fails only once it starts in the cloud.
        _role_statement(
            "ExecutionRoleGrantsForJobVolumes",
            arns.execution_role,
            ["kms:CreateGrant"],
            {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        ),
        # EventBridge Scheduler decrypts the schedule's encrypted target input as this role.
        _role_statement("SchedulerRoleReadsScheduleInput", arns.scheduler_role, ["kms:Decrypt"]),
        *model_decrypt_statements(consumers),
    ]
    return document(statements)


def _role_statement(
    sid: str, role_arn: str, actions: list[str], condition: dict[str, Any] | None = None
) -> dict[str, Any]:
    # In a key policy "Resource": "*" means this key and nothing else.
    return statement(sid, "Allow", actions, "*", condition, principal={"AWS": role_arn})
