"""A small IAM policy evaluator for one identity policy: enough for the forms this project
writes (Action and Resource lists with wildcards; String/Arn Equals and Like, Bool and Null
conditions, single- or multi-valued). Explicit Deny wins, then any Allow, else implicit deny.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _like(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    if ignore_case:
        return fnmatch.fnmatchcase(value.lower(), pattern.lower())
    return fnmatch.fnmatchcase(value, pattern)


def _operator_holds(operator: str, expected: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    for key, wanted in expected.items():
        present = key in context
        if operator == "Null":
            if (str(wanted).lower() == "true") == present:
                return False
            continue
        if not present:
            return False
        values = [str(v) for v in _as_list(context[key])]
        patterns = [str(w) for w in _as_list(wanted)]
        if operator in ("StringEquals", "ArnEquals", "Bool"):
            ok = any(
                v.lower() == p.lower() if operator == "Bool" else v == p
                for v in values
                for p in patterns
            )
        elif operator in ("StringLike", "ArnLike"):
            ok = any(_like(p, v) for v in values for p in patterns)
        else:
            raise NotImplementedError(f"condition operator {operator}")
        if not ok:
            return False
    return True


def _applies(
    statement: Mapping[str, Any], action: str, resource: str, context: Mapping[str, Any]
) -> bool:
    if not any(_like(a, action, ignore_case=True) for a in _as_list(statement["Action"])):
        return False
    if not any(_like(r, resource) for r in _as_list(statement["Resource"])):
        return False
    conditions = statement.get("Condition") or {}
    return all(_operator_holds(op, expected, context) for op, expected in conditions.items())


def allowed(
    document: Mapping[str, Any],
    action: str,
    resource: str,
    context: Mapping[str, Any] | None = None,
) -> bool:
    context = context or {}
    matching = [s for s in document["Statement"] if _applies(s, action, resource, context)]
    if any(s["Effect"] == "Deny" for s in matching):
        return False
    return any(s["Effect"] == "Allow" for s in matching)
