"""The stack bucket's policy: TLS 1.2 or later only, for everyone, including the account."""

from __future__ import annotations

from typing import Any

from components.documents.iam import VERSION

MIN_TLS_VERSION = "1.2"


def bucket_policy(bucket_arn: str) -> dict[str, Any]:
    resources = [bucket_arn, f"{bucket_arn}/*"]
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": resources,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "DenyOutdatedTls",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": resources,
                "Condition": {"NumericLessThan": {"s3:TlsVersion": MIN_TLS_VERSION}},
            },
        ],
    }
