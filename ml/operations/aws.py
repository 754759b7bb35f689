"""Clients for a stack's account, refused when the credentials belong to another account."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ml.settings import Settings


class WrongAccountError(RuntimeError):
    pass


@dataclass(frozen=True)
class StackClients:
    sagemaker: Any
    sts: Any


def stack_clients(settings: Settings) -> StackClients:
    import boto3

    session = boto3.Session(region_name=settings.region)
    return StackClients(session.client("sagemaker"), session.client("sts"))


def check_account(settings: Settings, sts: Any) -> None:
    """The same guard as the program's: never act on another account's pipeline."""
    identity = sts.get_caller_identity()
    if identity["Account"] != settings.account_id:
        raise WrongAccountError(
            f"stack '{settings.stage}' lives in account {settings.account_id}, but the "
            f"credentials in use ({identity['Arn']}) belong to account {identity['Account']}"
        )


def paged(client: Any, operation: str, items: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every item of a listing, across pages (botocore's own paginator follows NextToken)."""
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(items, [])
