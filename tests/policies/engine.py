"""The policy pack driven the way the Pulumi engine drives a Python pack, over gRPC.

What it reproduces (pulumi 3.272, pulumi-policy 1.21):
- the start: `python -u -m pulumi.policy <engine address> <pack dir>` with the pack's folder as
  the working directory and PULUMI_PROJECT/PULUMI_STACK/PULUMI_DRY_RUN/PULUMI_ORGANIZATION set
  (pulumi `sdk/python/cmd/pulumi-language-python/main.go`, RunPlugin for policy packs; the
  module is `pulumi/policy/__main__.py`, which `runpy.run_path`s the folder, so the folder is
  first on `sys.path`). `PolicyPack(...)` serves the Analyzer on 127.0.0.1 and writes its port
  as the first line of stdout (`pulumi_policy/policy.py`), which the engine reads.
- the calls, in the engine's order: ConfigureStack, GetAnalyzerInfo, Configure (pack config),
  Analyze per resource, AnalyzeStack with every resource (`proto/pulumi/analyzer.proto`,
  `pkg/resource/plugin/analyzer_plugin.go`). Handshake is answered by the language host's
  proxy, not by the pack, so it is not sent here.
- the values: properties as a protobuf Struct, unknowns as the engine's sentinel string
  (`sdk/go/common/resource/plugin/rpc.go`, UnknownStringValue).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, plugin_pb2

from offline.policy_harness import engine_props
from offline.recorder import RecordedResource, StackGraph

# The engine's marker for a value it will only know after the update.
ENGINE_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
# The pack never calls back into the engine unless a policy logs; any address will do.
UNUSED_ENGINE_ADDRESS = "127.0.0.1:1"
PROGRAM_PROJECT = "ml-batch-pipeline"
LEVELS = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.DISABLED: "disabled",
    analyzer_pb2.REMEDIATE: "remediate",
}


@dataclass(frozen=True)
class Diagnostic:
    policy: str
    enforcement: str
    urn: str
    message: str


def struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    json_format.ParseDict(engine_props(value), message)
    return message


def _options(resource: RecordedResource) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(protect=resource.protect)


def _described(resource: RecordedResource) -> dict[str, Any]:
    """What every analyzer message says of a resource."""
    return {
        "type": resource.type,
        "properties": struct(resource.inputs),
        "urn": resource.urn,
        "name": resource.name,
        "options": _options(resource),
    }


def analyze_request(resource: RecordedResource) -> analyzer_pb2.AnalyzeRequest:
    return analyzer_pb2.AnalyzeRequest(**_described(resource))


def stack_resource(resource: RecordedResource) -> analyzer_pb2.AnalyzerResource:
    """AnalyzeStack's view adds the parent and the dependencies."""
    return analyzer_pb2.AnalyzerResource(
        **_described(resource),
        parent=resource.parent,
        dependencies=resource.dependencies,
        propertyDependencies={
            key: analyzer_pb2.AnalyzerPropertyDependencies(urns=urns)
            for key, urns in resource.property_dependencies.items()
        },
    )


class AnalyzerSession:
    """One running pack: what the engine would learn from it and what it reports."""

    def __init__(self, channel: grpc.Channel) -> None:
        self.stub = analyzer_pb2_grpc.AnalyzerStub(channel)

    def configure_stack(self, stack: str, tags: Mapping[str, str]) -> None:
        self.stub.ConfigureStack(
            analyzer_pb2.AnalyzerStackConfigureRequest(
                stack=stack, project=PROGRAM_PROJECT, organization="example-org", tags=tags
            )
        )

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        info: analyzer_pb2.AnalyzerInfo = self.stub.GetAnalyzerInfo(empty_pb2.Empty())
        return info

    def plugin_version(self) -> str:
        reply: plugin_pb2.PluginInfo = self.stub.GetPluginInfo(empty_pb2.Empty())
        return reply.version

    def configure(self, config: Mapping[str, Any]) -> None:
        """Pack config in the format of `--policy-pack-config` files."""
        policies = {}
        for name, value in config.items():
            level = value if isinstance(value, str) else value.get("enforcementLevel", "")
            properties = {} if isinstance(value, str) else dict(value)
            properties.pop("enforcementLevel", None)
            levels = {v: k for k, v in LEVELS.items()}
            policies[name] = analyzer_pb2.PolicyConfig(
                enforcementLevel=levels.get(level, analyzer_pb2.ADVISORY),
                properties=struct(properties),
            )
        self.stub.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig=policies))

    def analyze(self, graph: StackGraph) -> list[Diagnostic]:
        """Analyze for every resource, then AnalyzeStack, as a preview does."""
        # A resource policy's diagnostic without a URN is about the resource analyzed.
        replies = [(r.urn, self.stub.Analyze(analyze_request(r))) for r in graph.resources]
        request = analyzer_pb2.AnalyzeStackRequest(
            resources=[stack_resource(r) for r in graph.resources]
        )
        replies.append(("", self.stub.AnalyzeStack(request)))
        return [
            Diagnostic(d.policyName, LEVELS[d.enforcementLevel], d.urn or urn, d.message)
            for urn, reply in replies
            for d in reply.diagnostics
        ]


@contextmanager
def running_pack(pack_dir: Path, python: str = sys.executable) -> Iterator[AnalyzerSession]:
    """Starts the pack as the engine does and connects to the port it prints."""
    process = subprocess.Popen(
        [python, "-u", "-m", "pulumi.policy", UNUSED_ENGINE_ADDRESS, str(pack_dir)],
        cwd=pack_dir,
        env=os.environ
        | {
            "PULUMI_PROJECT": PROGRAM_PROJECT,
            "PULUMI_STACK": "prod",
            "PULUMI_DRY_RUN": "true",
            "PULUMI_ORGANIZATION": "example-org",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline().strip()
        if not first_line.isdigit():
            _, errors = process.communicate(timeout=10)
            raise RuntimeError(f"the pack did not print its port: {first_line!r}\n{errors}")
        with grpc.insecure_channel(f"127.0.0.1:{first_line}") as channel:
            grpc.channel_ready_future(channel).result(timeout=30)
            session = AnalyzerSession(channel)
            session.configure_stack("prod", {})
            yield session
    finally:
        process.kill()
        process.communicate(timeout=10)


def as_json(diagnostics: list[Diagnostic]) -> str:
    return json.dumps([d.__dict__ for d in diagnostics], indent=1)
