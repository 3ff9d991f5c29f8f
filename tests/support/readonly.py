"""A reviewloop process that may not write what its permission bits refuse, even when the
suite runs as root: the child enters a user namespace of its own, which leaves it no
capability to override a file's mode (as a plain user it has none anyway)."""

from __future__ import annotations

import functools
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import reviewloop
from tests.support import warm_cli
from tests.support.warm_server import unshare_user

SOURCE = Path(reviewloop.__file__).resolve().parents[1]  # this checkout's reviewloop


@functools.cache
def _refused() -> str | None:
    """Why this kernel refuses root the user namespace that drops its override, or None."""
    try:
        subprocess.run([sys.executable, "-S", "-c", ""], preexec_fn=unshare_user, check=True)
    except subprocess.SubprocessError as exc:  # the preexec_fn's failure
        return str(exc)
    return None


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
    read-only path; skipped where this kernel refuses the user namespace root needs. Forked
    from the warm CLI server (tests/support/warm_cli.py), which enters the namespace where a
    cold start's preexec_fn did."""
    env = {**os.environ, "PYTHONPATH": str(SOURCE), "REVIEWLOOP_SANDBOX": "off",
           "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    root = os.geteuid() == 0
    if root and (refused := _refused()) is not None:
        pytest.skip(f"no user namespace here to drop root's override: {refused}")
    return warm_cli.run(argv, cwd, env=env, timeout=120, unshare=root)
