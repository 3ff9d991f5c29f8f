"""A review's install of a tool: in a process of its own, which may outlive the review, and
shared by every thread of this process that asks for the same tool meanwhile.

Several analyzers (and reviewers) of one review need the same tool at the same moment; they
join the one installer this process started rather than each starting its own, so the
installer's lines ("installing …", "waiting for another reviewloop process …") are passed on
once per process, and a second installer never waits on this process's own first one.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

from reviewloop.checks.analyzers.tool_table import (
    ProvisionError,
    StillInstalling,
    Tool,
    fix_command,
)


@dataclass
class _Job:
    """One background installer and how much of its log this process has passed on."""

    proc: subprocess.Popen[bytes]
    log_file: Path
    seen: int  # lines of the log already passed on (or there before the job started)
    relay: threading.Lock = field(default_factory=threading.Lock)  # one reader at a time


_jobs: dict[tuple[str, str], _Job] = {}
_jobs_lock = threading.Lock()


def install_aside(tool: Tool, base: Path, wait: float, say: Callable[[str], None],
                  done: Callable[[], Path | None]) -> Path:
    """Wait at most `wait` seconds for this process's installer of `tool` (started now when
    none is running), passing on what it says; `done()` is the finished tool's command.
    StillInstalling past the wait; ProvisionError when the install failed."""
    deadline = time.monotonic() + wait
    job = _job(tool, base)
    if not job.relay.acquire(timeout=max(0.0, deadline - time.monotonic())):
        raise _still(tool, wait, job.log_file)
    try:
        lines = _follow(job, deadline, say)
        if job.proc.returncode is None:
            raise _still(tool, wait, job.log_file)
    finally:
        job.relay.release()
    found = done()
    if found is None:
        said = lines[-1] if lines else f"exit {job.proc.returncode}"
        raise ProvisionError(said if said.startswith("cannot install") else
                             f"cannot install {tool.name}: {said}; fix: run "
                             f"`{fix_command(tool)}`")
    return found


def _job(tool: Tool, base: Path) -> _Job:
    """The running installer of `tool` into `base`, or a new one when none runs."""
    key = (str(base), tool.folder)
    with _jobs_lock:
        job = _jobs.get(key)
        if job is None or (job.proc.poll() is not None and not job.relay.locked()):
            job = _jobs[key] = _start(tool, base)
        return job


def _start(tool: Tool, base: Path) -> _Job:
    base.mkdir(parents=True, exist_ok=True)
    log_file = base / f"{tool.folder}.log"
    with log_file.open("a", encoding="utf-8") as out:
        seen = out.tell() and len(log_file.read_text(encoding="utf-8").splitlines())
        proc = subprocess.Popen(
            [sys.executable, "-P", "-m", "reviewloop.checks.analyzers.provision",  # -P: no cwd
             json.dumps(asdict(tool)), str(base)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)  # not killed with a review that stops waiting
    return _Job(proc, log_file, seen)


def _follow(job: _Job, deadline: float, say: Callable[[str], None]) -> list[str]:
    """Pass on the log's new lines until the installer exits or `deadline`; all its lines."""
    while True:
        with suppress(subprocess.TimeoutExpired):
            job.proc.wait(timeout=max(0.0, min(1.0, deadline - time.monotonic())))
        lines = job.log_file.read_text(encoding="utf-8").splitlines()
        for line in lines[job.seen:]:
            say(line)
        job.seen = len(lines)
        if job.proc.returncode is not None or time.monotonic() >= deadline:
            return lines


def _still(tool: Tool, wait: float, log_file: Path) -> StillInstalling:
    return StillInstalling(
        f"not run: still installing {tool.name} {tool.version} (past the review's "
        f"{wait:.0f}s wait; it goes on in the background, log: {log_file}); the next "
        f"review uses it once it is done")
