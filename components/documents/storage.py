"""The stack bucket's policy: TLS 1.2 or later only, for everyone, including the account."""

from __future__ import annotations

from typing import Any

from components.documents.policy import document, statement

MIN_TLS_VERSION = "1.2"


def bucket_policy(bucket_arn: str) -> dict[str, Any]:
    resources = [bucket_arn, f"{bucket_arn}/*"]
    conditions = {
        "DenyInsecureTransport": {"Bool": {"aws:SecureTransport": "false"}},
        "DenyOutdatedTls": {"NumericLessThan": {"s3:TlsVersion": MIN_TLS_VERSION}},
    }
    return document(
        [
            statement(sid, "Deny", "s3:*", resources, condition, principal="*")
            for sid, condition in conditions.items()
        ]
    )
