"""The README's commands run as written: every `make` target exists and every module command
parses (its `--help` works with the same words)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands_block() -> list[str]:
    block = README.split("## Commands", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_every_make_target_in_the_readme_exists() -> None:
    targets = set(re.findall(r"^([a-z-]+):.*## ", (ROOT / "Makefile").read_text(), re.M))
    used = set(re.findall(r"\bmake ([a-z-]+)", README))
    assert used <= targets, used - targets


@pytest.mark.parametrize("line", [c for c in commands_block() if c.startswith("uv run")])
def test_every_module_command_parses_as_written(line: str) -> None:
    words = shlex.split(line.split(">", 1)[0])[2:]  # drop `uv run`, keep `python -m ...`
    assert words[:2] == ["python", "-m"]
    module, *arguments = words[2:]
    # The subcommand (if any) with --help: parses the command as far as the README writes it.
    subcommand = [arguments[0]] if arguments and not arguments[0].startswith("-") else []
    result = subprocess.run(
        [sys.executable, "-m", module, *subcommand, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    options = {a.split("=")[0] for a in arguments if a.startswith("--")}
    assert all(option in result.stdout for option in options), (options, result.stdout)
