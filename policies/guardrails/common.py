"""What every policy shares: metadata, the stage and approval mode read from tags, JSON props."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

STAGE_TAG = "stage"
APPROVAL_TAG = "model-approval"
PROD = "prod"
FRAMEWORK = "ml-batch-pipeline security rules"

ResourceCheck = Callable[[ResourceValidationArgs, ReportViolation], None]
StackCheck = Callable[[StackValidationArgs, ReportViolation], None]


@dataclass(frozen=True)
class Rule:
    """A policy's metadata. P0 rules are mandatory by default, P1 advisory; pack config can
    change either."""

    name: str
    description: str
    severity: Severity
    remediation: str
    controls: tuple[str, ...]
    priority: str = "P0"

    @property
    def enforcement(self) -> EnforcementLevel:
        return EnforcementLevel.MANDATORY if self.priority == "P0" else EnforcementLevel.ADVISORY

    def _common(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "enforcement_level": self.enforcement,
            "severity": self.severity,
            "remediation_steps": self.remediation,
            "framework": PolicyComplianceFramework(
                name=FRAMEWORK, reference=", ".join(self.controls)
            ),
            "tags": [self.priority, *self.controls],
        }

    def on(self, resource_types: Iterable[str], check: ResourceCheck) -> ResourceValidationPolicy:
        """A resource policy that runs `check` on the given Pulumi types only."""
        types = frozenset(resource_types)

        def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
            if args.resource_type in types:
                check(args, report)

        return ResourceValidationPolicy(validate=validate, **self._common())

    def stack(self, check: StackCheck) -> StackValidationPolicy:
        return StackValidationPolicy(validate=check, **self._common())


def of_type(resources: Iterable[PolicyResource], *types: str) -> list[PolicyResource]:
    return [r for r in resources if r.resource_type in types]


def tags_of(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """Tags set on the resource, or those the provider merged in (`tagsAll`)."""
    return props.get("tags") or props.get("tagsAll") or {}


def stage_of(props: Mapping[str, Any]) -> str:
    """The resource's stage; a resource that does not say is judged as prod."""
    return str(tags_of(props).get(STAGE_TAG) or PROD)


def approves_automatically(props: Mapping[str, Any]) -> bool:
    return tags_of(props).get(APPROVAL_TAG) == "automatic"


def json_prop(props: Mapping[str, Any], key: str) -> Any:
    """A JSON document input (policies, definitions); missing is None, a dict passes through."""
    value = props.get(key)
    if isinstance(value, str):
        return json.loads(value)
    return value


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return [value] if isinstance(value, str | dict) else list(value)


def statements(document: Any) -> list[dict[str, Any]]:
    if not document:
        return []
    return [dict(s) for s in as_list(document.get("Statement"))]


def violation(
    report: ReportViolation, name: str, problem: str, fix: str, urn: str | None = None
) -> None:
    """Every message names the resource, what is wrong and the fix."""
    report(f"{name}: {problem}. Fix: {fix}", urn)


def has_wildcard_principal(statement: Mapping[str, Any]) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        return any("*" in as_list(value) for value in principal.values())
    return False


# A value present in the inputs but only known after apply (a preview of a new resource).
AFTER_APPLY = object()


def peek(mapping: Mapping[str, Any], key: str) -> Any:
    """The value, None when absent, or AFTER_APPLY when a preview cannot know it yet.

    Presence checks use this, so an ARN that is set but not yet known passes instead of
    stopping the whole policy (the proxy raises on any access to an unknown value).
    """
    if key not in list(mapping):  # iterating keys never touches the values
        return None
    try:
        return mapping[key]
    except UnknownValueError:
        return AFTER_APPLY
