"""`make plan STACK=<stack>`: what `pulumi up` would create for a stack, rendered offline."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ml.argparsing import OneLineParser
from ml.contract import STAGES
from ml.settings import ConfigSourceError, SettingsError, load_stack_settings
from offline.facts import definition_steps, job_rows, parameter_rows, setting_rows
from offline.policy_harness import (
    CANNOT_CHECK,
    PolicyReport,
    describe_config,
    load_config,
    run_pack,
)
from offline.recorder import PROJECT_DIR, RecordedResource, StackGraph, render_stack
from offline.snapshot import snapshot_json


def resource_tree(graph: StackGraph) -> list[str]:
    """One line per resource, indented under its parent: type token, name, options."""
    children: dict[str, list[RecordedResource]] = {}
    for resource in graph.resources:
        children.setdefault(resource.parent, []).append(resource)
    recorded = {r.urn for r in graph.resources}
    roots = [r for r in graph.resources if r.parent not in recorded]
    lines = [f"pulumi:pulumi:Stack  {roots[0].parent_name}" if roots else "(no resources)"]

    def walk(resource: RecordedResource, prefix: str, *, last: bool) -> None:
        flags = [
            flag
            for flag, on in (
                ("protected", resource.protect),
                ("retained", resource.retain_on_delete),
            )
            if on
        ]
        suffix = f"  [{', '.join(flags)}]" if flags else ""
        lines.append(f"{prefix}{'└─ ' if last else '├─ '}{resource.type}  {resource.name}{suffix}")
        kids = sorted(children.get(resource.urn, []), key=lambda r: (r.type, r.name))
        for index, kid in enumerate(kids):
            walk(kid, prefix + ("   " if last else "│  "), last=index == len(kids) - 1)

    for index, root in enumerate(roots):
        walk(root, "", last=index == len(roots) - 1)
    return lines


def _section(title: str, rows: dict[str, str]) -> list[str]:
    width = max((len(label) for label in rows), default=0)
    return ["", title, *(f"  {label.ljust(width)}  {value}" for label, value in rows.items())]


def policy_lines(report: PolicyReport) -> list[str]:
    lines = [
        "",
        f"Policies ({len(report.policies)} in the pack): {len(report.passed)} passed, "
        f"{len(report.advisory)} advisory violations, {len(report.mandatory)} mandatory "
        f"violations, {len(report.of(CANNOT_CHECK))} cannot check yet",
    ]
    labelled = [
        *(("MANDATORY", f) for f in report.mandatory),
        *(("advisory", f) for f in report.advisory),
        *(("cannot check yet", f) for f in report.of(CANNOT_CHECK)),
    ]
    lines += [f"  [{label}] {f.policy}: {f.message}" for label, f in labelled]
    return lines


def render_plan(stack: str, graph: StackGraph, report: PolicyReport) -> str:
    settings = load_stack_settings(PROJECT_DIR, stack)
    lines = [
        f"Stack {stack}: {len(graph.resources)} resources in account {settings.account_id} "
        f"({settings.region}), rendered offline from Pulumi.{stack}.yaml",
        "",
        *resource_tree(graph),
        *_section("Settings", setting_rows(settings)),
        *_section(
            "Jobs a scheduled run starts (instance-hours: instances x max runtime x attempts)",
            job_rows(settings),
        ),
        *_section("Pipeline parameters (a scheduled run passes these)", parameter_rows(graph)),
        *_section("Pipeline steps", {str(i + 1): s for i, s in enumerate(definition_steps(graph))}),
        *_section("Stack outputs", {k: str(v) for k, v in graph.outputs.items()}),
        *policy_lines(report),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        graph = render_stack(args.stack, preview=args.preview)
        config = load_config(args.policy_config) if args.policy_config else {}
    except (SettingsError, ConfigSourceError, OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return _report(args, graph, config)


def parser() -> OneLineParser:
    parser = OneLineParser(prog="python -m offline.plan", description=__doc__)
    parser.add_argument("--stack", required=True, help=f"one of {', '.join(STAGES)}")
    parser.add_argument("--json", action="store_true", help="print the graph snapshot as JSON")
    parser.add_argument(
        "--policy-config", type=Path, help="pack config (JSON, the engine's format) to apply"
    )
    parser.add_argument(
        "--preview",
        action="store_true",
        help="render as the first preview of a new stack: every computed output unknown",
    )
    return parser


def _report(args: argparse.Namespace, graph: StackGraph, config: dict[str, Any]) -> int:
    if args.json:
        print(snapshot_json(graph))
        return 0
    report = run_pack(graph, config)
    if args.policy_config:
        print(describe_config(args.policy_config, config))
    print(render_plan(args.stack, graph, report))
    # A mandatory violation would stop `pulumi preview`/`up`; so it stops this too.
    return 1 if report.mandatory else 0


if __name__ == "__main__":
    sys.exit(main())
