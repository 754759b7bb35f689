"""The stack key's policy: the account administers it, and only the services that encrypt with
it on the stack's behalf (besides IAM principals the account allows) may use it."""

from __future__ import annotations

from typing import Any

from components.documents.arns import Arns
from components.documents.iam import VERSION
from ml.contract import ResourceNames

# Alarms and EventBridge rules publish to the encrypted topic; SNS uses the key with *their*
# permissions, so without this statement notifications fail silently.
NOTIFYING_SERVICES = ("cloudwatch.amazonaws.com", "events.amazonaws.com")


def key_policy(names: ResourceNames) -> dict[str, Any]:
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
    ]
    return {"Version": VERSION, "Statement": statements}
