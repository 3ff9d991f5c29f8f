"""Temporary folders a review holds while it uses them, so that the next one can tell those
left behind by a review that was killed.

A review removes its exports however it ends, Ctrl-C, SIGTERM and SIGHUP included
(`checks.interrupts`). A review killed outright (SIGKILL, the kernel's out-of-memory killer,
a crash of the interpreter) removes nothing: its export of the change stays in `/dev/shm`,
in memory, until the machine restarts, and every such review adds another. So each folder
made here is held, an `flock` on it, for as long as it is used; the kernel lets go of the
lock when its process ends, however it ends. Before making one, a review removes the folders
beside it that are held by no one (`sweep`): made here (the `HELD` mark ending the name of a
`reviewloop-` folder), the user's own, unchanged for `ABANDONED` seconds (a folder is held
within microseconds of being made), and that no live process holds.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import tempfile
import time
import weakref

from reviewloop.git.deep_folders import remove_tree

HELD = "-held"  # the end of a held folder's name (`tempfile`'s random part before it)
OWN = "reviewloop-"  # the start of every name a held folder may have
ABANDONED = 60.0  # seconds unchanged before a folder no one holds is taken as left behind


class Held:
    """A temporary folder named `prefix`…`HELD` in `where` (`tempfile`'s choice when None),
    held by this process until `cleanup` removes it (the interface of
    `tempfile.TemporaryDirectory` that reviewloop uses: `name`, `cleanup`). The folders
    left behind in `where` are removed first (`sweep`)."""

    def __init__(self, prefix: str, where: str | None = None) -> None:
        if not prefix.startswith(OWN):
            raise ValueError(f"a held folder's name starts with {OWN!r}: {prefix!r}")
        sweep(where if where is not None else tempfile.gettempdir())
        self.name = tempfile.mkdtemp(prefix=prefix, suffix=HELD, dir=where)
        try:
            hold = os.open(self.name, os.O_RDONLY | os.O_DIRECTORY)
        except BaseException:
            remove_tree(self.name)
            raise
        # made a moment ago: free. On a file system without locks (some network mounts) it
        # is used unheld, and never swept there: no sweep can take a lock on it (`_take`)
        with contextlib.suppress(OSError):
            fcntl.flock(hold, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # as `TemporaryDirectory`: removed when dropped or at exit if `cleanup` was not called
        self._done = weakref.finalize(self, _let_go, self.name, hold)

    def cleanup(self) -> None:
        """Remove the folder and all in it, then let go of it (again: nothing)."""
        self._done()


def _let_go(name: str, hold: int) -> None:
    try:
        remove_tree(name)
    finally:
        os.close(hold)


def sweep(folder: str, now: float | None = None) -> list[str]:
    """Remove the held folders in `folder` that were left behind (see the module's
    docstring) as of `now` (the clock's time when None); the paths removed. A folder that
    cannot be looked at or removed is left as it is: this is tidying, never a failure."""
    now = time.time() if now is None else now
    removed: list[str] = []
    try:
        entries = [e for e in os.scandir(folder)
                   if e.name.startswith(OWN) and e.name.endswith(HELD)]
    except OSError:
        return removed
    for entry in entries:
        try:
            look = entry.stat(follow_symlinks=False)
            if (not stat.S_ISDIR(look.st_mode) or look.st_uid != os.geteuid()
                    or now - look.st_mtime < ABANDONED):
                continue
            if _take(entry.path):
                removed.append(entry.path)
        except OSError:
            continue
    return removed


def _take(path: str) -> bool:
    """Remove the folder `path` when no process holds it, holding it while it goes."""
    try:
        hold = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(hold, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(hold)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            return False  # a live review's
        raise
    try:
        remove_tree(path)
    finally:
        os.close(hold)
    return True
