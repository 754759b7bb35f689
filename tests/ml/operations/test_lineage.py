"""The promotion guard on a real (throw-away) git history and update records shaped like
`pulumi stack history --json` (the Automation API's UpdateSummary)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ml.operations.lineage import LineageError, check, last_deployed_commit


@dataclass
class Update:
    kind: str
    result: str | None
    environment: dict[str, str] = field(default_factory=dict)


def git(repository: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repository, capture_output=True, text=True, check=True
    ).stdout.strip()


def commit(repository: Path, message: str) -> str:
    git(repository, "commit", "--allow-empty", "-q", "-m", message)
    return git(repository, "rev-parse", "HEAD")


@pytest.fixture
def history(tmp_path: Path) -> dict[str, str]:
    """main: a -> b -> c, and a branch from a: x (never merged)."""
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "ci@example.org")
    git(tmp_path, "config", "user.name", "ci")
    commits = {"a": commit(tmp_path, "a"), "b": commit(tmp_path, "b")}
    commits["c"] = commit(tmp_path, "c")
    git(tmp_path, "checkout", "-q", "-b", "side", commits["a"])
    commits["x"] = commit(tmp_path, "x")
    git(tmp_path, "checkout", "-q", "main")
    return commits | {"repo": str(tmp_path)}


def deployed(sha: str) -> list[Update]:
    """Newest first, as the CLI lists them: a failed update and a preview after the success."""
    return [
        Update("update", "failed", {"git.head": "f" * 40}),
        Update("preview", "succeeded", {"git.head": "e" * 40}),
        Update("update", "succeeded", {"git.head": sha}),
    ]


def test_the_newest_successful_update_is_what_the_stage_runs() -> None:
    assert last_deployed_commit(deployed("b" * 40)) == "b" * 40
    assert last_deployed_commit([Update("update", "succeeded", {})]) is None
    assert last_deployed_commit([]) is None


def test_a_descendant_is_promoted(history: dict[str, str]) -> None:
    verdict = check(Path(history["repo"]), deployed(history["b"]), history["c"])
    assert (verdict.deployed, verdict.first_deployment) == (history["b"], False)


def test_redeploying_the_same_commit_is_allowed(history: dict[str, str]) -> None:
    check(Path(history["repo"]), deployed(history["c"]), history["c"])


def test_an_older_commit_never_overwrites_a_newer_one(history: dict[str, str]) -> None:
    with pytest.raises(LineageError, match="is not an ancestor"):
        check(Path(history["repo"]), deployed(history["c"]), history["b"])


def test_a_commit_off_the_promoted_line_is_refused(history: dict[str, str]) -> None:
    with pytest.raises(LineageError, match="refusing to deploy"):
        check(Path(history["repo"]), deployed(history["b"]), history["x"])


def test_a_first_deployment_has_nothing_to_descend_from(history: dict[str, str]) -> None:
    assert check(Path(history["repo"]), [], history["a"]).first_deployment


def test_a_shallow_checkout_says_it_needs_the_history(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "ci@example.org")
    git(tmp_path, "config", "user.name", "ci")
    head = commit(tmp_path, "only")
    with pytest.raises(LineageError, match="fetch-depth: 0"):
        check(tmp_path, deployed("d" * 40), head)


def test_the_command_refuses_with_one_line_and_exit_1(
    history: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from delivery import stack_history
    from ml import cli

    repository = Path(history["repo"])
    git(repository, "checkout", "-q", history["b"])
    monkeypatch.setattr(stack_history, "stack_history", lambda *_: deployed(history["c"]))
    code = cli.main(
        ["lineage", "--stack-name", "o/ml-batch-pipeline/prod", "--project-dir", str(repository)]
    )
    assert code == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: refusing to deploy {history['b'][:12]}")


def test_the_command_names_the_commit_it_moves_from(
    history: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from delivery import stack_history
    from ml import cli

    monkeypatch.setattr(stack_history, "stack_history", lambda *_: deployed(history["b"]))
    code = cli.main(
        ["lineage", "--stack-name", "o/ml-batch-pipeline/prod", "--project-dir", history["repo"]]
    )
    assert code == 0
    assert capsys.readouterr().out == (
        f"o/ml-batch-pipeline/prod: {history['c'][:12]} descends from {history['b'][:12]}\n"
    )
