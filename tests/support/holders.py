"""Processes that hold a lease or a task claim until the test kills them, and holders on
hosts this one cannot see: what the liveness tests (lease, claim, `runs`) stand on.

A holder process prints `held` once it holds, then blocks reading stdin, so it lives exactly
as long as the test lets it (killed, or stdin closed) and needs no sleep.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from reviewloop.runs.liveness import Holder

# A runner on another machine: its process cannot be checked from here, only its heartbeat.
ELSEWHERE = Holder(host="runner-on-another-host", pid=4242, start=1, boot="b", pidns="p")


def _hold(code: str, cwd: Path | None = None) -> subprocess.Popen[str]:
    script = f"import sys\n{code}\nprint('held', flush=True)\nsys.stdin.read()\n"
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=cwd, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    assert line == "held", f"the holder did not start (rc {proc.wait()})"
    return proc


def holding_lease(url: str, key: str, *, ttl: float = 600, beat: float = 200,
                  elsewhere: bool = False) -> subprocess.Popen[str]:
    """A process holding the lease `key`, as itself or as a runner on another host."""
    holder = f", holder=Holder({ELSEWHERE.host!r}, {ELSEWHERE.pid}, 1)" if elsewhere else ""
    return _hold("from reviewloop.runs.lease import Lease\n"
                 "from reviewloop.runs.liveness import Holder\n"
                 f"Lease({url!r}, {key!r}, ttl={ttl}, beat={beat}{holder}).acquire()")


def holding_claim(root: Path, spec: str, task_id: str, run_id: str,
                  url: str | None = None) -> subprocess.Popen[str]:
    """A process driving `run_id` of task `task_id` in the checkout at `root` (with `url`,
    through the shared Postgres state)."""
    return _hold("from pathlib import Path\n"
                 "from reviewloop.config import Settings\n"
                 "from reviewloop.runs.claims import TaskRef, claimed\n"
                 f"claim = claimed(Settings(checkpoint_url={url!r}), Path({str(root)!r}), "
                 f"TaskRef({spec!r}, {task_id!r}), {run_id!r})\n"
                 "claim.__enter__()", cwd=root)


def child() -> subprocess.Popen[str]:
    """A plain process that runs until killed (or its stdin closes)."""
    return _hold("")


def kill(proc: subprocess.Popen[str]) -> None:
    """kill -9, then reap it: what a dead runner leaves behind."""
    proc.kill()
    proc.wait()
