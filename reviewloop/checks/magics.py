"""Which IPython magics run Python, and which Python: the cell magics whose cell body runs as
Python, and the line magics whose argument is a Python statement (IPython 8's own magics).

A magic decides what a notebook's cell runs, so it decides what an analyzer must read: the
body of `%%time` is Python like any cell's, the body of `%%bash` is shell no Python analyzer
reads. Options are read as IPython's parser reads them (getopt's letters, `-n10` or `-n 10`);
what follows them on the line is the statement.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Sequence

# cell magics that run their body as Python: {name: the options taking a value (getopt's
# letters, argparse's long names), or None when what follows the name is no statement}
_PYTHON_CELLS: dict[str, frozenset[str] | None] = {
    "time": None, "capture": None, "python": None, "python3": None, "pypy": None,
    "timeit": frozenset("nrp"),  # its line: options, then a setup statement
    "prun": frozenset("DlsT"),  # its line: options, then a statement run before the cell
    "debug": frozenset({"b", "--breakpoint"}),
}
# line magics whose argument, after options, is a Python statement they run
_PYTHON_LINES = {name: _PYTHON_CELLS[name] or frozenset() for name in ("timeit", "prun", "debug")}
_PYTHON_LINES["time"] = frozenset()  # no options: its whole argument is the statement
# %%script's own options that take a value; the program follows them
_SCRIPT_VALUES = frozenset({"--proc", "--out", "--err"})
_PYTHON_PROGRAM = re.compile(r"(?:python|pypy)(?:3(?:\.\d+)?)?")
_PYTHON_FLAGS = frozenset({"-u", "-B", "-O", "-OO", "-I", "-E", "-s", "-S", "-q"})
_LINE_MAGIC = re.compile(r"^(?P<indent>\s*)%(?P<name>\w+)(?:\s+(?P<rest>.*))?$")


def cell_magic(lines: Sequence[str]) -> tuple[tuple[int, str | None] | None, bool]:
    """The cell magic a cell starts with — (its line's index, the Python statement its line
    holds, if any) — and whether the cell's body runs as Python. IPython drops leading blank
    lines and the first line's indent before it looks for `%%`."""
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None or not lines[first].lstrip().startswith("%%"):
        return None, True
    name, _, args = lines[first].lstrip()[2:].rstrip().partition(" ")
    if name == "script":
        return (first, None), _runs_python(args)
    if name not in _PYTHON_CELLS:
        return (first, None), False
    values = _PYTHON_CELLS[name]
    return (first, None if values is None else _statement(args, values)), True


def lifted(line: str) -> str | None:
    """The Python statement a line magic runs (`%time f(x)` → `f(x)`, indent kept), or None."""
    match = _LINE_MAGIC.match(line)
    if match is None or match["name"] not in _PYTHON_LINES:
        return None
    rest = match["rest"] or ""
    statement = rest.strip() if match["name"] == "time" else \
        _statement(rest, _PYTHON_LINES[match["name"]])
    return f"{match['indent']}{statement}" if statement else None


def _statement(args: str, values: frozenset[str]) -> str | None:
    """What follows the options of `args` (`-n 10 -q f(x)` → `f(x)`), or None when nothing
    does. A lone `-` or a token not starting with `-` ends the options, as in getopt."""
    rest = args.lstrip()
    while rest.startswith("-") and len(rest) > 1 and not rest[1].isspace():
        token, _, after = rest.partition(" ")
        if token == "--":
            rest = after.lstrip()
            break
        takes = token in values if token.startswith("--") else _takes_value(token[1:], values)
        rest = after.lstrip()
        if takes:
            rest = rest.partition(" ")[2].lstrip()
    return rest or None


def _takes_value(letters: str, values: frozenset[str]) -> bool:
    """Whether a getopt token (`qn`, `n10`) ends by wanting the next token as its value."""
    for n, letter in enumerate(letters):
        if letter in values:
            return n == len(letters) - 1
    return False


def _runs_python(args: str) -> bool:
    """Whether `%%script ARGS` feeds the cell to a Python interpreter (`python3`, `pypy3 -u`,
    `--out o python`); Python 2 and an interpreter told to run something else do not count."""
    try:
        words = shlex.split(args)
    except ValueError:
        return False
    while words and words[0].startswith("--"):
        words = words[2:] if words[0] in _SCRIPT_VALUES else words[1:]
    return bool(words) and _PYTHON_PROGRAM.fullmatch(posixpath.basename(words[0])) is not None \
        and all(word in _PYTHON_FLAGS for word in words[1:])
