"""Every command-line option says what it is for (`--help`), and every help text works."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from ml import cli
from offline import plan, policies, promotion


def parsers(root: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield root
    for action in root._actions:  # argparse keeps subcommands only here
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from parsers(sub)


ROOTS = {
    "python -m ml": cli.parser,
    "python -m offline.plan": plan.parser,
    "python -m offline.policies": policies.parser,
    "python -m offline.promotion": promotion.parser,
}


@pytest.mark.parametrize("command", list(ROOTS))
def test_every_option_has_a_description(command: str) -> None:
    for parser in parsers(ROOTS[command]()):
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:
                continue
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help, f"{parser.prog} {'/'.join(action.option_strings) or action.dest}"


@pytest.mark.parametrize("command", list(ROOTS))
def test_help_prints_and_exits_0(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        ROOTS[command]().parse_args(["--help"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: {command}")
