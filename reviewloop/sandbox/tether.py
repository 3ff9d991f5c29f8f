"""A command that dies with reviewloop, however reviewloop dies.

A stop reaches the commands reviewloop waits on (`live`), but SIGKILL (the OOM killer,
`kill -9`) runs no handler: an implementer command in a session of its own lived on and
kept writing in the run's worktree, and a `resume` took that tree as it was (f_a D13). So
such a command runs under a tether: a small Python process, the leader of the command's
session, that holds the read end of a pipe whose only write end reviewloop holds. The
kernel closes that end when reviewloop exits in any way; the tether reads end-of-file and
kills its whole process group, itself and everything the command started. The tether also
records itself (its pid and start time) in a file the caller names, so that a `resume` can
stop a group that is somehow still there before it touches the worktree (`stop_left`).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

# Run as `python -I -S -c TETHER FD COMMAND`: the command through the shell, in the tether's
# process group; end-of-file on FD (reviewloop gone) kills the group; the shell's exit code
# is the tether's (a signal as the shell gives it, 128 + its number).
TETHER = """
import os, signal, subprocess, sys, threading
fd = int(sys.argv[1])
def watch():
    while os.read(fd, 64):
        pass
    os.killpg(0, signal.SIGKILL)
threading.Thread(target=watch, daemon=True).start()
code = subprocess.call(sys.argv[2], shell=True)
sys.exit(code if code >= 0 else 128 - code)
"""


@contextlib.contextmanager
def lifeline() -> Iterator[tuple[list[str], int]]:
    """The argv prefix that runs a command tethered, and the fd to pass to it; the write end
    is held until the block ends (a command still running then is killed by its tether)."""
    read, write = os.pipe()  # both non-inheritable: only the tether gets `read` (pass_fds)
    try:
        yield [sys.executable, "-I", "-S", "-c", TETHER, str(read)], read
    finally:
        os.close(read)
        os.close(write)


def record(path: Path | None, pid: int) -> None:
    """Write who leads the command's group (its pid and start time) to `path`."""
    if path is not None:
        path.write_text(json.dumps({"pid": pid, "start": start_ticks(pid)}), encoding="utf-8")


def forget(path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)


def stop_left(path: Path, wait_s: float = 10.0) -> int | None:
    """Kill the process group `path` records if it is still there (a tether that could not
    kill it, or not yet) and wait until it is gone; its pid, None when none was left. A pid
    now another process's (its start time differs) is never touched."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        pid, start = int(data["pid"]), data.get("start")
    except (OSError, ValueError, TypeError, KeyError):
        return None
    now = start_ticks(pid)
    # the leader gone while its group lives: a pid that leads a group is never reused
    if (now is not None and start is not None and now != start) or not _group_alive(pid):
        path.unlink(missing_ok=True)
        return None
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + wait_s
    while _group_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)  # the kernel tears the group down: no event to wait on
    path.unlink(missing_ok=True)
    return pid


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _only_zombies(pgid)


def _only_zombies(pgid: int) -> bool:
    """Whether every process left in group `pgid` is a zombie (dead, not reaped by its
    parent): nothing of it runs or writes any more."""
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return False  # no /proc: the kill answered, so trust it
    states = [s for p in pids if (s := stat(p)) is not None and s[2] == pgid]
    return bool(states) and all(state in ("Z", "X") for state, _, _ in states)


def stat(pid: int) -> tuple[str, int, int] | None:
    """(state, start time in clock ticks since boot, process group) from /proc/<pid>/stat;
    None if unreadable (gone, hidden, no /proc)."""
    try:
        text = (Path("/proc") / str(pid) / "stat").read_text(encoding="utf-8",
                                                             errors="replace")
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces or ')': the fields
    # after the last ')' start at field 3 (state); field 5 (pgrp) is 2 further on, field 22
    # (starttime) 19.
    fields = text[text.rfind(")") + 2:].split()
    try:
        return fields[0], int(fields[19]), int(fields[2])
    except (IndexError, ValueError):
        return None


def start_ticks(pid: int) -> int | None:
    found = stat(pid)
    return found[1] if found else None
