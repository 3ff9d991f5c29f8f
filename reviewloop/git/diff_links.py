"""The symlinks a change leaves, and what each points at: by its diff, or by the reviewed
tree where the diff gives no mode."""

from __future__ import annotations

import os
from pathlib import Path

from reviewloop.git.diff import FileDiff, FileStatus
from reviewloop.git.diff_headers import LINK
from reviewloop.git.names import under


def link_text(diff: FileDiff, root: Path) -> str | None:
    """What the symlink the change leaves at `diff.path` points at (its text, as git stores
    it), or None when it leaves no link there. Its diff's mode says (`FileDiff.mode`: made,
    or retargeted, which has only `index <a>..<b> 120000`), and its one added line is the
    target; a rename git shows no line of has no mode either (`rename from`/`to` only: a link
    moved unchanged, or paired with an identical link deleted elsewhere), so the reviewed
    tree at `root` says."""
    if diff.status is FileStatus.DELETED:
        return None
    if diff.mode == LINK:
        return diff.added[0].text if diff.added else _read(root, diff.path)
    if diff.mode is None and diff.status is FileStatus.RENAMED and not diff.added:
        return _read(root, diff.path)
    return None


def _read(root: Path, path: str) -> str | None:
    try:
        return os.readlink(under(root, path))
    except (OSError, ValueError):  # not a link in the tree (or not there): none to follow
        return None
