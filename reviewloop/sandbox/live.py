"""The processes reviewloop is waiting on, so that a stop reaches them.

A project's command (a gate, the tests, a hook) and an implementer command run in a session
of their own, so a timeout can kill everything they started: Ctrl-C at the terminal never
reaches them, and the reviewer thread waiting on one kept the command alive, and Python's
exit waiting on that thread, until the command ended by itself (a test suite: its whole
timeout). An analyzer shares reviewloop's process group and sees Ctrl-C itself, but not a
SIGTERM sent to reviewloop alone. The command's stop handlers (`checks.interrupts`) call
`stop`: every session started here is killed, and, for a stopping signal, every analyzer
too; the thread waiting on one then raises `KeyboardInterrupt` instead of reporting the
kill as the command's result (`stopping`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_sessions: dict[int, subprocess.Popen] = {}  # by pid: killed with their whole session
_children: dict[int, subprocess.Popen] = {}  # in reviewloop's own process group
_stopping = threading.Event()


@contextlib.contextmanager
def tracked(process: subprocess.Popen, *, session: bool) -> Iterator[None]:
    """`process` is stopped with reviewloop while the block runs (`session`: it leads a
    session of its own, killed whole)."""
    table = _sessions if session else _children
    with _lock:
        table[process.pid] = process
    if _stopping.is_set():  # started as the stop came: stopped with the rest
        _kill(process, session)
    try:
        yield
    finally:
        with _lock:
            table.pop(process.pid, None)


def stop(*, children: bool) -> None:
    """Kill every session being waited on, and with `children` every analyzer too (a
    signal handler's call: no lock is taken, the tables are copied as they stand)."""
    _stopping.set()
    for process in list(_sessions.values()):
        _kill(process, session=True)
    if children:
        for process in list(_children.values()):
            _kill(process, session=False)


def stopping() -> bool:
    """Whether reviewloop is stopping: a command that ends now was ended by the stop."""
    return _stopping.is_set()


def _kill(process: subprocess.Popen, session: bool) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if session:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
