"""A tethered command dies with the process that started it, however that process dies
(SIGKILL runs no handler): the command and everything it started (f_a D13: a `cmd:`
implementer lived on and kept writing in the run's worktree). A group still left is stopped
by `stop_left`, and a recorded pid that is now another process's is never touched."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from reviewloop.implement.implementer import implement_with_command
from reviewloop.sandbox import tether
from tests.support.loop_cli import wait_until
from tests.support.paths import ROOT
from tests.support.processes import alive

# The runner: implement_with_command in a process of its own, killed by the test.
RUNNER = """
import sys
from pathlib import Path
from reviewloop.implement.implementer import implement_with_command
implement_with_command(sys.argv[1], "the task", Path(sys.argv[2]), echo=lambda line: None,
                       record=Path(sys.argv[2]) / "running.json")
"""
# The command: a child in the background and one in the foreground, both writing their pids,
# then, long after, a write into the tree (it must never come).
COMMAND = ("sleep 600 & echo $! > bg.pid; (echo $$ > fg.pid; exec sleep 600); "
           "echo late >> late.txt")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["KILL", "TERM"])
def test_the_command_and_what_it_started_die_with_their_runner(tmp_path: Path, sig) -> None:
    runner = subprocess.Popen([sys.executable, "-c", RUNNER, COMMAND, str(tmp_path)],
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        wait_until(lambda: all((tmp_path / f).is_file() and (tmp_path / f).read_text().strip()
                               for f in ("bg.pid", "fg.pid")), timeout=120,
                   what="the command's children started")
        recorded = json.loads((tmp_path / "running.json").read_text())
        assert alive(recorded["pid"])
        runner.send_signal(sig)  # the runner alone, as the OOM killer or `kill PID` does
        assert runner.wait(timeout=60) != 0
    finally:
        runner.kill()
        runner.wait()
    pids = [int((tmp_path / f).read_text()) for f in ("bg.pid", "fg.pid")]
    wait_until(lambda: not any(alive(p) for p in [recorded["pid"], *pids]), timeout=60,
               what="the tethered group gone")
    assert not (tmp_path / "late.txt").exists()


def test_a_finished_command_keeps_its_exit_code_and_leaves_no_record(tmp_path: Path) -> None:
    record = tmp_path / "running.json"
    done = implement_with_command("echo out; exit 3", "", tmp_path, echo=lambda line: None,
                                  record=record)
    assert not done.ok and done.summary.startswith("`echo out; exit 3` exited 3:")
    assert "out" in done.summary
    assert not record.exists()


def test_stop_left_kills_a_recorded_group_still_there(tmp_path: Path) -> None:
    left = subprocess.Popen(["sh", "-c", "sleep 600 & exec sleep 600"],
                            start_new_session=True)
    record = tmp_path / "running.json"
    tether.record(record, left.pid)
    try:
        assert tether.stop_left(record) == left.pid
        assert left.wait(timeout=60) == -signal.SIGKILL
    finally:
        left.kill()
        left.wait()
    assert not record.exists()
    assert tether.stop_left(record) is None  # nothing recorded: nothing to stop


def test_stop_left_never_touches_a_pid_that_is_now_another_process(tmp_path: Path) -> None:
    other = subprocess.Popen(["sleep", "600"], start_new_session=True)
    record = tmp_path / "running.json"
    ticks = tether.start_ticks(other.pid)
    assert ticks is not None
    record.write_text(json.dumps({"pid": other.pid, "start": ticks - 1}))  # a reused pid
    try:
        assert tether.stop_left(record) is None
        assert other.poll() is None and alive(other.pid)
    finally:
        other.kill()
        other.wait()
    assert not record.exists()


@pytest.mark.parametrize("text", ["", "{", "[]", '{"pid": "x"}', '{"start": 1}'])
def test_an_unreadable_record_stops_nothing(tmp_path: Path, text: str) -> None:
    record = tmp_path / "running.json"
    record.write_text(text)
    assert tether.stop_left(record) is None
