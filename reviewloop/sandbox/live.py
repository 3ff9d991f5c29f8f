"""The processes reviewloop is waiting on, so that a stop reaches them.

Each command reviewloop waits on leads a process group of its own: a project's command (a
gate, the tests, a hook) and an implementer command a session, an analyzer a group. A
timeout then kills everything the command started, a worker holding its output included.
But a signal to reviewloop reaches none of them: Ctrl-C at the terminal goes to
reviewloop's group only, SIGTERM to its process only, and the thread waiting on a command
kept the command alive, and Python's exit waiting on that thread, until the command ended
by itself (a test suite: its whole timeout). The command's stop handlers
(`checks.interrupts`) call `stop`: every group being waited on is killed, and the thread
waiting on one raises `KeyboardInterrupt` instead of reporting the kill as the command's
result (`stopping`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_groups: dict[int, subprocess.Popen] = {}  # by the leader's pid
_stopping = threading.Event()


@contextlib.contextmanager
def tracked(process: subprocess.Popen) -> Iterator[None]:
    """`process`, the leader of a process group of its own (`start_new_session` or
    `process_group=0`), is stopped with reviewloop, whole, while the block runs."""
    with _lock:
        _groups[process.pid] = process
    if _stopping.is_set():  # started as the stop came: stopped with the rest
        kill(process)
    try:
        yield
    finally:
        with _lock:
            _groups.pop(process.pid, None)


def stop() -> None:
    """Kill every group being waited on (a signal handler's call: no lock is taken, the
    table is copied as it stands)."""
    _stopping.set()
    for process in list(_groups.values()):
        kill(process)


def stopping() -> bool:
    """Whether reviewloop is stopping: a command that ends now was ended by the stop."""
    return _stopping.is_set()


def kill(process: subprocess.Popen) -> None:
    """`process`'s whole group: it, and what it started that is still in its group (a
    worker holding its output open)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
