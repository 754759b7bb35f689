"""`make bench` ends with what was met, and says it only reports."""

from __future__ import annotations

import pytest

import bench.__main__ as bench


def test_the_summary_counts_the_goals_and_says_bench_only_reports(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bench, "RESULTS", [])
    assert bench.judge("local pipeline < 20 s", "11.5 s", met=True) == "met"
    assert bench.judge("inference 10,000 rows >= 0.70 of floor", "0.41", met=False) == "NOT met"
    lines = bench.summary().splitlines()
    assert lines[1] == "Summary"
    assert lines[3].split() == ["local", "pipeline", "<", "20", "s", "11.5", "s", "met"]
    assert lines[4].endswith("0.41          NOT met")
    assert lines[-1].startswith("1 of 2 goals met. `make bench` only reports (it exits 0")
