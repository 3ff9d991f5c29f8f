"""Git LFS pointers: the few lines git holds in place of a file LFS stores elsewhere.

Where the LFS objects are not fetched (a CI checkout without `lfs: true`, a clone without
git-lfs, every commit's blob), the file reads as its pointer: `version …`, `oid sha256:…`,
`size …`. Its content, a `.env` or a script, was never there to read. A pointer is known
by git-lfs's own format (its specification: keys sorted, `version` first, under 1,024
bytes), not by the attributes that route a path through LFS: an export of a commit and a
pointer committed by hand read the same.
"""

from __future__ import annotations

import re

MAX_POINTER_BYTES = 1024  # git-lfs's: a larger file is never a pointer
_POINTER = re.compile(
    rb"version https://git-lfs\.github\.com/spec/v1\n"
    rb"(?:[a-z0-9.-]+ [^\n]*\n)*?"  # extension lines (`ext-0-…`) sort before `oid`
    rb"oid sha256:[0-9a-f]{64}\n"
    rb"size [0-9]+\n"
    rb"(?:[a-z0-9.-]+ [^\n]*\n)*\Z")


def is_pointer(content: bytes, size: int) -> bool:
    """Whether a file of `size` bytes starting (or consisting of) `content` is an LFS
    pointer."""
    return size < MAX_POINTER_BYTES and content.startswith(b"version https://git-lfs") \
        and _POINTER.match(content) is not None


REASON = ("a Git LFS pointer: the file's content is stored outside the repository and was "
          "not read (fetch it with `git lfs pull`, or `lfs: true` in actions/checkout)")
