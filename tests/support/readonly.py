"""A reviewloop process that may not write what its permission bits refuse, even when the
suite runs as root: the child enters a user namespace of its own, which leaves it no
capability to override a file's mode (as a plain user it has none anyway)."""

from __future__ import annotations

import ctypes
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import reviewloop

_CLONE_NEWUSER = 0x10000000
SOURCE = Path(reviewloop.__file__).resolve().parents[1]  # this checkout's reviewloop


def _unshare() -> None:
    if ctypes.CDLL(None, use_errno=True).unshare(_CLONE_NEWUSER) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWUSER) refused")


def _dropping() -> Callable[[], None] | None:
    return _unshare if os.geteuid() == 0 else None


def read_only(path: Path) -> None:
    """Take write permission from `path` and everything below it (not following links)."""
    for folder, dirs, files in os.walk(path):
        for name in (*dirs, *files):
            _no_write(Path(folder) / name)
    _no_write(path)


def writable_again(path: Path) -> None:
    """Undo `read_only`, so the test's temporary folder can be removed."""
    for folder, dirs, files in os.walk(path):
        for name in (*dirs, *files):
            entry = Path(folder) / name
            if not entry.is_symlink():
                entry.chmod(entry.stat().st_mode | stat.S_IWUSR)
    path.chmod(path.stat().st_mode | stat.S_IWUSR)


def _no_write(path: Path) -> None:
    if not path.is_symlink():
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def run_unprivileged(cwd: Path, *argv: str, env: dict[str, str] | None = None
                     ) -> subprocess.CompletedProcess[str]:
    """`reviewloop ARGV` in `cwd` (with `env` added) as a process that cannot write a
    read-only path; skipped where this kernel refuses the user namespace root needs."""
    env = {**os.environ, "PYTHONPATH": str(SOURCE), "REVIEWLOOP_SANDBOX": "off",
           "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    try:
        return subprocess.run([sys.executable, "-m", "reviewloop", *argv], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=120, check=False,
                              stdin=subprocess.DEVNULL, preexec_fn=_dropping())
    except subprocess.SubprocessError as exc:  # only the preexec_fn's failure raises it here
        pytest.skip(f"no user namespace here to drop root's override: {exc}")
