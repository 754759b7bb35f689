"""What changes when a change is promoted dev -> preprod -> prod: only the rows that differ."""

from __future__ import annotations

import sys
from pathlib import Path

from components.documents.arns import Arns
from components.sdk import step_images
from ml.argparsing import OneLineParser
from ml.contract import PROJECT, STAGES, ResourceNames, Step
from ml.settings import Settings, build_settings, load_stack_settings
from ml.settings.sources import read_stack_file
from offline.facts import resource_rows, setting_rows
from offline.recorder import PROJECT_DIR, StackGraph, render_stack

WIDTH = 100


# The column of prod serving a model promoted from dev, as `ml promote-model` would set it.
REGISTRY_COLUMN = "prod/registry"


def stand_in_promotion(project_dir: Path) -> dict[str, str]:
    """prod's config after promoting version 1 of dev's registry (a stand-in package)."""
    dev = load_stack_settings(project_dir, "dev").names
    region = load_stack_settings(project_dir, "prod").region
    dev = ResourceNames(dev.project, dev.stage, dev.account_id, region)
    image = step_images(region)[-1]  # the XGBoost image the training pipeline serves with
    return {
        f"{PROJECT}:modelSource": "registry",
        f"{PROJECT}:modelPackageArn": Arns(dev).sagemaker(
            f"model-package/{dev.model_package_group}/1"
        ),
        f"{PROJECT}:modelDataUrl": (
            f"s3://{dev.bucket}/models/{dev.job_prefix(Step.TRAIN)}-stand-in/output/model.tar.gz"
        ),
        f"{PROJECT}:modelImageUri": image,
    }


def stage_rows(stage: str, graph: StackGraph) -> dict[str, str]:
    """The settings (the pipeline parameters a run passes follow from them, so they are not
    repeated), the resources by type, and how many resources are protected."""
    settings = graph_settings(stage)
    rows = {f"setting: {k}": v for k, v in setting_rows(settings).items()}
    rows.update({f"resources: {k}": v for k, v in resource_rows(graph).items()})
    rows["protected resources"] = str(sum(r.protect for r in graph.resources))
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


def format_table(stages: list[str], diff: list[tuple[str, list[str]]], width: int = WIDTH) -> str:
    """A table that fits `width` columns; rows with values too long for it follow as blocks."""
    label_width = max([len(label) for label, _ in diff] + [0])
    column = max((width - label_width - 2 * len(stages)) // max(len(stages), 1), 8)
    short = [(label, values) for label, values in diff if max(map(len, values)) <= column]
    long = [(label, values) for label, values in diff if max(map(len, values)) > column]
    header = ["", *stages]
    rows = [header, *([label, *values] for label, values in short)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    stage_width = max(map(len, stages))
    for label, values in long:
        lines.append("")
        lines.append(label)
        lines += [
            f"  {stage.ljust(stage_width)}  {value}"
            for stage, value in zip(stages, values, strict=True)
        ]
    return "\n".join(lines)


def graph_settings(column: str) -> Settings:
    if column == REGISTRY_COLUMN:
        raw = read_stack_file(PROJECT_DIR, "prod") | stand_in_promotion(PROJECT_DIR)
        return build_settings(raw, "Pulumi.prod.yaml with a stand-in promotion")
    return load_stack_settings(PROJECT_DIR, column)


def main(argv: list[str] | None = None) -> int:
    parser().parse_args(argv)
    graphs = {stage: render_stack(stage) for stage in STAGES}
    graphs[REGISTRY_COLUMN] = render_stack("prod", config_overrides=stand_in_promotion(PROJECT_DIR))
    counts = ", ".join(f"{stage} {len(graph.resources)}" for stage, graph in graphs.items())
    print(f"Rendered offline: {counts} resources.")
    print(f"What differs ({REGISTRY_COLUMN}: prod serving a stand-in package promoted from dev):\n")
    print(format_table(list(graphs), promotion_diff(graphs)))
    return 0


def parser() -> OneLineParser:
    return OneLineParser(prog="python -m offline.promotion", description=__doc__)


if __name__ == "__main__":
    sys.exit(main())
