"""A changed file as it was before the change, rebuilt from its text now and its diff.

Every hunk of a unified diff names the new-file lines it covers and what stood there before
(its context and removed lines), so the old text is the new one with each hunk's new side
replaced by its old side. No repository is needed: the same works for a pull request, a
run's change and a working-tree review, from the diff the review already has.
"""

from __future__ import annotations

import re

from reviewloop.git.diff import FileDiff, FileStatus, hunks

# A header saying the file's mode before the change (a line of content starts with its mark)
_OLD_MODE = re.compile(r"^(?:old|deleted file) mode (\d+)$", re.MULTILINE)


def base_text(head: str | None, diff: FileDiff) -> str | None:
    """The file's text before the change: None for a file the change added, or when the
    diff cannot be read back (a binary file, a diff that does not fit `head`)."""
    if diff.status is FileStatus.ADDED or diff.binary:
        return None
    parsed = hunks(diff)
    if parsed is None:
        return None
    lines = [] if diff.status is FileStatus.DELETED or head is None else git_lines(head)
    old: list[str] = []
    at = 0  # lines of `lines` (0-based) already carried over
    for hunk in parsed:
        start = max(hunk.target_start - 1, 0) if hunk.target_length else hunk.target_start
        if start < at or start > len(lines):
            return None
        old += lines[at:start]
        for line in hunk:
            if line.is_context or line.is_removed:
                old.append(line.value)
        at = start + hunk.target_length
    if at > len(lines):
        return None
    return "".join(old + lines[at:])


def base_executable(diff: FileDiff, executable_now: bool) -> bool:
    """Whether the file was executable before the change (ruff's EXE rules read the bit):
    as its diff's `old mode` or `deleted file mode` says, else as it is now
    (`executable_now`), a mode the change kept."""
    old = _OLD_MODE.search(diff.text)
    return old.group(1) == "100755" if old else executable_now


def git_lines(text: str) -> list[str]:
    """`text`'s lines as git counts them, each with its `\n`: a lone CR, a form feed or a
    U+2028 (`str.splitlines` breaks at each) is inside a line to git, as to its hunks."""
    lines = text.split("\n")
    ends = [line + "\n" for line in lines[:-1]]
    return [*ends, lines[-1]] if lines[-1] else ends
