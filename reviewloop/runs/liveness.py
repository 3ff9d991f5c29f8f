"""Whether the process that drives a run is still there: one answer for the lease, the task
claim and `reviewloop runs`.

A driver is named by a `Holder`: its host, the kernel's boot id, its pid namespace, its pid
and the process's start time (field 22 of /proc/<pid>/stat, clock ticks since boot). On the
same host, boot and pid namespace the answer is certain: the pid is gone, a zombie, or now a
process with another start time (a reused pid) → dead; anything else, a paused (SIGSTOP)
process included → alive. The same host name with another boot id is that host before a
reboot → dead. Anything else (another host, another container's pid namespace) cannot be
checked from here → unknown, and the caller falls back to its heartbeat expiry.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass, replace
from enum import Enum
from pathlib import Path

from reviewloop.sandbox import tether

_PROC = Path("/proc")


class Verdict(Enum):
    ALIVE = "alive"
    DEAD = "dead"
    UNKNOWN = "unknown"  # on another host (or pid namespace): only a heartbeat can tell


@dataclass(frozen=True)
class Holder:
    """One process, named so that another process can tell later whether it still runs."""

    host: str
    pid: int
    start: int | None  # clock ticks after boot; None where /proc is not there (macOS)
    boot: str = ""  # /proc/sys/kernel/random/boot_id: a reboot makes every pid stale
    pidns: str = ""  # readlink /proc/self/ns/pid: containers sharing a host name differ here

    def dumps(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    def shown(self) -> str:
        return f"pid {self.pid} on {self.host}"


def me() -> Holder:
    """This process."""
    return of(os.getpid())


def of(pid: int) -> Holder:
    """Process `pid` of this host (and pid namespace), as it runs now."""
    return Holder(host=socket.gethostname(), pid=pid, start=_start_ticks(pid),
                  boot=_boot_id(), pidns=_pid_namespace())


def loads(text: str) -> Holder | None:
    """A holder written by `Holder.dumps` (or, from older versions, a bare pid, which is
    taken as a process of this host whose start time was not recorded); None if unreadable."""
    text = text.strip()
    if text.isdigit():
        return replace(of(int(text)), start=None)
    try:
        data = json.loads(text)
        return Holder(host=str(data["host"]), pid=int(data["pid"]),
                      start=None if data.get("start") is None else int(data["start"]),
                      boot=str(data.get("boot", "")), pidns=str(data.get("pidns", "")))
    except (ValueError, TypeError, KeyError):
        return None


def verdict(holder: Holder, here: Holder | None = None) -> Verdict:
    """Is `holder` still running, as far as this process (`here`) can tell?"""
    here = here or me()
    if holder.host != here.host:
        return Verdict.UNKNOWN
    if holder.boot and here.boot and holder.boot != here.boot:
        return Verdict.DEAD  # this host has rebooted since: no process of then is left
    if holder.pidns != here.pidns:
        return Verdict.UNKNOWN  # same host name, another container: its pids are not ours
    return Verdict.ALIVE if _running(holder.pid, holder.start) else Verdict.DEAD


def _running(pid: int, start: int | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    stat = _stat(pid)
    if stat is None:
        return True  # exists but /proc hides it (hidepid) or there is no /proc: trust kill
    state, ticks = stat
    if state in ("Z", "X"):
        return False  # killed, not yet reaped: it holds nothing any more
    return start is None or ticks == start


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, start time in clock ticks) from /proc/<pid>/stat, or None if unreadable."""
    found = tether.stat(pid)
    return None if found is None else (found[0], found[1])


def _start_ticks(pid: int) -> int | None:
    stat = _stat(pid)
    return stat[1] if stat else None


def _boot_id() -> str:
    try:
        return (_PROC / "sys/kernel/random/boot_id").read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _pid_namespace() -> str:
    try:
        return os.readlink(_PROC / "self/ns/pid")
    except OSError:
        return ""
