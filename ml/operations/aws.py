"""Clients for a stack's account, refused when the credentials belong to another account."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ml.accounts import account_mismatch
from ml.contract import PROJECT
from ml.settings import Settings

ACCOUNT_KEY = f"{PROJECT}:accountId"


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
    problem = account_mismatch(
        settings.stage, settings.account_id, identity["Account"], identity["Arn"], ACCOUNT_KEY
    )
    if problem:
        raise WrongAccountError(problem)


def paged(client: Any, operation: str, items: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    """Every item of a listing, across pages (botocore's own paginator follows NextToken)."""
    for page in client.get_paginator(operation).paginate(**kwargs):
        yield from page.get(items, [])
