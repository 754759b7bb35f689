"""Run the real Pulumi program under mocks and record every resource it registers.

The recorded graph (type token, name, parent, inputs, property dependencies, options) is what
`make plan`, the snapshots, the policy harness and the tests read. Config comes from the real
`Pulumi.<stack>.yaml` through the same settings loader the engine path uses.
"""

from __future__ import annotations

import json
import runpy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi

from ml.contract import PROJECT
from ml.settings import load_stack_settings
from ml.settings.sources import read_stack_file
from offline.internals import (
    Unknown,
    rpc,
    run_pulumi_func,
    runtime_mocks,
    runtime_settings,
    sync_await,
)
from offline.mocks import AwsMocks

PROJECT_DIR = Path(__file__).resolve().parent.parent
UNKNOWN = "<unknown>"
STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class RecordedResource:
    type: str
    name: str
    urn: str
    parent: str
    inputs: dict[str, Any]
    property_dependencies: dict[str, list[str]]
    dependencies: list[str]
    protect: bool
    retain_on_delete: bool
    custom: bool
    # The ID an `import_` option adopts, or "" for a resource the program creates.
    import_id: str = ""
    delete_before_replace: bool = False

    @property
    def parent_name(self) -> str:
        return self.parent.rsplit("::", 1)[-1] if self.parent else ""


@dataclass
class StackGraph:
    stack: str
    resources: list[RecordedResource] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    # The default AWS provider's inputs: the stack's `aws:` config (region, allowed accounts).
    aws_provider: dict[str, Any] = field(default_factory=dict)

    def of_type(self, token: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == token]

    def one(self, token: str, name: str | None = None) -> RecordedResource:
        found = [r for r in self.of_type(token) if name is None or r.name == name]
        if len(found) != 1:
            raise LookupError(f"{len(found)} resources of type {token} named {name!r}")
        return found[0]

    def unknown_inputs(self) -> list[str]:
        """Paths of inputs that were still unknown when registered (expected in previews)."""
        return [f"{r.name}.{path}" for r in self.resources for path in _unknown_paths(r.inputs)]


class RenderError(Exception):
    """The program stopped; `graph` holds what it had registered by then."""

    def __init__(self, error: BaseException, graph: StackGraph) -> None:
        super().__init__(str(error))
        self.error = error
        self.graph = graph


class RecordingMonitor(runtime_mocks.MockMonitor):
    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.recorded: list[RecordedResource] = []

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (the gRPC method name)
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != STACK_TYPE:
            self.recorded.append(_record(request, response.urn))
        return response


def _record(request: Any, urn: str) -> RecordedResource:
    inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
    return RecordedResource(
        type=request.type,
        name=request.name,
        urn=urn,
        parent=request.parent,
        inputs=_plain(inputs),
        property_dependencies={
            key: sorted(deps.urns) for key, deps in sorted(request.propertyDependencies.items())
        },
        dependencies=sorted(request.dependencies),
        protect=bool(request.protect),
        retain_on_delete=bool(request.retainOnDelete),
        custom=bool(request.custom),
        import_id=request.importId,
        delete_before_replace=bool(request.deleteBeforeReplace),
    )


def _plain(value: Any) -> Any:
    """JSON-ready values: unknowns become a marker, so a preview render can be inspected."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, pulumi.StringAsset):
        return value.text
    return str(value)


def _unknown_paths(value: Any, path: str = "") -> Iterator[str]:
    if value == UNKNOWN:
        yield path or "."
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unknown_paths(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unknown_paths(item, f"{path}[{index}]")


def engine_config(project_dir: Path, stack: str) -> dict[str, str]:
    """The stack file's config as the engine hands it over: every value a string."""
    return {
        key: value if isinstance(value, str) else json.dumps(value)
        for key, value in read_stack_file(project_dir, stack).items()
    }


def render_stack(
    stack: str,
    project_dir: Path = PROJECT_DIR,
    *,
    preview: bool = False,
    caller_account: str | None = None,
    config_overrides: dict[str, str] | None = None,
    before_program: Callable[[], None] | None = None,
    existing_log_groups: tuple[str, ...] = (),
) -> StackGraph:
    """Run the project's `__main__.py` for `stack` under mocks and return the recorded graph.

    `before_program` runs inside the mocked stack, just before the program: tests register
    stack transformations there. The mocks are installed before any config or resource exists.
    """
    settings = load_stack_settings(project_dir, stack)
    return render_program(
        project_dir,
        PROJECT,
        stack,
        {**engine_config(project_dir, stack), **(config_overrides or {})},
        AwsMocks(
            settings.account_id,
            settings.region,
            caller_account,
            preview=preview,
            log_groups=existing_log_groups,
        ),
        preview=preview,
        before_program=before_program,
    )


def render_program(
    program_dir: Path,
    project: str,
    stack: str,
    config: dict[str, str],
    mocks: pulumi.runtime.Mocks,
    *,
    preview: bool = False,
    before_program: Callable[[], None] | None = None,
) -> StackGraph:
    """Any Pulumi program under mocks, with the engine's config (every value a string)."""
    monitor = RecordingMonitor(mocks)
    runtime_settings.ROOT.set(None)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)
    pulumi.runtime.set_all_config(config)
    graph = StackGraph(stack)
    graph.aws_provider = {k.split(":", 1)[1]: v for k, v in config.items() if k.startswith("aws:")}

    def program() -> None:
        if before_program:
            before_program()
        runpy.run_path(str(program_dir / "__main__.py"), run_name="__main__")

    runtime_settings.SETTINGS.rpc_manager.clear()
    runtime_settings.SETTINGS.outputs.clear()
    try:
        sync_await(run_pulumi_func(program))
        graph.outputs = _stack_outputs()
    except Exception as error:
        graph.resources = sorted(monitor.recorded, key=lambda r: r.urn)
        raise RenderError(error, graph) from error
    graph.resources = sorted(monitor.recorded, key=lambda r: r.urn)
    return graph


def _stack_outputs() -> dict[str, Any]:
    root = runtime_settings.get_root_resource()
    outputs: dict[str, Any] = {}
    for name, value in sorted(getattr(root, "outputs", {}).items()):
        resolved = sync_await(pulumi.Output.from_input(value).future(with_unknowns=True))
        outputs[name] = _plain(resolved)
    return outputs
