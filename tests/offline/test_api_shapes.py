"""Every resource of the three stacks, as the API calls that create it, passes AWS's request
shapes (offline/api_shapes.py has the table and the checks)."""

from __future__ import annotations

import pytest

from offline.api_shapes import CALLS, calls_for, problems
from offline.recorder import StackGraph


def test_every_resource_passes_the_api_shapes(every_rendering: list[StackGraph]) -> None:
    found = [
        f"{graph.stack} {resource.name} {operation}: {problem}"
        for graph in every_rendering
        for resource in graph.resources
        if resource.type in CALLS
        for service, operation, params in calls_for(resource.type, resource.inputs)
        for problem in problems(service, operation, params)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("token", "change", "expected"),
    [
        (
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            {"comparisonOperator": "Below"},
            "'Below' is not one of",
        ),
        (
            "aws:cloudwatch/metricAlarm:MetricAlarm",
            {"alarmDescription": "x" * 1025},
            "1025 characters; at most 1024",
        ),
        ("aws:kms/key:Key", {"deletionWindowInDays": 366}, "366 is above 365"),
        ("aws:scheduler/schedule:Schedule", {"name": "has space"}, "does not match"),
        ("aws:iam/role:Role", {"maxSessionDuration": 60}, "valid min value: 3600"),
    ],
)
def test_the_oracle_refuses_what_aws_would(
    graphs: dict[str, StackGraph], token: str, change: dict[str, object], expected: str
) -> None:
    resource = graphs["prod"].of_type(token)[0]
    inputs = {**resource.inputs, **change}
    found = [p for s, o, params in calls_for(token, inputs) for p in problems(s, o, params)]
    assert any(expected in p for p in found), found
