"""A project whose test suite says it started, then waits until it is stopped: a review
running it (`--tests`, `[review] run_tests`) is caught in the middle, to be stopped or
killed there."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

from tests.support.processes import alive
from tests.support.repos import branch_repo

_CONFTEST = "import os, pathlib, signal\npathlib.Path({started!r}).write_text(str(os.getpid()))\n" \
            "signal.pause()\n"


def waiting_project(root: Path, started: Path, change: str, config: str = "") -> Path:
    """A repository at `root` (`main`, then `feature` changing app.py to `change`) whose
    tests, a pytest run with `sandbox = "off"` and `config` added to its `.reviewloop.toml`,
    write their pid to `started` and wait."""
    command = json.dumps(f"{sys.executable} -m pytest -q -p no:cacheprovider")
    return branch_repo(root, {
        ".reviewloop.toml": f'sandbox = "off"\n[gates]\ntest = [{command}]\n{config}',
        "conftest.py": _CONFTEST.format(started=str(started)),
        "test_app.py": "def test_x():\n    assert True\n", "app.py": "x = 1\n"},
        {"app.py": change})


def pid_said(started: Path) -> int | None:
    """The pid of the waiting tests, once they have said it."""
    said = started.read_text() if started.exists() else ""
    return int(said) if said else None


def kill_tests(started: Path) -> None:
    """Kill the waiting tests if they are still there (they run in a session of their own):
    a failed test leaves nothing waiting."""
    pid = pid_said(started)
    if pid is not None and alive(pid):
        os.kill(pid, signal.SIGKILL)
