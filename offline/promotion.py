"""What changes when a change is promoted dev -> preprod -> prod: only the rows that differ."""

from __future__ import annotations

import sys

from ml.contract import STAGES
from ml.settings import load_stack_settings
from offline.facts import parameter_rows, resource_rows, setting_rows
from offline.recorder import PROJECT_DIR, StackGraph, render_stack


def stage_rows(stage: str, graph: StackGraph) -> dict[str, str]:
    settings = load_stack_settings(PROJECT_DIR, stage)
    rows = {f"setting: {k}": v for k, v in setting_rows(settings).items()}
    rows.update({f"parameter: {k}": v for k, v in parameter_rows(graph).items()})
    rows.update({f"resources: {k}": v for k, v in resource_rows(graph).items()})
    kept = sorted(r.name for r in graph.resources if r.protect)
    rows["protected resources"] = ", ".join(kept) or "none"
    return rows


def promotion_diff(graphs: dict[str, StackGraph]) -> list[tuple[str, list[str]]]:
    """(label, value per stage) for every row whose value is not the same in all stages."""
    per_stage = {stage: stage_rows(stage, graph) for stage, graph in graphs.items()}
    labels = list(dict.fromkeys(label for rows in per_stage.values() for label in rows))
    diff = []
    for label in labels:
        values = [per_stage[stage].get(label, "-") for stage in graphs]
        if len(set(values)) > 1:
            diff.append((label, values))
    return diff


def format_table(stages: list[str], diff: list[tuple[str, list[str]]]) -> str:
    header = ["", *stages]
    rows = [header, *([label, *values] for label, values in diff)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> int:
    graphs = {stage: render_stack(stage) for stage in STAGES}
    counts = ", ".join(f"{stage} {len(graph.resources)}" for stage, graph in graphs.items())
    print(f"Rendered offline: {counts} resources. What differs between the stages:\n")
    print(format_table(list(STAGES), promotion_diff(graphs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
