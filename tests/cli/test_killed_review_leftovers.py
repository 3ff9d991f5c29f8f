"""A review killed outright (SIGKILL, the out-of-memory killer) runs no code of its own: its
exported copy of the change stays where it was made (in `/dev/shm`, memory, when there is
room). The next review removes it, since no live process holds it (`git.held`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from reviewloop.git.held import HELD
from tests.support.waiting_tests import kill_tests, pid_said, waiting_project


def _review(root: Path, scratch: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "reviewloop", "review", "--base", "main",
                             "--head", "feature", "--fail-on", "never", *extra],
                            cwd=root, env={**os.environ, "TMPDIR": str(scratch)},
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def test_the_next_review_removes_what_a_killed_review_left(tmp_path: Path) -> None:
    started = tmp_path / "started"
    root = waiting_project(tmp_path / "repo", started,
                           "def run(values):\n    return sorted(values)\n")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    killed = _review(root, scratch, "--tests")
    try:
        while pid_said(started) is None:
            assert killed.poll() is None, killed.communicate()
            time.sleep(0.02)  # polling for the tests' start, not timing anything
    finally:
        os.killpg(killed.pid, signal.SIGKILL)  # the review, not a line of its own code after
        killed.communicate()
        kill_tests(started)
    left = [p for p in scratch.iterdir() if p.name.endswith(HELD)]
    assert [p.name for p in left if p.name.startswith("reviewloop-head-")], \
        "the killed review's export is left behind"
    for path in left:
        os.utime(path, (0, 0))  # unchanged since long ago
    out, err = _review(root, scratch).communicate(timeout=300)
    assert not any(p.exists() for p in left), (out, err)
    assert not [p.name for p in scratch.iterdir() if p.name.endswith(HELD)]
