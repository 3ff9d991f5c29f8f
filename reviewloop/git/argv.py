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

# of paths on one command line: well under Linux's 2 MB ARG_MAX (shared with the
# environment) and any other system's, whatever the machine's own limit
ARGV_BYTES = 256 * 1024


def batches(paths: Sequence[str], limit: int | None = None,
            argv: Callable[[str], str] = str) -> Iterator[list[str]]:
    """`paths` in order, in runs whose bytes on the command line (each `argv(path)` with its
    NUL) stay within `limit` (default `ARGV_BYTES`); a path longer than that alone is a
    batch of its own."""
    limit = ARGV_BYTES if limit is None else limit
    batch: list[str] = []
    size = 0
    for path in paths:
        text = argv(path)  # an ASCII name is as long in bytes (5,000 `fsencode`s a ruff)
        length = (len(text) if text.isascii() else len(os.fsencode(text))) + 1
        if batch and size + length > limit:
            yield batch
            batch, size = [], 0
        batch.append(path)
        size += length
    if batch:
        yield batch
