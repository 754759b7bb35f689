"""Run every policy of the pack over a recorded stack graph, the way the engine hands them over.

Resource policies get each resource's inputs behind the policy SDK's unknown-checking proxy;
stack policies get every resource with its parent, dependencies and property dependencies as
resource objects. An unknown value (a preview) makes a policy say it cannot check yet, as the
engine does, instead of failing. Enforcement levels come from each policy, overridden by pack
config in the engine's format ({"policy-name": "advisory"} or {"policy-name": {...}}).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from ml.contract import PROJECT
from offline.internals import (
    UNKNOWN_STRING_VALUE,
    NotApplicableError,
    UnknownValueError,
    unknown_checking_proxy,
)
from offline.recorder import UNKNOWN, RecordedResource, StackGraph
from policies.guardrails import POLICIES

PACK_DIR = Path(__file__).resolve().parent.parent / "policies"
VIOLATION, CANNOT_CHECK, NOT_APPLICABLE = "violation", "cannot check yet", "not applicable"


@dataclass(frozen=True)
class Finding:
    policy: str
    enforcement: str
    kind: str
    message: str
    urn: str = ""


@dataclass
class PolicyReport:
    stack: str
    policies: list[str]
    findings: list[Finding] = field(default_factory=list)

    def of(self, kind: str, enforcement: str | None = None) -> list[Finding]:
        return [
            f
            for f in self.findings
            if f.kind == kind and (enforcement is None or f.enforcement == enforcement)
        ]

    @property
    def mandatory(self) -> list[Finding]:
        return self.of(VIOLATION, EnforcementLevel.MANDATORY.value)

    @property
    def advisory(self) -> list[Finding]:
        return self.of(VIOLATION, EnforcementLevel.ADVISORY.value)

    @property
    def passed(self) -> list[str]:
        flagged = {f.policy for f in self.findings if f.kind in (VIOLATION, CANNOT_CHECK)}
        return [name for name in self.policies if name not in flagged]


def enforcement_of(policy: Policy, config: Mapping[str, Any]) -> EnforcementLevel:
    override = config.get(policy.name)
    if isinstance(override, Mapping):
        override = override.get("enforcementLevel")
    if override:
        return EnforcementLevel(override)
    return policy.enforcement_level or EnforcementLevel.ADVISORY


def policy_config(policy: Policy, config: Mapping[str, Any]) -> dict[str, Any]:
    value = config.get(policy.name)
    if not isinstance(value, Mapping):
        return {}
    return {k: v for k, v in value.items() if k != "enforcementLevel"}


class PolicyConfigError(ValueError):
    pass


def describe_config(path: Path, config: Mapping[str, Any]) -> str:
    """One line saying which policies the pack config changed, and how."""
    changes = [f"{name} -> {enforcement_of_setting(value)}" for name, value in config.items()]
    return f"pack config {path.name}: {'; '.join(changes) or 'no changes'}"


def enforcement_of_setting(value: Any) -> str:
    if isinstance(value, Mapping):
        level = value.get("enforcementLevel")
        others = sorted(k for k in value if k != "enforcementLevel")
        return ", ".join(filter(None, [level, *(f"{k} set" for k in others)])) or "unchanged"
    return str(value)


def load_config(path: Path) -> dict[str, Any]:
    """Pack config in the engine's format; a name the pack does not have is an error (the
    engine would refuse it too), so a typo never silently leaves a policy as it was."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PolicyConfigError(f"{path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise PolicyConfigError(
            f"{path}: not JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    if not isinstance(document, dict):
        raise PolicyConfigError(f"{path}: must be a JSON object of policy name -> setting")
    known = {p.name for p in POLICIES}
    unknown = sorted(set(document) - known)
    if unknown:
        raise PolicyConfigError(
            f"{path}: no policy named {', '.join(unknown)} in the pack; "
            "allowed: the names `make policies` lists"
        )
    return dict(document)


def engine_props(value: Any) -> Any:
    """Recorded inputs with unknowns as the engine's sentinel, behind the SDK's proxy."""
    if value == UNKNOWN:
        return UNKNOWN_STRING_VALUE
    if isinstance(value, dict):
        return {key: engine_props(item) for key, item in value.items()}
    if isinstance(value, list):
        return [engine_props(item) for item in value]
    return value


def _options(resource: RecordedResource) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=resource.protect,
        ignore_changes=[],
        delete_before_replace=False,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
    )


def _policy_resource(
    recorded: RecordedResource, aws: PolicyProviderResource | None
) -> PolicyResource:
    props = unknown_checking_proxy(engine_props(recorded.inputs))
    options = _options(recorded)
    # The engine hands each resource its provider: the stack's default AWS provider here.
    provider = aws if recorded.type.startswith("aws:") else None
    return PolicyResource(
        recorded.type, props, recorded.urn, recorded.name, options, provider, None, [], {}
    )


def _default_aws_provider(graph: StackGraph) -> PolicyProviderResource:
    urn = f"urn:pulumi:{graph.stack}::{PROJECT}::pulumi:providers:aws::default"
    return PolicyProviderResource("pulumi:providers:aws", graph.aws_provider, urn, "default")


def _stack_resources(graph: StackGraph) -> list[PolicyResource]:
    aws = _default_aws_provider(graph)
    by_urn = {r.urn: _policy_resource(r, aws) for r in graph.resources}
    for recorded in graph.resources:
        resource = by_urn[recorded.urn]
        resource.parent = by_urn.get(recorded.parent)
        resource.dependencies = [by_urn[u] for u in recorded.dependencies if u in by_urn]
        resource.property_dependencies = {
            key: [by_urn[u] for u in urns if u in by_urn]
            for key, urns in recorded.property_dependencies.items()
        }
    return list(by_urn.values())


def run_pack(
    graph: StackGraph,
    config: Mapping[str, Any] | None = None,
    only: Sequence[str] | None = None,
) -> PolicyReport:
    """Every policy (or those named in `only`) over the graph."""
    config = config or {}
    selected = [p for p in POLICIES if only is None or p.name in only]
    report = PolicyReport(graph.stack, [p.name for p in selected])
    # Built once: resource policies read each one's props and options, stack policies the lot.
    resources = _stack_resources(graph)
    for policy in selected:
        level = enforcement_of(policy, config)
        if level != EnforcementLevel.DISABLED:
            _run_policy(report, policy, level, resources, policy_config(policy, config))
    return report


def _run_policy(
    report: PolicyReport,
    policy: Policy,
    level: EnforcementLevel,
    resources: list[PolicyResource],
    config: dict[str, Any],
) -> None:
    def record(message: str, urn: str | None = None) -> None:
        report.findings.append(Finding(policy.name, level.value, VIOLATION, message, urn or ""))

    if isinstance(policy, ResourceValidationPolicy):
        for resource in resources:
            args = ResourceValidationArgs(
                resource.resource_type,
                resource.props,
                resource.urn,
                resource.name,
                resource.opts,
                resource.provider,
                config,
            )
            _guarded(report, policy, level, lambda a=args: policy.validate(a, record))
    elif isinstance(policy, StackValidationPolicy):
        stack_args = StackValidationArgs(resources, config)
        _guarded(report, policy, level, lambda: policy.validate(stack_args, record))


def _guarded(report: PolicyReport, policy: Policy, level: EnforcementLevel, run: Any) -> None:
    try:
        run()
    except UnknownValueError as unknown:
        report.findings.append(
            Finding(policy.name, EnforcementLevel.ADVISORY.value, CANNOT_CHECK, unknown.message)
        )
    except NotApplicableError as not_applicable:
        report.findings.append(
            Finding(policy.name, level.value, NOT_APPLICABLE, not_applicable.message)
        )
