"""`run all` killed (SIGKILL) between a run's registration and its first checkpoint (r25 D6):
the next `run all` abandons that run — nothing of it can be resumed — clears its worktree and
branch as `clean` would, and runs the task afresh; every task is committed once, and `runs`
never advises resuming it. Real CLI processes, real git; the kill is before a git command
drawn from that window of a reference run's own git log."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewloop.git.worktrees import WORKTREES
from tests.support.crash import crash_env, killed_mark
from tests.support.gitutil import git
from tests.support.loop_cli import cli
from tests.support.repos import wave_repo

TASKS = "# Tasks\n\n- [ ] 1. First\n- [ ] 2. Second\n"
WRITE = ("import sys, uuid\nfrom pathlib import Path\n"
         "Path(f'impl-{uuid.uuid4().hex}.txt').write_text(sys.stdin.read())\n")


def _implementer(where: Path) -> str:
    script = where / "implement.py"
    script.write_text(WRITE)
    return f"cmd:{sys.executable} {script}"


def _commands(log: Path) -> list[str]:
    """The git subcommands of a shim's log, in order (the `-c` options left out)."""
    found = []
    for line in log.read_text().splitlines():
        words = line.split()
        rest = [w for i, w in enumerate(words) if w != "-c" and (i == 0 or words[i - 1] != "-c")]
        found.append(next((w for w in rest if not w.startswith("--")), ""))
    return found


@pytest.fixture(scope="module")
def window(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, int]:
    """The git commands (1-based) from the first run's `worktree add` to the first save of
    its work before its first checkpoint, in an uninterrupted `run all`: a kill before any
    of them leaves that run registered (or not yet) with no checkpoint."""
    top = tmp_path_factory.mktemp("reference")
    root = wave_repo(top, TASKS)
    log = top / "git.log"
    done = cli(root, "run", "all", "--implementer", _implementer(top), "--yes",
               env=crash_env(top, log=log), timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    commands = _commands(log)
    first = commands.index("worktree") + 1
    return first + 1, commands.index("pack-objects", first) + 1


@settings(max_examples=3, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(at=st.floats(0, 1), jobs=st.sampled_from([1, 2]))
@example(at=1.0, jobs=1)  # before the save of its work: registered, no checkpoint
@example(at=0.0, jobs=2)  # inside the worktree's making: not registered yet
def test_a_batch_killed_before_a_runs_first_checkpoint_carries_on(
        tmp_path_factory: pytest.TempPathFactory, window: tuple[int, int], at: float,
        jobs: int) -> None:
    start, end = window
    nth = start + round(at * (end - start))
    top = tmp_path_factory.mktemp("killed")
    root = wave_repo(top, TASKS)
    implementer = _implementer(top)
    killed = cli(root, "run", "all", "--implementer", implementer, "--yes",
                 env=crash_env(top, log=top / "git.log", nth=nth), timeout=300)
    assert killed_mark(top).exists() and killed.returncode != 0, killed.stdout + killed.stderr
    listed = cli(root, "runs", "--json")
    runs = json.loads(listed.stdout)["runs"] if listed.stdout.strip() else []
    shown = cli(root, "runs")
    for run in runs:  # the registered run has nothing to resume: never advised
        assert f"`reviewloop resume {run['run_id']}` continues it" not in shown.stdout
        assert f"Run {run['run_id']} stopped without finishing and has no checkpoint to " \
               "resume: `reviewloop run all` abandons it" in " ".join(shown.stdout.split())
    again = cli(root, "run", "all", "--implementer", implementer, "--yes", "--jobs",
                str(jobs), timeout=300)
    assert again.returncode == 0, f"killed before git command {nth}\n{shown.stdout}" \
                                  f"{shown.stderr}\n{again.stdout}{again.stderr}"
    assert "- [ ]" not in (root / ".kiro/specs/wave/tasks.md").read_text()
    subjects = git(root, "log", "--format=%s", "main..work").splitlines()
    assert len(subjects) == 2, subjects  # each task committed once
    assert git(root, "status", "--porcelain") == ""  # your checkout: only the landings
    after = {r["run_id"]: r for r in json.loads(cli(root, "runs", "--json").stdout)["runs"]}
    for run in runs:  # the killed run: abandoned, its worktree gone, its branch freed
        assert after[run["run_id"]]["status"] == "abandoned", after
        assert not (root / WORKTREES / run["run_id"]).exists()
        anew = [r for r in after.values() if r["task_id"] == run["task_id"]
                and r["status"] == "committed"]
        assert [r["worktree"]["branch"] for r in anew] == [run["worktree"]["branch"]]
    shutil.rmtree(top, ignore_errors=True)
