"""The RUN instructions of a Dockerfile that no shell runs: those under a `SHELL` naming
another program.

`SHELL ["python3", "-c"]` makes `docker build` run each later RUN of the stage (in shell form)
as `python3 -c "<the RUN's text>"`: Python code. hadolint hands every RUN to shellcheck as
sh, which answers nonsense on it (`SC2239`) or a parse error shown as a finding, and no
Python, JavaScript or Perl analyzer reads it. Such RUNs are found here, by their first line,
with the program that runs them, so that `hadolint` names them as not analysed and drops
shellcheck's answers on them. A `SHELL` of a shell shellcheck refuses (zsh, fish, csh) is
left to its SC1071 (`hadolint._unchecked_runs`); each `FROM` starts a stage with the default
shell again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from reviewloop.checks.analyzers.dockerfile_lines import instruction_ends
from reviewloop.git.languages import SHELLS, by_shebang


def foreign_runs(lines: Sequence[str]) -> dict[int, str]:
    """The first line (from 1) of each shell-form RUN of the Dockerfile `lines` under a
    `SHELL` whose program is no shell, → that `SHELL`'s command as written (`python3 -c`)."""
    ends = instruction_ends(lines)
    program: list[str] | None = None  # the stage's SHELL; None: the default, /bin/sh -c
    found: dict[int, str] = {}
    for first in sorted(ends):
        text = " ".join(line.rstrip("\\").strip() for line in lines[first - 1:ends[first]])
        word, _, rest = text.partition(" ")
        keyword = word.upper()
        if keyword == "FROM":
            program = None
        elif keyword == "SHELL":
            program = _command(rest)
        elif keyword == "RUN" and program and not _exec_form(rest) and not _a_shell(program):
            found[first] = " ".join(program)
    return found


def _command(rest: str) -> list[str] | None:
    """A `SHELL` instruction's JSON array (None when it is none: Docker refuses it)."""
    try:
        value = json.loads(rest.strip())
    except ValueError:
        return None
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    return None


def _exec_form(rest: str) -> bool:
    """Whether a RUN's arguments (past its `--mount=…` flags) are the exec form: a JSON array
    no shell is given."""
    words = rest.strip()
    while words.startswith("--"):
        words = words.partition(" ")[2].lstrip()
    return _command(words) is not None


def _a_shell(program: list[str]) -> bool:
    """Whether `program` is a shell, one shellcheck reads or one it refuses (SC1071)."""
    return by_shebang(("#!" + " ".join(program)).encode()) in SHELLS
