from __future__ import annotations

from pathlib import Path

import pytest

from ml.contract import STAGES
from offline.plan import main, resource_tree
from offline.promotion import format_table, promotion_diff
from offline.recorder import StackGraph, render_stack
from policies.guardrails import POLICIES


def test_the_tree_puts_every_resource_under_the_component(graphs: dict[str, StackGraph]) -> None:
    lines = resource_tree(graphs["prod"])
    assert lines[0] == "pulumi:pulumi:Stack  ml-batch-pipeline-prod"
    assert lines[1] == "└─ ml-batch-pipeline:index:BatchInferencePipeline  batch-inference"
    assert len(lines) == len(graphs["prod"].resources) + 1
    assert "   ├─ aws:s3/bucket:Bucket  batch-inference-bucket  [protected, retained]" in lines


def test_plan_shows_settings_parameters_and_schedule(
    capsys: pytest.CaptureFixture[str], graphs: dict[str, StackGraph]
) -> None:
    assert main(["--stack", "prod"]) == 0
    text = capsys.readouterr().out
    # Counted as `pulumi up` counts them: the component too.
    count = len(graphs["prod"].resources)
    assert f"Stack prod: {count} resources in account 333333333333 (eu-west-1)" in text
    assert "  TrainingInstanceType     ml.m5.2xlarge" in text
    assert "  schedule                     cron(0 2 * * ? *) (Europe/London)" in text
    assert (
        "  missed-run alarm             after 26 hours without a start"
        " (quiet for that long after each update)"
    ) in text
    assert "  protected and retained       yes" in text
    pack = len(POLICIES)
    summary = f"Policies ({pack} in the pack): {pack} passed, 0 advisory violations, 0 mandatory"
    assert summary in text


def test_an_unknown_stack_is_named_with_the_ones_that_exist(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--stack", "staging"]) == 2
    assert "no stack file Pulumi.staging.yaml; stacks here: dev, preprod, prod" in (
        capsys.readouterr().err
    )


def test_promotion_diff_lists_only_what_differs(graphs: dict[str, StackGraph]) -> None:
    diff = dict(promotion_diff(graphs))
    assert diff["setting: schedule state"] == ["enabled", "disabled", "enabled"]
    assert diff["setting: transform"] == ["ml.m5.large x 1", "ml.m5.xlarge x 2", "ml.m5.xlarge x 4"]
    assert diff["setting: protected and retained"] == ["no (destroyable)"] * 2 + ["yes"]
    assert diff["resources: BucketObjectv2"] == ["6", "6", "4"]
    kept = [str(sum(r.protect for r in graphs[s].resources)) for s in STAGES]
    assert diff["protected resources"] == kept
    # Same everywhere, so not shown; parameters follow the settings, so never repeated.
    assert "setting: region" not in diff
    assert not [label for label in diff if label.startswith("parameter:")]


def test_the_promotion_diff_fits_a_terminal(graphs: dict[str, StackGraph]) -> None:
    table = format_table(list(STAGES), promotion_diff(graphs))
    assert max(map(len, table.splitlines())) <= 100
    assert table.splitlines()[0].split() == list(STAGES)
    # A value too long for a column is shown whole, under its label.
    uri = "s3://example-prod-data-333333333333/abalone/training/abalone.csv"
    assert f"  prod     {uri}" in table.splitlines()


def test_a_mandatory_violation_makes_plan_fail(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from offline import plan
    from offline.policy_harness import VIOLATION, Finding, PolicyReport

    def failing(graph: StackGraph, config: object = None) -> PolicyReport:
        report = PolicyReport(graph.stack, ["s3-tls-only"])
        message = "batch-inference-bucket-policy: no TLS. Fix: deny it"
        report.findings.append(Finding("s3-tls-only", "mandatory", VIOLATION, message))
        return report

    monkeypatch.setattr(plan, "run_pack", failing)
    assert plan.main(["--stack", "dev"]) == 1
    out = capsys.readouterr().out
    assert "[MANDATORY] s3-tls-only: batch-inference-bucket-policy: no TLS. Fix: deny it" in out
    assert "0 passed, 0 advisory violations, 1 mandatory violations" in out


def test_the_promotion_diff_shows_prod_serving_a_promoted_model(
    graphs: dict[str, StackGraph], project_dir: Path
) -> None:
    from offline import promotion

    overrides = promotion.stand_in_promotion(project_dir)
    # The stand-in is what promote-model would write: the settings accept it as it is.
    settings = promotion.graph_settings(promotion.REGISTRY_COLUMN)
    assert settings.promoted_model is not None
    assert settings.promoted_model.package_arn == overrides["ml-batch-pipeline:modelPackageArn"]
    columns = {
        **graphs,
        promotion.REGISTRY_COLUMN: render_stack("prod", config_overrides=overrides),
    }
    diff = dict(promotion.promotion_diff(columns))
    assert diff["setting: jobs a run starts"][-1] == "1 (transform)"
    assert diff["setting: training"][-1].endswith("(unused)")
    assert diff["resources: Model"] == ["-", "-", "-", "1"]
    table = promotion.format_table(list(columns), list(diff.items()))
    assert max(map(len, table.splitlines())) <= 100


def test_the_plan_lists_each_job_a_run_starts_with_its_bound(project_dir: Path) -> None:
    from ml.settings import build_settings, load_stack_settings
    from ml.settings.sources import read_stack_file
    from offline.facts import job_rows
    from tests.support.promotion import REGISTRY_MODE

    prod = load_stack_settings(project_dir, "prod")
    # prod: 7200 s per job, 1 + 5 retries; a transform has no stopping condition.
    assert job_rows(prod) == {
        "Preprocess": "processing ml.m5.xlarge x 1, at most 12 instance-hours",
        "Train": "training ml.m5.2xlarge x 1, at most 12 instance-hours",
        "Evaluate": "processing ml.m5.xlarge x 1, at most 12 instance-hours",
        "Transform": "transform ml.m5.xlarge x 4, no bound (a transform job has no stopping "
        "condition)",
    }
    registry = build_settings(read_stack_file(project_dir, "prod") | REGISTRY_MODE, "test")
    assert list(job_rows(registry)) == ["Transform"]
