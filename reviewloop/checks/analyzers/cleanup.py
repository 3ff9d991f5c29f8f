"""`reviewloop tools clean`: removing the tools' environments reviewloop made, and saying
what could not go and why.

Only what reviewloop made (`provision.ours`) goes. A folder is first moved aside
(`.<name>.removing-<pid>`, which the next `clean` removes) so that one it cannot remove whole
never counts as installed; what failed is named where it is now, the moved-aside folder,
with the full path of the file at fault. A tool whose install lock another process holds is
left alone, named once (its folder, not its lock again). Two `clean`s take turns (a lock on
the tools folder itself): the second finds what the first left.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reviewloop.checks.analyzers.provision import ASIDE, ours, owner, tools_dir


@dataclass(frozen=True)
class Cleaned:
    """What `clean` removed; what it could not, where it is now and why (the rest is removed
    anyway); and what another process is installing now, left alone with who holds it."""

    removed: list[Path]
    failed: list[tuple[Path, str]]
    busy: list[tuple[Path, str]] = field(default_factory=list)


def clean(names: tuple[str, ...] = (), root: Path | None = None) -> Cleaned:
    """Remove the named tools' environments (every version) and locks, or every one and the
    download caches (see the module's docstring)."""
    import fcntl

    base = root or tools_dir()
    done = Cleaned([], [])
    if not base.is_dir():
        return done
    turn = os.open(base, os.O_RDONLY)
    held: set[Path] = set()  # install locks another process holds: their tool is named once
    try:
        fcntl.flock(turn, fcntl.LOCK_EX)
        for path in sorted(ours(base), key=lambda p: p.name.endswith(".lock")):  # locks last
            if (names and owner(path) not in names) or path in held:
                continue
            try:
                if _remove(base, path):
                    done.removed.append(path)
            except BlockingIOError as exc:  # its install lock is held: an install runs
                done.busy.append((path, exc.strerror or str(exc)))
                held.add(_lock(base, path))
            except OSError as exc:
                done.failed.append(_failure(base, path, exc))
    finally:
        os.close(turn)  # and with it the lock
    return done


def _lock(base: Path, path: Path) -> Path:
    """The install lock of the entry `path` (a lock is its own)."""
    return path if path.name.endswith(".lock") else base / f".{path.name}.lock"


def _aside(base: Path, path: Path) -> Path:
    """Where a folder is moved before it is removed (one moved aside already stays)."""
    return path if path.name.startswith(".") else base / f".{path.name}{ASIDE}{os.getpid()}"


def _failure(base: Path, path: Path, exc: OSError) -> tuple[Path, str]:
    """Where what could not be removed is now, and why: the file at fault by its full path
    when it is not the entry itself, and that a moved-aside folder no longer counts."""
    aside = _aside(base, path)
    moved = aside != path and os.path.lexists(aside) and not os.path.lexists(path)
    where = aside if moved else path
    at = f": {exc.filename}" if exc.filename and exc.filename != str(where) else ""
    was = f" ({path.name} was moved aside first: it no longer counts as installed)" \
        if moved else ""
    return where, f"{exc.strerror or exc}{at}{was}"


def _remove(base: Path, path: Path) -> bool:
    """Remove one entry under its install lock; False when it was gone already.
    BlockingIOError when another process holds the lock."""
    import fcntl  # POSIX, as `provision._locked`

    lock = _lock(base, path)
    with contextlib.ExitStack() as held:
        if lock.is_file() and not lock.is_symlink():
            handle = held.enter_context(lock.open("a+"))
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                raise BlockingIOError(
                    errno.EWOULDBLOCK, f"another reviewloop process (pid "
                    f"{handle.read().strip() or '?'}) is installing it now; run `reviewloop "
                    "tools clean` again once it is done") from None
        if not path.is_dir() or path.is_symlink():
            path.unlink(missing_ok=True)
            return True
        aside = _aside(base, path)
        try:
            path.rename(aside)
        except FileNotFoundError:
            return False
        shutil.rmtree(aside, onerror=_gone_is_fine)
    return True


def _gone_is_fine(_func: Callable[..., object], path: str, exc_info: tuple) -> None:
    """`rmtree`'s error hook: a file another `clean` removed first is no failure; any other
    is raised with the file's full path (rmtree's own names it within its folder only)."""
    exc = exc_info[1]
    if isinstance(exc, FileNotFoundError):
        return
    if isinstance(exc, OSError) and exc.errno is not None:
        raise OSError(exc.errno, exc.strerror, path) from exc
    raise exc
