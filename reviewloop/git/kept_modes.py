"""Modes a checkout's index keeps that its disk cannot show, which the working-tree review
takes as git does.

Under `core.fileMode = false` (Git for Windows' default; NTFS, WSL and SMB mounts) git takes
no executable bit from the disk: a script is made executable with `git update-index
--chmod=+x`, and the index's `100755` is what `git commit -a` records. Under `core.symlinks
= false` a symlink is checked out as a small text file holding its target, and the index's
`120000` stands: editing that text retargets the link. So the working-tree review judges
such a file by the mode git records, as `--staged` does: an executable script is read as
the shell it runs as (`git.executed`), a link is a link, never code of its name's language
(`review.readable`).

Asked of git once a checkout (where its index and config are) and once an index and config
state (`git config`, and `git ls-files -s` only when either setting is off): a review asks
about every changed file from several places.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from pathlib import Path

from reviewloop.git.command import GitCommand
from reviewloop.git.names import shown

EXECUTABLE, LINK = "100755", "120000"
_NONE: Mapping[str, str] = {}
# root -> (its index file, its config file), or None: no checkout's top (an export of a tree)
_PLACES: dict[str, tuple[str, str] | None] = {}
_MODES: dict[tuple[object, ...], Mapping[str, str]] = {}
_LOCK = threading.Lock()


def kept_modes(root: str | os.PathLike[str]) -> Mapping[str, str]:
    """{path: mode} of the index entries the disk under `root` cannot show: `100755` under
    `core.fileMode = false`, `120000` under `core.symlinks = false`; empty when `root` is no
    checkout's top (a tree exported to a folder keeps its modes on disk) or git reads both
    from the disk."""
    top = os.fspath(root)
    with _LOCK:
        known = top in _PLACES
        places = _PLACES.get(top)
    if not known:
        places = _places(top)
        with _LOCK:
            _PLACES[top] = places
    if places is None:
        return _NONE
    key = (top, *(_stamp(place) for place in places))
    with _LOCK:
        modes = _MODES.get(key)
    if modes is None:
        modes = _read(GitCommand(Path(top)))
        with _LOCK:
            if len(_MODES) > 256:
                _MODES.clear()
            _MODES[key] = modes
    return modes


def _places(top: str) -> tuple[str, str] | None:
    """(index file, config file) of the checkout whose top is `top`, or None."""
    if not os.path.lexists(os.path.join(top, ".git")):
        return None
    try:  # git not runnable here (no `git` on PATH): no index to ask, the disk's modes stand
        status, out, _ = GitCommand(Path(top)).run(
            ["git", "rev-parse", "--show-toplevel", "--git-path", "index", "--git-path",
             "config"])
    except OSError:
        return None
    lines = out.decode("utf-8", "surrogateescape").split("\n")
    if status != 0 or len(lines) < 3 or not _same(lines[0], top):
        return None
    index, config = lines[1:3]
    return os.path.join(top, index), os.path.join(top, config)


def _same(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _stamp(path: str) -> tuple[int, int, int]:
    try:
        info = os.stat(path)
    except OSError:
        return (0, 0, 0)
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def _read(git: GitCommand) -> Mapping[str, str]:
    status, out, _ = git.run(["git", "config", "--type=bool", "--get-regexp",
                              r"^core\.(filemode|symlinks)$"])
    off = {mode for line in out.decode().split("\n") if line.endswith(" false")
           for mode in ([EXECUTABLE] if line.startswith("core.filemode") else [LINK])}
    if status != 0 or not off:
        return _NONE
    status, out, _ = git.run(["git", "ls-files", "-s", "-z"])
    modes = {}
    for record in out.decode("utf-8", "surrogateescape").split("\0"):
        meta, _, path = record.partition("\t")
        if (mode := meta.partition(" ")[0]) in off:
            modes[shown(path)] = mode
    return modes
