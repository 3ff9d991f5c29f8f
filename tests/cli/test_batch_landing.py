"""`run all -j N`: tasks of one wave that each append to the same file. The first to land
moves the branch; each later one's commit no longer merges (git's own conflict), so the
batch runs that task once more from the branch as it is now. Every task lands, each change
exactly once, and the batch's report names every task with where it stands."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.loop_cli import cli
from tests.support.repos import wave_repo

# each task appends its own function to shared.py (created by whichever runs first)
AGENT = """import os, pathlib, sys
sys.stdin.read()
tid = os.environ['REVIEWLOOP_TASK_ID']
shared = pathlib.Path('shared.py')
text = shared.read_text() if shared.exists() else '\"\"\"Shared helpers.\"\"\"\\n'
shared.write_text(text + f'\\n\\ndef f_{tid}(x: int) -> int:\\n    return x + {tid}\\n')
pathlib.Path(f'test_f_{tid}.py').write_text(
    f'from shared import f_{tid}\\n\\n\\ndef test_f_{tid}():\\n    assert f_{tid}(0) == {tid}\\n')
"""

# (tasks in the wave, jobs, --continue): each a batch of real runs, so two of the product
VARIANTS = [(3, 3, True), (2, 2, False)]


@pytest.mark.parametrize(("tasks", "jobs", "keep_going"), VARIANTS)
def test_tasks_of_a_wave_appending_to_one_file_all_land_once(
        tmp_path: Path, tasks: int, jobs: int, keep_going: bool) -> None:
    ids = [str(i) for i in range(1, tasks + 1)]
    root = wave_repo(tmp_path, "".join(f"- [ ] {i}. Helper {i}\n\n" for i in ids))
    agent = tmp_path / "agent.py"
    agent.write_text(AGENT)
    done = cli(root, "run", "all", "-j", str(jobs), "--implementer",
               f"cmd:{sys.executable} {agent}", "--yes",
               *(["--continue"] if keep_going else []), timeout=600)
    said = " ".join(done.stdout.split())
    assert done.returncode == 0, done.stdout + done.stderr
    # the oracle: git's own view of the branch: each task's function exactly once
    shared = git(root, "show", "HEAD:shared.py")
    assert sorted(line for line in shared.splitlines() if line.startswith("def ")) == \
        sorted(f"def f_{i}(x: int) -> int:" for i in ids)
    subjects = git(root, "log", "--format=%s", "-n", str(tasks)).splitlines()
    assert sorted(s.split(":")[0] for s in subjects) == ids
    # the batch's report: every task, committed
    assert f"{tasks} committed" in said
    for i in ids:
        assert f" {i}: committed: " in said, said
    runs = json.loads(cli(root, "runs", "--json").stdout)
    runs = runs["runs"] if isinstance(runs, dict) else runs
    redone = [r for r in runs if r["status"] == "abandoned"]
    assert len(redone) == tasks - 1  # all but the first to land ran again
    for run in redone:  # given up, but its commit is kept where `runs` says
        assert run["commit"] and "run again" in run["detail"]
        git(root, "cat-file", "-e", f"{run['commit']}^{{commit}}")
