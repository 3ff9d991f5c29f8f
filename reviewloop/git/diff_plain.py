"""The plain shape of `git diff`, read in one pass without the general parser.

Almost every diff reviewloop reads is git's default output: each file a `diff --git a/P b/P`
header whose name holds no space, quote, tab or CR, at most a `new file mode` or `deleted
file mode` line and an `index` line, its `---`/`+++` lines naming the same file (or
/dev/null), then hunks. For such a diff, `plain_files` gives what `diff.parse_diff` builds
from unidiff's header parse and `hunk_lines.file_lines`, without unidiff's ten regex tries a
header line and its object per file: at 5,000 added files that parse was half of
`parse_diff`. A binary file's `Binary files … differ` line and an empty file's missing hunks
are read too. Anything else (a rename, a mode change, a name git quotes or that holds a
space, a miscounted hunk, a blank line between files, a preamble) makes it answer None, and
the general reader reads the whole diff, errors included.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from unidiff.constants import (
    RE_DIFF_GIT_DELETED_FILE,
    RE_DIFF_GIT_NEW_FILE,
    RE_HUNK_HEADER,
    RE_NO_NEWLINE_MARKER,
)

from reviewloop.git.hunk_lines import AddedLine, FileLines, HunkReader

_HEADER = "diff --git "
_DEV_NULL = "/dev/null"
_NOT_IN_A_NAME = re.compile(r'[ "\t\r\\]')


class PlainFile(NamedTuple):
    """One file of a plain diff, as `diff.FileDiff` holds it."""

    path: str
    old_path: str | None  # None for an added file
    status: str  # "added", "deleted" or "modified"
    binary: bool
    added: tuple[AddedLine, ...]
    removals: tuple[int, ...]
    removed: int
    hunks: tuple[tuple[int, int], ...]  # new-file (first, last) of each hunk with new lines
    text: str


def plain_files(lines: list[str]) -> list[PlainFile] | None:
    """The files of a diff given as its lines (each with its "\\n"), or None when it is not
    in the plain shape (see the module docstring)."""
    if not lines or not lines[-1].endswith("\n"):
        return None
    files: list[PlainFile] = []
    at, end = 0, len(lines)
    while at < end:
        read = _file(lines, at)
        if read is None:
            return None
        found, at = read
        files.append(found)
    return files


def _file(lines: list[str], start: int) -> tuple[PlainFile, int] | None:
    """The file whose header is `lines[start]` and where the next one starts."""
    name = _name(lines[start])
    if name is None:
        return None
    at, end = start + 1, len(lines)
    status = "modified"
    if at < end and RE_DIFF_GIT_NEW_FILE.match(lines[at]):
        status, at = "added", at + 1
    elif at < end and RE_DIFF_GIT_DELETED_FILE.match(lines[at]):
        status, at = "deleted", at + 1
    if at < end and lines[at].startswith("index "):
        at += 1
    old_path = None if status == "added" else name
    binary = at < end and lines[at] == _binary(name, status)
    at += binary
    if at == end or lines[at].startswith(_HEADER):  # no hunks: a binary or empty file
        return PlainFile(name, old_path, status, binary, (), (), 0, (),
                         "".join(lines[start:at])), at
    if binary:
        return None
    if at + 1 >= end or lines[at] != _side("---", name, status == "added") \
            or lines[at + 1] != _side("+++", name, status == "deleted"):
        return None
    read = _hunks(lines, at + 2)
    if read is None:
        return None
    (added, removals, removed), hunks, at = read
    return PlainFile(name, old_path, status, False, added, removals, removed, hunks,
                     "".join(lines[start:at])), at


def _name(header: str) -> str | None:
    """P of a `diff --git a/P b/P\\n` header whose P needs no quoting and holds no space."""
    if not header.startswith(_HEADER):
        return None
    rest = header[len(_HEADER):-1]
    half = len(rest) // 2
    if not (len(rest) % 2 and rest.startswith("a/") and rest[half:half + 3] == " b/"):
        return None
    name = rest[2:half]
    if not name or name != rest[half + 3:] or _NOT_IN_A_NAME.search(name):
        return None
    return name


def _binary(name: str, status: str) -> str:
    old = _DEV_NULL if status == "added" else f"a/{name}"
    new = _DEV_NULL if status == "deleted" else f"b/{name}"
    return f"Binary files {old} and {new} differ\n"


def _side(mark: str, name: str, dev_null: bool) -> str:
    prefix = "a/" if mark == "---" else "b/"
    return f"{mark} {_DEV_NULL}\n" if dev_null else f"{mark} {prefix}{name}\n"


def _hunks(lines: list[str], at: int
           ) -> tuple[FileLines, tuple[tuple[int, int], ...], int] | None:
    """A file's hunks from `lines[at]` on, read as unidiff counts them: (its added lines,
    removal points and removed count; each hunk's new-file range), and where the file's
    part ends."""
    reader = HunkReader()
    hunks: list[tuple[int, int]] = []
    read = 0
    end = len(lines)
    while at < end and not lines[at].startswith(_HEADER):
        if read and RE_NO_NEWLINE_MARKER.match(lines[at]):  # after a hunk: no count
            at += 1
            continue
        header = RE_HUNK_HEADER.match(lines[at])
        if header is None:
            return None
        _, source, number, target = (int(g) if g is not None else 1
                                     for g in header.groups()[:4])
        if target:
            hunks.append((number, number + target - 1))
        after = reader.read(lines, at, end, number, source, target)
        if after is None:
            return None
        at, read = after, read + 1
    return reader.lines(), tuple(hunks), at
