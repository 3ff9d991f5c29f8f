"""A changed file as it was before the change, rebuilt from its text now and its diff.

Every hunk of a unified diff names the new-file lines it covers and what stood there before
(its context and removed lines), so the old text is the new one with each hunk's new side
replaced by its old side. No repository is needed: the same works for a pull request, a
run's change and a working-tree review, from the diff the review already has.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from unidiff.constants import RE_HUNK_HEADER

from reviewloop.git.diff import FileDiff, FileStatus, hunks
from reviewloop.git.diff_headers import base_mode

# a hunk as the rebuild needs it: where its new side starts, how long it is, and its old
# side's lines (its unchanged and removed ones, each with its line end)
Hunk = tuple[int, int, list[str]]


def base_text(head: str | None, diff: FileDiff) -> str | None:
    """The file's text before the change: None for a file the change added, or when the
    diff cannot be read back (a binary file, a diff that does not fit `head`)."""
    if diff.status is FileStatus.ADDED or diff.binary:
        return None
    parsed = old_sides(diff)
    if parsed is None:
        return None
    lines = [] if diff.status is FileStatus.DELETED or head is None else git_lines(head)
    old: list[str] = []
    at = 0  # lines of `lines` (0-based) already carried over
    for target_start, target_length, before in parsed:
        start = max(target_start - 1, 0) if target_length else target_start
        if start < at or start > len(lines):
            return None
        old += lines[at:start]
        old += before
        at = start + target_length
    if at > len(lines):
        return None
    return "".join(old + lines[at:])


def base_executable(diff: FileDiff, executable_now: bool) -> bool:
    """Whether the file was executable before the change (ruff's EXE rules read the bit):
    as git says in its diff's header, from the base's tree (`diff_headers.base_mode`), else
    (a header without modes: a rename with no change, a diff written by hand) as it is now
    (`executable_now`), a mode the change kept. The disk is not asked first: under
    `core.fileMode = false` a working file's bit is not what git records, and a script the
    base held `100755` read as not executable there made its head's EXE001 the base's too."""
    mode = base_mode(diff.text)
    return mode == "100755" if mode is not None else executable_now


def git_lines(text: str) -> list[str]:
    """`text`'s lines as git counts them, each with its `\n`: a lone CR, a form feed or a
    U+2028 (`str.splitlines` breaks at each) is inside a line to git, as to its hunks."""
    lines = text.split("\n")
    ends = [line + "\n" for line in lines[:-1]]
    return [*ends, lines[-1]] if lines[-1] else ends


def old_sides(diff: FileDiff) -> list[Hunk] | None:
    """The hunks of `diff` as (new side's start, its length, old side's lines), as unidiff
    reads them (`git.diff.hunks`), None when it cannot. A diff as git writes it is read here in
    one pass over its lines (unidiff's full parse made a `Line` object and a regex match of
    each: half of rebuilding a 20k-line change's bases); anything else (a CR in it, a blank
    line with no space before it, a line between hunks that is no hunk header or "No
    newline" note) is left to unidiff."""
    fast = None if "\r" in diff.text else _read_hunks(
        io.StringIO(diff.text, newline="\n").readlines())
    if fast is not None:
        return fast
    parsed = hunks(diff)
    return None if parsed is None else [
        (h.target_start, h.target_length, [line.value for line in h
                                           if line.is_context or line.is_removed])
        for h in parsed]


def _read_hunks(lines: Sequence[str]) -> list[Hunk] | None:
    """`old_sides` of a file's diff lines written as git writes them; None for any other."""
    at = next((i for i, line in enumerate(lines) if line.startswith("@@")), len(lines))
    read: list[Hunk] = []
    while at < len(lines):
        line = lines[at]
        at += 1
        if line.startswith("\\"):  # "\ No newline at end of file", after a hunk
            continue
        header = RE_HUNK_HEADER.match(line)
        if header is None:
            return None
        source, start = int(header[2] or 1), int(header[3])
        target = int(header[4] or 1)
        if not (source or target):  # unidiff reads a line into even an empty hunk
            return None
        old = new = 0
        before: list[str] = []
        while old < source or new < target:
            if at == len(lines):
                return None
            line = lines[at]
            at += 1
            kind = line[:1]
            if kind == "+":
                new += 1
            elif kind == "-":
                old += 1
                before.append(line[1:])
            elif kind == " ":
                old += 1
                new += 1
                before.append(line[1:])
            elif kind != "\\":
                return None
            if old > source or new > target:
                return None
        read.append((start, target, before))
    return read
