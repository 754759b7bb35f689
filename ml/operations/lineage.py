"""A promotion only moves a stage forward: the commit to deploy must descend from the one the
stage runs now, so an older run approved late can never overwrite a newer one.

The Pulumi CLI records the checked-out commit of every update in its metadata as `git.head`
(pulumi `pkg/backend/display`/`pkg/cmd/pulumi/metadata.go`, `addGitMetadata`), which
`pulumi stack history --json` returns under `Environment` (read by delivery.stack_history).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

GIT_HEAD = "git.head"


class LineageError(RuntimeError):
    pass


class UpdateRecord(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def result(self) -> str | None: ...
    @property
    def environment(self) -> Mapping[str, str] | None: ...


@dataclass(frozen=True)
class Verdict:
    deployed: str | None
    candidate: str

    @property
    def first_deployment(self) -> bool:
        return self.deployed is None


def last_deployed_commit(history: Iterable[UpdateRecord]) -> str | None:
    """The commit of the newest successful update (history comes newest first)."""
    for update in history:
        if update.kind == "update" and update.result == "succeeded":
            head = (update.environment or {}).get(GIT_HEAD)
            if head:
                return head
    return None


def is_ancestor(repository: Path, ancestor: str, commit: str) -> bool:
    """`git merge-base --is-ancestor`: exit 0 yes, 1 no, anything else an error."""
    result = subprocess.run(
        [_git(), "merge-base", "--is-ancestor", ancestor, commit],
        cwd=repository,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode in (0, 1):
        return result.returncode == 0
    raise LineageError(
        f"cannot compare {ancestor[:12]} with {commit[:12]}: {result.stderr.strip()} "
        "(the checkout needs the whole history: actions/checkout with fetch-depth: 0)"
    )


def check(repository: Path, history: Iterable[UpdateRecord], candidate: str) -> Verdict:
    deployed = last_deployed_commit(history)
    verdict = Verdict(deployed, candidate)
    if deployed is not None and not is_ancestor(repository, deployed, candidate):
        raise LineageError(
            f"refusing to deploy {candidate[:12]}: the stage runs {deployed[:12]}, which is not "
            "an ancestor of it (a newer change is already deployed there, or this commit is not "
            "on the promoted branch)"
        )
    return verdict


def head_commit(repository: Path) -> str:
    return subprocess.run(
        [_git(), "rev-parse", "HEAD"], cwd=repository, capture_output=True, text=True, check=True
    ).stdout.strip()


def _git() -> str:
    """git by its full path: the check must not run whatever a working directory provides."""
    found = shutil.which("git")
    if found is None:
        raise LineageError("git is not on PATH; the lineage check compares commits with it")
    return found
