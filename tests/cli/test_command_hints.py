"""Every `reviewloop …` command line the package tells a user to type names a subcommand
(and sub-subcommand) the CLI has: an error's fix hint is useless when it names one that does
not exist."""

from __future__ import annotations

import ast
import re

import click
import pytest

from reviewloop.cli.app import cli
from reviewloop.errors import UserInputError
from reviewloop.github.commands import load_comment_event
from tests.support.paths import ROOT

# A command line in the text: in backticks, or after "run " with an option following.
_COMMAND = re.compile(r"`reviewloop ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)?)"
                      r"|\brun reviewloop ((?:[a-z][a-z-]*)(?: [a-z][a-z-]*)?) -")


def _exists(words: list[str]) -> bool:
    group: click.Command = cli
    for word in words:
        if not isinstance(group, click.Group):
            return True  # an argument of a leaf command (`reviewloop approve RUN`)
        found = group.get_command(click.Context(group), word)  # a lazy one loads here
        if found is None:
            return False
        group = found
    return True


def _command_lines() -> list[tuple[str, int, str]]:
    found = []
    for path in sorted((ROOT / "reviewloop").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found += [(str(path.relative_to(ROOT)), node.lineno, m[1] or m[2])
                          for m in _COMMAND.finditer(node.value)]
    return found


def test_every_command_line_in_the_package_names_a_real_subcommand() -> None:
    lines = _command_lines()
    assert len(lines) > 10  # the pattern does find the package's command lines
    assert [(p, n, c) for p, n, c in lines if not _exists(c.split())] == []


def test_the_comment_event_hint_names_review_github() -> None:
    with pytest.raises(UserInputError) as raised:
        load_comment_event({"GITHUB_EVENT_NAME": "issue_comment"})
    assert "`reviewloop review --github`" in str(raised.value.fix)
