"""Ctrl-C, SIGTERM and SIGHUP stop reviewloop where it stands: the command unwinds, removes
what it wrote in the temporary folder (the change's exported copy, the trusted configs),
stops the project command it was waiting for and exits 128 + the signal's number.

The project's tests run in a session of their own, which Ctrl-C at a terminal never
reaches: reviewloop waited, interrupted, until the test suite ended by itself. And Python's
default for SIGTERM and SIGHUP ends the process at once: a review killed by `timeout`, a
cancelled CI job or an editor stopping its MCP server left its copies of the change behind
(in `/dev/shm`: memory)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.processes import alive
from tests.support.waiting_tests import kill_tests, pid_said, waiting_project

_SAID: dict[int, str] = {signal.SIGINT: "interrupted", signal.SIGTERM: "stopped by SIGTERM",
         signal.SIGHUP: "stopped by SIGHUP"}


# `python -m reviewloop ARGS` with each signal at its default, whatever the suite was started
# with (a shell's background job ignores SIGINT, `nohup` SIGHUP): Python then installs its own
# Ctrl-C handler, as at a terminal. exec keeps a default disposition.
_AS_A_TERMINAL_STARTS_IT = (
    "import os, signal, sys\n"
    "for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):\n"
    "    signal.signal(signum, signal.SIG_DFL)\n"
    "os.execv(sys.executable, [sys.executable, '-m', 'reviewloop', *sys.argv[1:]])\n")


@pytest.mark.parametrize("signum", list(_SAID), ids=lambda s: signal.Signals(s).name)
def test_a_stop_ends_the_tests_and_removes_the_reviews_temporary_copies(
        tmp_path: Path, signum: int):
    started = tmp_path / "started"
    root = waiting_project(tmp_path / "repo", started, "import subprocess\n\n\ndef run(cmd):\n"
                           "    return subprocess.call(cmd, shell=True)\n")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", _AS_A_TERMINAL_STARTS_IT, "review",
                             "--base", "main", "--head", "feature", "--tests",
                             "--fail-on", "never"],
                            cwd=root, env={**os.environ, "TMPDIR": str(scratch)},
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        while pid_said(started) is None:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.02)  # polling for the tests' start, not timing anything
        assert list(scratch.iterdir()), "the review holds its copies while the tests run"
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
        kill_tests(started)
    assert (proc.returncode, _SAID[signum]) == (128 + signum, err.strip().splitlines()[-1]), \
        (out, err)
    tests = int(started.read_text())
    for _ in range(3000):  # a SIGKILL is delivered, not awaited: polled for, up to a minute
        if not alive(tests):
            break
        time.sleep(0.02)
    assert not alive(tests), "the tests it waited for are stopped"
    assert sorted(p.name for p in scratch.iterdir()) == []
