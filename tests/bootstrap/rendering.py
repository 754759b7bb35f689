"""Rendering the bootstrap program under mocks, from its real stack files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from offline.mocks import AwsMocks, github_id
from offline.recorder import StackGraph, engine_config, render_program

BOOTSTRAP = Path(__file__).resolve().parents[2] / "bootstrap"
PROJECT = "ml-batch-pipeline-bootstrap"
ACCOUNTS = {"dev": "111111111111", "preprod": "222222222222", "prod": "333333333333"}
REPOSITORY = "example-org/ml-batch-pipeline"
ROLE = "aws:iam/role:Role"


def render(
    stage: str,
    caller: str | None = None,
    audiences: dict[str, list[str]] | None = None,
    **overrides: str,
) -> StackGraph:
    config = engine_config(BOOTSTRAP, stage)
    config |= {f"{PROJECT}:{key}": value for key, value in overrides.items()}
    mocks = AwsMocks(ACCOUNTS[stage], "eu-west-1", caller_account=caller, oidc_audiences=audiences)
    return render_program(BOOTSTRAP, PROJECT, stage, config, mocks)


def role(graph: StackGraph, name: str) -> dict[str, Any]:
    inputs = next(r.inputs for r in graph.of_type(ROLE) if r.inputs["name"] == name)
    return {**inputs, "assumeRolePolicy": json.loads(inputs["assumeRolePolicy"])}


def subjects(context: str) -> list[str]:
    """GitHub's two subject forms: by name (older repositories) and by immutable ids."""
    owner, name = REPOSITORY.split("/")
    ids = f"{owner}@{github_id(owner)}/{name}@{github_id(REPOSITORY)}"
    return [f"repo:{REPOSITORY}:{context}", f"repo:{ids}:{context}"]


def condition(trust: dict[str, Any]) -> dict[str, Any]:
    (statement,) = trust["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    conditions: dict[str, Any] = statement["Condition"]["StringEquals"]
    return conditions
