"""The stack bucket's policy: TLS 1.2 or later only, for everyone, including the account; on dev,
reads of models/ by the later stages' deploy roles (documents/sharing.py)."""

from __future__ import annotations

from typing import Any

from components.documents.policy import document, statement
from components.documents.sharing import ModelConsumers, model_read_statements

MIN_TLS_VERSION = "1.2"


def bucket_policy(bucket_arn: str, consumers: ModelConsumers | None = None) -> dict[str, Any]:
    resources = [bucket_arn, f"{bucket_arn}/*"]
    conditions = {
        "DenyInsecureTransport": {"Bool": {"aws:SecureTransport": "false"}},
        "DenyOutdatedTls": {"NumericLessThan": {"s3:TlsVersion": MIN_TLS_VERSION}},
    }
    return document(
        [
            *(
                statement(sid, "Deny", "s3:*", resources, condition, principal="*")
                for sid, condition in conditions.items()
            ),
            *model_read_statements(consumers, bucket_arn),
        ]
    )
