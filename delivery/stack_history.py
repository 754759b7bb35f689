"""A stack's update history, read through Pulumi's Automation API, for the lineage check
(ml.operations.lineage) that `python -m ml lineage` runs before a promotion."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def stack_history(stack_name: str, work_dir: Path) -> list[Any]:
    """The stack's update history through the Automation API, on the CLI release of the SDK
    the lock pins (installed under ~/.pulumi/versions/ when missing)."""
    from pulumi import automation

    command = automation.PulumiCommand.install()
    stack = automation.select_stack(
        stack_name=stack_name,
        work_dir=str(work_dir),
        opts=automation.LocalWorkspaceOptions(pulumi_command=command),
    )
    return list(stack.history(page_size=20))
