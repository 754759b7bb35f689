"""What the tests know about a pulumi-aws resource type, read from the SDK itself."""

from __future__ import annotations

import importlib
import inspect


def aws_class(token: str) -> tuple[str, str]:
    """(module, class) of a pulumi-aws token: `aws:s3/bucket:Bucket` -> ("s3", "Bucket")."""
    _, path, class_name = token.split(":")
    return path.split("/")[0], class_name


def taggable(token: str) -> bool:
    """Whether the pulumi-aws resource class accepts tags."""
    if not token.startswith("aws:"):
        return False
    module_name, class_name = aws_class(token)
    module = importlib.import_module(f"pulumi_aws.{module_name}")
    init = getattr(module, class_name)._internal_init
    return "tags" in inspect.signature(init).parameters
