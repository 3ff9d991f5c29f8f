"""A question answered on one line at the terminal, read so that Ctrl-C ends it at once.

`input()` blocks in `read()`; a Ctrl-C that lands just before it (while the prompt is being
written) is noted by Python but acted on only once a line arrives, so the command seemed to
ignore it until Enter. Here the line is awaited with `select` in short slices, between which
Python runs its signal handlers.
"""

from __future__ import annotations

import select
import sys
from collections.abc import Sequence

import click

_SLICE = 0.2  # seconds between checks for a signal Python has noted


def ask(text: str, *, choices: Sequence[str] | None = None, default: str | None = None) -> str:
    """The answer (the default for an empty line; asked again while it is not one of
    `choices`, or empty with no default); EOFError at the end of the input."""
    shown = f"{text} [{default}]: " if default else f"{text}: "
    while True:
        answer = read_line(shown).strip() or default
        if answer is None:
            continue
        if choices is None or answer in choices:
            return answer
        click.echo(f"Error: {answer!r} is not one of "
                   f"{', '.join(repr(c) for c in choices)}.", err=True)


def read_line(prompt: str) -> str:
    """One line from stdin without its line ending; EOFError when there is none."""
    sys.stdout.write(prompt)
    sys.stdout.flush()
    stream = sys.stdin
    if stream.isatty():
        while not select.select([stream], [], [], _SLICE)[0]:
            pass
    line = stream.readline()
    if not line:
        raise EOFError
    return line.rstrip("\r\n")
