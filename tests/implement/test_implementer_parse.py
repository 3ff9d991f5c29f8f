"""`--implementer cmd:...` whose command line does not parse (an unbalanced quote, a trailing
escape) is a config error naming the option (exit 2), never an internal error."""

from __future__ import annotations

import itertools
import shlex

import pytest

from reviewloop.errors import ConfigError, ExitCode
from reviewloop.implement.implementer import Implementer

_BROKEN = ('"', "'", "\\")  # what leaves a command line open
_AROUND = ("a", "my-agent --flag", " x y ", "")


def _variants() -> list[str]:
    cases = []
    for broken, before, after in itertools.product(_BROKEN, _AROUND, _AROUND):
        command = f"{before}{broken}{after}" if broken != "\\" else f"{before}{after}{broken}"
        cases.append(command)
    return sorted(set(cases))


def _splits(command: str) -> bool:
    """The oracle: the shell-like split the command tool uses."""
    try:
        shlex.split(command)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("command", _variants())
def test_a_command_line_that_does_not_split_is_a_config_error(command: str):
    if _splits(command) or not command.strip():
        pytest.skip("a command line that splits")
    with pytest.raises(ConfigError) as caught:
        Implementer.parse(f"cmd:{command}")
    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.where == "--implementer" and caught.value.fix


@pytest.mark.parametrize("command", ['"a b"', "a 'b c'", "a\\ b"])
def test_a_command_line_that_splits_is_kept(command: str):
    assert Implementer.parse(f"cmd:{command}").command == command
