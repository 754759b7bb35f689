"""The pack started and driven as the engine does (see tests/policies/engine.py for the sources).

The in-process harness (offline/policy_harness.py) gives `make plan` its speed; these tests
check that the real entry point, the real server and the engine's wire format agree with it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from ml.contract import STAGES
from offline.policy_harness import PACK_DIR, run_pack
from offline.recorder import UNKNOWN, StackGraph, render_stack
from policies.guardrails import PACK_NAME, POLICIES
from tests.policies.engine import ENGINE_UNKNOWN, AnalyzerSession, as_json, running_pack, struct

# Starts the pack as its own process.
pytestmark = pytest.mark.slow

BUCKET_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"


def with_public_bucket(graph: StackGraph) -> tuple[StackGraph, str]:
    """A copy of the graph whose bucket no longer restricts public buckets, and that block's URN."""
    copied = copy.deepcopy(graph)
    (block,) = copied.of_type(BUCKET_ACCESS_BLOCK)
    block.inputs["restrictPublicBuckets"] = False
    return copied, block.urn


@pytest.fixture(scope="module")
def pack() -> Iterator[AnalyzerSession]:
    with running_pack(PACK_DIR) as session:
        yield session


def test_the_engine_learns_every_policy_with_its_enforcement(pack: AnalyzerSession) -> None:
    info = pack.info()
    assert info.name == PACK_NAME
    assert info.supportsConfig
    served = {p.name: p.enforcementLevel for p in info.policies}
    assert served == {
        p.name: (
            analyzer_pb2.MANDATORY
            if p.enforcement_level and p.enforcement_level.value == "mandatory"
            else analyzer_pb2.ADVISORY
        )
        for p in POLICIES
    }
    assert pack.plugin_version()


@pytest.mark.parametrize("stage", STAGES)
def test_every_stack_passes_over_the_wire_as_in_the_harness(
    pack: AnalyzerSession, graphs: dict[str, StackGraph], stage: str
) -> None:
    pack.configure({})
    diagnostics = pack.analyze(graphs[stage])
    assert diagnostics == [], as_json(diagnostics)
    assert run_pack(graphs[stage]).mandatory == []


def test_a_violation_reaches_the_engine_with_its_policy_level_and_urn(
    pack: AnalyzerSession, graphs: dict[str, StackGraph]
) -> None:
    graph, urn = with_public_bucket(graphs["prod"])
    pack.configure({})
    diagnostics = pack.analyze(graph)
    harness = run_pack(graph).mandatory
    assert {(d.policy, d.enforcement) for d in diagnostics} == {
        (f.policy, f.enforcement) for f in harness
    }
    assert [d.policy for d in diagnostics] == ["s3-public-access-block"]
    assert diagnostics[0].enforcement == "mandatory"
    assert diagnostics[0].urn == urn


def test_pack_config_in_the_engine_format_changes_the_level(
    pack: AnalyzerSession, graphs: dict[str, StackGraph]
) -> None:
    graph, _ = with_public_bucket(graphs["prod"])
    pack.configure({"s3-public-access-block": "advisory"})
    try:
        (diagnostic,) = pack.analyze(graph)
    finally:
        pack.configure({})
    assert (diagnostic.policy, diagnostic.enforcement) == ("s3-public-access-block", "advisory")


def test_unknowns_are_sent_as_the_engines_sentinel() -> None:
    """pulumi `sdk/go/common/resource/plugin/rpc.go`: UnknownStringValue."""
    assert UNKNOWN_STRING_VALUE == ENGINE_UNKNOWN
    assert struct({"a": UNKNOWN, "b": [UNKNOWN]})["b"][0] == ENGINE_UNKNOWN


def test_unknown_values_of_a_first_preview_do_not_fail_the_pack(
    pack: AnalyzerSession,
) -> None:
    preview = render_stack("prod", preview=True)
    pack.configure({})
    diagnostics = pack.analyze(preview)
    # The engine shows a policy that cannot decide as advisory "can't run ... during preview".
    assert all(d.enforcement == "advisory" for d in diagnostics), as_json(diagnostics)
    undecided = {d.policy for d in diagnostics}
    harness = run_pack(preview)
    assert harness.mandatory == []
    assert undecided == {f.policy for f in harness.findings if f.kind == "cannot check yet"}
    assert all("during preview" in d.message for d in diagnostics)
