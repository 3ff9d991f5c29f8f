"""Paths on a git command line, in batches no operating system refuses.

A change's names can pass ARG_MAX: 7,000 files in a deep folder are 2.4 MB of names, and
`execve` fails with E2BIG ("Argument list too long") before git starts. A command that reads
its paths from its input (`check-attr --stdin`) is given them there; one that cannot
(`ls-tree`) is run once per batch of at most `ARGV_BYTES` of paths, its outputs joined —
for commands whose output is one record a path, as theirs is.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence

_POINTER = 8  # bytes of the pointer to each word, which ARG_MAX counts too (64-bit)


def _room(arg_max: int | None) -> int:
    """Bytes of paths (with their NULs and pointers) one command line may hold: half the
    machine's ARG_MAX, the other half left to the environment and the command's own words,
    at most 1 MB; 256 KB where the system does not say. A change's 5,000 names in the head's
    export (~340 KB) are one ruff run a selection, not two (a second start ~8 ms of ruff's
    CPU)."""
    if not arg_max or arg_max < 0:
        return 256 * 1024
    return min(arg_max // 2, 1024 * 1024)


def _arg_max() -> int | None:
    try:
        return os.sysconf("SC_ARG_MAX")
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows), or no such name
        return None


# of paths on one command line (`_room`): Linux's 2 MB ARG_MAX gives 1 MB
ARGV_BYTES = _room(_arg_max())


def batches(paths: Sequence[str], limit: int | None = None,
            argv: Callable[[str], str] = str) -> Iterator[list[str]]:
    """`paths` in order, in runs whose bytes on the command line (each `argv(path)` with its
    NUL and its pointer) stay within `limit` (default `ARGV_BYTES`); a path longer than that
    alone is a batch of its own."""
    limit = ARGV_BYTES if limit is None else limit
    batch: list[str] = []
    size = 0
    for path in paths:
        text = argv(path)  # an ASCII name is as long in bytes (5,000 `fsencode`s a ruff)
        length = (len(text) if text.isascii() else len(os.fsencode(text))) + 1 + _POINTER
        if batch and size + length > limit:
            yield batch
            batch, size = [], 0
        batch.append(path)
        size += length
    if batch:
        yield batch
