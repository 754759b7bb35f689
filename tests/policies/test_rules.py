"""Each policy on a compliant, a violating, a missing and an unknown input."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from offline.policy_harness import CANNOT_CHECK, VIOLATION, Finding, run_pack
from offline.recorder import UNKNOWN, StackGraph
from policies.guardrails import POLICIES
from tests.policies.cases import RESOURCE_CASES, STACK_CASES, Case

ALL_CASES = [*RESOURCE_CASES, *STACK_CASES]


@pytest.fixture(scope="module")
def stacks(
    graphs: dict[str, StackGraph],
    dev_with_log_groups: StackGraph,
    prod_from_registry: StackGraph,
) -> dict[str, StackGraph]:
    """The three stacks, dev with the opt-in log groups (for the log group policy) and prod in
    registry mode (for the promoted model's policies)."""
    return {**graphs, "dev-logs": dev_with_log_groups, "prod-registry": prod_from_registry}


def judge(graph: StackGraph, case: Case, inputs: dict[str, Any] | None) -> list[Finding]:
    """Run the case's policy over the stack with the case's resource replaced."""
    resources = [
        replace(
            recorded,
            inputs=inputs or recorded.inputs,
            protect=recorded.protect if case.protect is None else case.protect,
        )
        if recorded.name == case.resource_name
        else recorded
        for recorded in graph.resources
    ]
    report = run_pack(StackGraph(graph.stack, resources), only=[case.policy])
    return report.findings


def inputs_of(graph: StackGraph, case: Case) -> dict[str, Any]:
    found = [r for r in graph.resources if r.name == case.resource_name]
    assert found, f"{case.resource_name} is not in the {graph.stack} stack"
    return copy.deepcopy(found[0].inputs)


def test_every_policy_has_a_case() -> None:
    # The last has no resource in the stacks to mutate: tests/policies/test_role_permission_ways.py.
    covered = [c.policy for c in ALL_CASES] + [
        "stack-bucket-hardening-complete",
        "stack-role-inline-policies-declared",
    ]
    assert sorted(covered) == sorted(p.name for p in POLICIES)


@pytest.mark.parametrize("case", ALL_CASES, ids=str)
def test_the_component_resource_complies(stacks: dict[str, StackGraph], case: Case) -> None:
    graph = stacks[case.stack]
    assert judge(graph, replace(case, protect=None), None) == []


@pytest.mark.parametrize("case", ALL_CASES, ids=str)
def test_a_violation_names_the_resource_and_the_fix(
    stacks: dict[str, StackGraph], case: Case
) -> None:
    graph = stacks[case.stack]
    inputs = inputs_of(graph, case)
    case.violate(inputs)
    findings = judge(graph, case, inputs)
    assert findings, f"{case.policy} passed a violating {case.resource_name}"
    assert all(f.kind == VIOLATION for f in findings)
    messages = " | ".join(f.message for f in findings)
    assert case.expect in messages
    assert "Fix: " in messages
    named = case.resource_name if case in RESOURCE_CASES else "batch-inference-"
    assert all(f.message.startswith(named) for f in findings), messages


@pytest.mark.parametrize("case", ALL_CASES, ids=str)
def test_a_missing_property(stacks: dict[str, StackGraph], case: Case) -> None:
    graph = stacks[case.stack]
    inputs = inputs_of(graph, case)
    inputs.pop(case.key, None)
    findings = judge(graph, replace(case, protect=None), inputs)
    if case.missing_violates:
        assert [f.kind for f in findings] and all(f.kind == VIOLATION for f in findings)
        assert all("Fix: " in f.message for f in findings)
    else:
        assert [f for f in findings if f.kind in (VIOLATION, CANNOT_CHECK)] == []


@pytest.mark.parametrize("case", ALL_CASES, ids=str)
def test_an_unknown_value_is_not_a_verdict(stacks: dict[str, StackGraph], case: Case) -> None:
    graph = stacks[case.stack]
    inputs = inputs_of(graph, case)
    inputs[case.key] = UNKNOWN
    findings = judge(graph, replace(case, protect=None), inputs)
    # Either the policy could decide without the value, or it says it cannot check yet.
    assert all(f.kind == CANNOT_CHECK for f in findings), findings
    assert all(case.key in f.message for f in findings)


def test_a_bucket_without_its_hardening_fails_the_stack_policy(
    graphs: dict[str, StackGraph],
) -> None:
    graph = graphs["dev"]
    policy = "stack-bucket-hardening-complete"
    assert run_pack(graph, only=[policy]).findings == []
    for removed, label in (
        ("aws:s3/bucketVersioning:BucketVersioning", "versioning"),
        ("aws:s3/bucketPolicy:BucketPolicy", "TLS-only policy"),
        ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "public access block"),
    ):
        kept = [r for r in graph.resources if r.type != removed]
        (finding,) = run_pack(StackGraph("dev", kept), only=[policy]).findings
        assert finding.message.startswith("batch-inference-bucket: the bucket has no ")
        assert label in finding.message
        assert finding.urn.endswith("::batch-inference-bucket")
