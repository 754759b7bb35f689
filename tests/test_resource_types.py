"""Adding a resource type to the stacks means saying, in each place below, what it needs
(docs/stacks.md, "Adding a resource type"). This test names every place a rendered type is
missing from, so none is found only when `pulumi up` or a policy trips over it."""

from __future__ import annotations

from bench.probes import PROGRAM_AWS_CLASSES
from bootstrap.provider_calls import PROVIDER_CALLS
from components.pipeline import TYPE_TOKEN
from components.replacements import REPLACED_BY
from offline.api_shapes import CALLS
from offline.mocks import COMPUTED_TYPES
from offline.recorder import StackGraph
from policies.guardrails.tags import TAGGED_TYPES
from tests.support.resource_types import aws_class, taggable


def rendered_types(every_rendering: list[StackGraph]) -> set[str]:
    return {r.type for graph in every_rendering for r in graph.resources} - {TYPE_TOKEN}


def test_every_rendered_type_is_known_in_every_place(every_rendering: list[StackGraph]) -> None:
    types = rendered_types(every_rendering)
    places = {
        "offline/mocks.py _COMPUTED (what the provider fills in)": COMPUTED_TYPES,
        "offline/api_shapes.py CALLS (its API requests, checked against botocore)": set(CALLS),
        "bootstrap/provider_calls.py PROVIDER_CALLS (the deploy role's actions)": set(
            PROVIDER_CALLS
        ),
        "components/replacements.py REPLACED_BY (what replaces it)": set(REPLACED_BY),
    }
    missing = {place: sorted(types - known) for place, known in places.items() if types - known}
    assert missing == {}


def test_the_tag_policy_covers_exactly_the_taggable_types(
    every_rendering: list[StackGraph],
) -> None:
    taggable_types = {token for token in rendered_types(every_rendering) if taggable(token)}
    assert set(TAGGED_TYPES) == taggable_types


def test_the_import_benchmark_loads_exactly_the_classes_the_program_uses(
    every_rendering: list[StackGraph],
) -> None:
    used: dict[str, set[str]] = {}
    for token in rendered_types(every_rendering):
        module, class_name = aws_class(token)
        used.setdefault(module, set()).add(class_name)
    assert {module: set(classes) for module, classes in PROGRAM_AWS_CLASSES.items()} == used
