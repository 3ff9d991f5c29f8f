"""Which changed files of a commit are opaque data to the bench's SZZ (`history.fix_lines`):
git's own content test calls them binary and reviewloop reads no text in them.

A review diffs again as text a file git took for binary by a NUL byte when it is of a known
language or looks like text (`plaindiff.as_text`): `node` runs a `.js` file with a NUL in a
comment, and a config file with one NUL may hold a secret. SZZ labels lines a later fix
touched, and a "line" of opaque data (`data.bin`, no known signature, a few control bytes)
is no line a bug was written on: docs/bench.md names such a file "a binary file" and traces
none of it. Text reviewloop does read — a known language's file, UTF-16 or UTF-32 — is
still traced.
"""

from __future__ import annotations

from reviewloop.git.encodings import wide_encoding
from reviewloop.git.languages import BINARY_PROBE, by_name, language
from reviewloop.git.names import on_disk
from reviewloop.git.plaindiff import read_blob
from reviewloop.git.repository import Repository

BINARY = "a binary file: no lines to trace"


def opaque(repo: Repository, path: str, *revs: str) -> bool:
    """Whether `path` (a diff's text-form name) at any of `revs` is binary by git's test (a
    NUL in its first 8,000 bytes) and no text reviewloop reads (a known language's, UTF-16
    or UTF-32). A name of a known language is text without a read (most fixes' files)."""
    if by_name(path) is not None:
        return False
    for rev in revs:
        start = read_blob(repo.root, f"{rev}:{on_disk(path)}", ("-c", "core.quotePath=false"),
                          BINARY_PROBE)
        if b"\0" in start and language(path, start) is None and wide_encoding(start) is None:
            return True
    return False
