"""A format's shortcut flag (`--json`, `--html`) given with a `--format` it contradicts is a
usage error naming both (exit 2), never the later one winning silently: `stats --json
--format text` printed text. Every command that has both is found from the CLI itself, and
each of its other formats is given with the flag, in either order; the flag with its own
format is no conflict."""

from __future__ import annotations

import json
import os
from itertools import product
from pathlib import Path

import click
import pytest

from reviewloop.cli.app import cli
from tests.support import warm_cli
from tests.support.review_cli import repo

SHORTCUT = "Same as --format "


def _flagged() -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(command, flag, its format, the command's --format choices) for every command with
    both a shortcut flag and a --format, read from the CLI's own commands."""
    found = []
    with click.Context(cli) as ctx:
        for name in cli.list_commands(ctx):
            command = cli.get_command(ctx, name)
            assert command is not None
            options = [p for p in command.params if isinstance(p, click.Option)]
            fmt = next((p for p in options if "--format" in p.opts), None)
            for flag in (p for p in options if (p.help or "").startswith(SHORTCUT)):
                assert fmt is not None and isinstance(fmt.type, click.Choice), (name, flag.opts)
                found.append((name, flag.opts[0], (flag.help or "")[len(SHORTCUT):].rstrip("."),
                              tuple(map(str, fmt.type.choices))))
    return found


FLAGGED = _flagged()


def test_the_commands_with_a_shortcut_flag_are_found() -> None:
    assert {(name, flag) for name, flag, _, _ in FLAGGED} >= {
        ("review", "--json"), ("plan", "--json"), ("bench", "--json"), ("stats", "--json"),
        ("report", "--html")}


@pytest.mark.parametrize(("name", "flag", "value", "choices"), FLAGGED)
def test_a_shortcut_flag_with_another_format_is_refused_naming_both(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, flag: str, value: str,
        choices: tuple[str, ...]) -> None:
    monkeypatch.chdir(repo(tmp_path))
    for other, flag_first in product((c for c in choices if c != value), (True, False)):
        args = [flag, "--format", other] if flag_first else ["--format", other, flag]
        with pytest.raises(click.UsageError) as refused:
            cli.main(args=[name, *args], prog_name="reviewloop", standalone_mode=False)
        assert refused.value.exit_code == 2
        assert refused.value.format_message() == (
            f"{flag} and --format {other} ask for two formats: {flag} is --format {value}; "
            "give one of them"), (name, args)


def test_stats_json_with_format_text_exits_2_and_with_format_json_prints_json(
        tmp_path: Path) -> None:
    root = repo(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "AWS_"))}
    refused = warm_cli.run(["stats", "--json", "--format", "text"], root, env=env, timeout=300)
    assert refused.returncode == 2 and refused.stdout == ""
    assert "--json and --format text ask for two formats" in " ".join(refused.stderr.split())
    agreed = warm_cli.run(["stats", "--format", "json", "--json"], root, env=env, timeout=300)
    assert agreed.returncode == 0, agreed.stderr
    assert isinstance(json.loads(agreed.stdout), dict)
