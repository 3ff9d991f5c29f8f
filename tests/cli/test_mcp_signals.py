"""`reviewloop mcp` stops on Ctrl-C, SIGTERM and SIGHUP while its client keeps stdin open
(an editor stopping its server): exit 128 + the signal, a review it runs stopped with it.
Before, the SDK's event loop unwound only once stdin sent a line or closed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.processes import alive
from tests.support.repos import branch_repo
from tests.support.waiting_tests import kill_tests, pid_said, waiting_project

_AS_A_TERMINAL_STARTS_IT = (
    "import os, signal, sys\n"
    "for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):\n"
    "    signal.signal(signum, signal.SIG_DFL)\n"
    "os.execv(sys.executable, [sys.executable, '-m', 'reviewloop', *sys.argv[1:]])\n")
_SAID: dict[int, str] = {signal.SIGINT: "interrupted", signal.SIGTERM: "stopped by SIGTERM",
         signal.SIGHUP: "stopped by SIGHUP"}
_INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                    "clientInfo": {"name": "t", "version": "0"}}}
pytest.importorskip("mcp")


def _serve(root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _AS_A_TERMINAL_STARTS_IT, "mcp"], cwd=root,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _send(proc: subprocess.Popen, message: dict) -> None:
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(message) + "\n")
    proc.stdin.flush()


def _stopped(proc: subprocess.Popen, signum: int) -> None:
    """Signal it with stdin still open; it must end by itself, saying why."""
    proc.send_signal(signum)
    try:
        proc.wait(timeout=120)  # a bound on a hang, not a timing: it ends in well under 1 s
    finally:
        proc.kill()
    assert proc.stderr is not None
    err = proc.stderr.read()
    assert proc.returncode == 128 + signum, err
    assert err.strip().splitlines()[-1] == _SAID[signum]


@pytest.mark.parametrize("initialized", [False, True], ids=["started", "initialized"])
@pytest.mark.parametrize("signum", list(_SAID), ids=lambda s: signal.Signals(s).name)
def test_an_idle_server_stops_on_a_signal_with_stdin_open(tmp_path: Path, signum, initialized):
    root = branch_repo(tmp_path / "repo", {"a.py": "x = 1\n"})
    proc = _serve(root)
    assert proc.stdout is not None
    _send(proc, _INIT)
    assert json.loads(proc.stdout.readline())["id"] == 1  # serving
    if initialized:
        _send(proc, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        _send(proc, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        assert json.loads(proc.stdout.readline())["id"] == 2
    _stopped(proc, signum)


def _ready(proc: subprocess.Popen) -> bool:
    """Whether the server wrote a reply (the review's) without blocking."""
    import select

    assert proc.stdout is not None
    return bool(select.select([proc.stdout.fileno()], [], [], 0)[0])


@pytest.mark.parametrize("signum", list(_SAID), ids=lambda s: signal.Signals(s).name)
def test_a_review_the_server_runs_is_stopped_with_it(tmp_path: Path, signum):
    started = tmp_path / "started"
    root = waiting_project(tmp_path / "repo", started, "def run(x):\n    return x + 1\n",
                           "[review]\nrun_tests = true\n")
    proc = _serve(root)
    assert proc.stdout is not None
    _send(proc, _INIT)
    proc.stdout.readline()
    _send(proc, {"jsonrpc": "2.0", "method": "notifications/initialized"})
    _send(proc, {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
        "name": "review", "arguments": {"base": "main", "head": "feature"}}})
    try:
        while pid_said(started) is None:
            assert proc.poll() is None, proc.communicate()
            assert not _ready(proc), "the review ended without running the tests"
            time.sleep(0.02)  # polling for the tests' start, not timing anything
        _stopped(proc, signum)
    finally:
        kill_tests(started)
    pid = int(started.read_text())
    for _ in range(3000):  # a SIGKILL is delivered, not awaited: polled for, up to a minute
        if not alive(pid):
            break
        time.sleep(0.02)
    assert not alive(pid), "the tests the review waited for are stopped"
