"""Commands imported when named: each one named loads under its name, the help lists all,
and a name pointing at the wrong command is an internal error, not another command run."""

from __future__ import annotations

import click
import pytest

from reviewloop.cli.app import cli
from reviewloop.cli.lazy import LazyGroup


def test_every_command_loads_under_its_own_name() -> None:
    ctx = click.Context(cli)
    names = cli.list_commands(ctx)
    assert {"bench", "mcp", "tools", "spec", "report", "stats", "review"} <= set(names)
    assert names == sorted(names)
    for name in names:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name


def test_a_name_pointing_at_another_command_is_refused() -> None:
    group = LazyGroup("g", lazy={"stats": "reviewloop.cli.report_commands:report_cmd"})
    with pytest.raises(TypeError, match="is not the command 'stats'"):
        group.get_command(click.Context(group), "stats")
