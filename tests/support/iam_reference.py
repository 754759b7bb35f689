"""Check IAM statements against AWS's Service Authorization Reference, offline.

policy_sentry ships the reference as a database: every action, the resource ARN formats it is
defined on, and the condition keys it supports. A statement that names an unknown action, a
resource the action is not defined on, or a condition key the action does not support is
reported; for Deny guard rails the last one is what matters, because a `Null` test on a key the
action lacks always matches and would deny the pipeline itself at run time.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from typing import Any

from policy_sentry.querying.actions import get_action_data, get_actions_for_service

# Keys every action supports (IAM global condition keys).
GLOBAL_PREFIX = "aws:"


@functools.cache
def _rows(action: str) -> tuple[dict[str, Any], ...]:
    service, name = action.split(":", 1)
    data = get_action_data(service, name) or {}
    return tuple(row for row in data.get(service, []) if row["action"].lower() == action.lower())


@functools.cache
def _service_actions(service: str) -> tuple[str, ...]:
    return tuple(get_actions_for_service(service))


def expand(action: str) -> list[str]:
    """`kms:GenerateDataKey*` -> every action it names; `svc:*` and `*` are expanded too."""
    if "*" not in action:
        return [action]
    service = action.split(":", 1)[0]
    return [a for a in _service_actions(service) if fnmatch.fnmatchcase(a.lower(), action.lower())]


def wildcard_only(action: str) -> bool:
    """AWS defines the action on no resource type: `Resource: "*"` is the only valid form."""
    return all(row["resource_arn_format"] == "*" for row in _rows(action))


def _arn_pattern(arn_format: str) -> re.Pattern[str]:
    parts = re.split(r"\$\{[^}]+\}", arn_format)
    # A placeholder stands for one ARN segment: it never spans a ":".
    return re.compile("^" + "[^:]+".join(re.escape(part) for part in parts) + "$", re.IGNORECASE)


def supports_key(action: str, key: str) -> bool:
    if key.lower().startswith(GLOBAL_PREFIX):
        return True
    for row in _rows(action):
        for supported in row["condition_keys"]:
            if supported.lower() == key.lower() or _arn_pattern(supported).match(key):
                return True
    return False


def resource_defined(action: str, resource: str) -> bool:
    if resource == "*":
        return True
    # Our own wildcards stand for name parts: a concrete character keeps formats comparable.
    concrete = resource.replace("*", "x")
    return any(
        _arn_pattern(row["resource_arn_format"]).match(concrete)
        for row in _rows(action)
        if row["resource_arn_format"] != "*"
    )


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _matches_when_missing(operator: str) -> bool:
    """`Null` and negated operators match a request that lacks the key."""
    return operator == "Null" or "Not" in operator


def _key_problems(statement: dict[str, Any], action: str, *, from_wildcard: bool) -> list[str]:
    problems = []
    for operator, keys in statement.get("Condition", {}).items():
        for key in keys:
            if supports_key(action, key):
                continue
            # A Deny over `svc:*` whose positive test an action cannot meet just does not
            # apply to that action; anything else changes what the statement means.
            if (
                statement["Effect"] == "Deny"
                and from_wildcard
                and not _matches_when_missing(operator)
            ):
                continue
            sid = statement.get("Sid", "<no Sid>")
            problems.append(f"{sid}: {action} does not support the condition key {key}")
    return problems


def statement_problems(statement: dict[str, Any], *, key_policy: bool = False) -> list[str]:
    """Everything in one statement that AWS's reference does not back."""
    problems: list[str] = []
    sid = statement.get("Sid", "<no Sid>")
    for pattern in _as_list(statement["Action"]):
        actions = expand(pattern)
        if not actions or not all(_rows(a) for a in actions):
            problems.append(f"{sid}: {pattern} is not an action AWS defines")
            continue
        for action in actions:
            problems += _key_problems(statement, action, from_wildcard="*" in pattern)
            if statement["Effect"] == "Allow" and not key_policy:
                problems += _resource_problems(sid, action, _as_list(statement["Resource"]))
    return problems


# Actions whose resource type AWS's own reference data does not agree on (the Service
# Authorization Reference names one, the SageMaker API authorises on another): "*" is the only
# grant that works under every reading.
DISPUTED_RESOURCE = {"sagemaker:listmodelpackages"}


def _resource_problems(sid: str, action: str, resources: list[str]) -> list[str]:
    problems = []
    for resource in resources:
        disputed = action.lower() in DISPUTED_RESOURCE
        if resource == "*" and not wildcard_only(action) and not disputed:
            problems.append(f"{sid}: {action} on Resource '*' although it can name a resource")
        elif not resource_defined(action, resource):
            problems.append(f"{sid}: {action} is not defined on {resource}")
    return problems


def policy_problems(document: dict[str, Any], *, key_policy: bool = False) -> list[str]:
    return [
        problem
        for statement in document["Statement"]
        for problem in statement_problems(statement, key_policy=key_policy)
    ]
