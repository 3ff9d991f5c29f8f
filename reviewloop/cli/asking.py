"""A question answered on one line at the terminal, read so that Ctrl-C ends it at once.

`input()` blocks in `read()`; a Ctrl-C that lands just before it (while the prompt is being
written) is noted by Python but acted on only once a line arrives, so the command seemed to
ignore it until Enter. Here the line is awaited with `select` in short slices, between which
Python runs its signal handlers.
"""

from __future__ import annotations

import select
import sys
import unicodedata
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
        refused = unfit(answer)
        if refused:
            click.echo(f"Error: {refused}; type the answer again.", err=True)
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
    raw = getattr(stream, "buffer", None)  # the bytes, so that bytes not UTF-8 are seen
    line = raw.readline() if raw is not None else stream.readline()
    if not line:
        raise EOFError
    if isinstance(line, bytes):
        line = line.decode("utf-8", errors="surrogateescape")
    return line.rstrip("\r\n")


def unfit(answer: str) -> str | None:
    """Why `answer` cannot be taken as typed, else None: bytes that are not UTF-8 (a
    Latin-1 terminal) would be stored altered, and control characters (a terminal's escape
    sequences) would be written raw into the spec and echoed to the next terminal."""
    bad = next((c for c in answer if "\udc80" <= c <= "\udcff"), None)
    if bad is not None:
        return (f"the answer is not UTF-8 text (byte 0x{ord(bad) - 0xDC00:02x}); set the "
                "terminal to UTF-8 (or convert it: `iconv -f latin1 -t utf-8`)")
    control = next((c for c in answer if unicodedata.category(c) == "Cc" and c != "\t"), None)
    if control is not None:
        return (f"the answer holds a control character ({control!r}: a terminal escape "
                "sequence, say), which a spec never holds")
    return None
