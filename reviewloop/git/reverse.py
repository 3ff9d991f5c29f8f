"""A changed file as it was before the change, rebuilt from its text now and its diff.

Every hunk of a unified diff names the new-file lines it covers and what stood there before
(its context and removed lines), so the old text is the new one with each hunk's new side
replaced by its old side. No repository is needed: the same works for a pull request, a
run's change and a working-tree review, from the diff the review already has.
"""

from __future__ import annotations

from reviewloop.git.diff import FileDiff, FileStatus, hunks
from reviewloop.git.diff_headers import base_mode


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
