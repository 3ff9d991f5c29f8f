"""`run all`, `run next` and `plan` never call a spec finished that is not: a spec none of
whose task lines can be read is refused (exit 2, naming the file and a task line's shape, no
run started, no matrix printed), and tasks a dependency cycle leaves out keep a batch from
exiting 0. Real CLI processes, real git, a command implementer (no model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.loop_cli import cli
from tests.support.repos import branch_repo

SPEC = ".kiro/specs/f/tasks.md"
UNREAD = {
    "lone CR": "# Implementation Plan\r\r- [ ] 1. Base\r- [ ] 2. Models\r  - [ ] 2.1 Model A\r",
    "bent checkboxes": "# Implementation Plan\n\n- [ ]1. Base\n-[ ] 2. Models\n- [  ] 3. API\n",
}
CYCLE = ("# Implementation Plan\n\n- [ ] 1. A\n- [ ] 2. B\n  - _Depends: 3_\n- [ ] 3. C\n"
         "  - _Depends: 2_\n- [ ] 4. D\n- [ ] 5. E\n  - _Depends: 5_\n")
WRITE = "#!/bin/sh\nmkdir -p notes\necho done > \"notes/task_$REVIEWLOOP_TASK_ID.txt\"\n"
CONFIG = '[gates]\nbuild = ["true"]\ntest = ["true"]\n'


def _repo(tmp_path: Path, tasks: str) -> tuple[Path, str]:
    root = branch_repo(tmp_path / "repo", {SPEC: tasks, ".reviewloop.toml": CONFIG,
                                          ".gitignore": ".reviewloop/\n",
                                          ".kiro/specs/f/requirements.md": "# R\n"},
                       branch="work")
    script = tmp_path / "implement.sh"
    script.write_text(WRITE)
    script.chmod(0o755)
    return root, f"cmd:{script}"


@pytest.mark.parametrize("kind", sorted(UNREAD))
def test_a_spec_with_no_readable_task_is_refused_by_run_and_plan(tmp_path: Path,
                                                                 kind: str) -> None:
    root, implementer = _repo(tmp_path, UNREAD[kind])
    for args in (("run", "all", "--yes"), ("run", "next", "--yes"),
                 ("plan", "--format", "github-matrix")):
        done = cli(root, *args, "--implementer", implementer) if args[0] == "run" else \
            cli(root, *args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        said = " ".join(done.stderr.split())
        assert f"error: {SPEC}: no task of this kiro spec could be read: {SPEC}:" in said
        assert "fix: write each task on its own line as `- [ ] 1. Title`" in said
        assert "Every task is done" not in done.stdout
        assert "include" not in done.stdout  # no matrix: CI does not take it for "done"
    assert not (root / ".reviewloop" / "worktrees").exists()  # no run was started


def test_tasks_a_cycle_leaves_out_keep_the_batch_from_exiting_0(tmp_path: Path) -> None:
    root, implementer = _repo(tmp_path, CYCLE)
    batch = cli(root, "run", "all", "--yes", "--implementer", implementer)
    assert batch.returncode == 1, batch.stdout + batch.stderr
    report = batch.stdout[batch.stdout.index("Batch "):]
    assert report.splitlines()[0].endswith(": 3 left out, 2 committed")
    for task in ("2", "3", "5"):
        assert (f"  {task}: left out: in or waiting on a dependency cycle; correct the spec "
                "(`reviewloop tasks` names the cycle)") in report
    assert f"{SPEC}:4: dependency cycle 2 → 3 → 2 (each waits on the next); left out of " \
        "the plan" in " ".join(batch.stderr.split())

    after = cli(root, "run", "next", "--yes", "--implementer", implementer)
    assert after.returncode == 1, after.stdout + after.stderr
    assert "No task can start now.\n  Left out: 2, 3, 5: in or waiting on a dependency " \
        "cycle; correct the spec:\n" in after.stdout
    assert f"    {SPEC}:4: dependency cycle 2 → 3 → 2 (each waits on the next)" in after.stdout
    assert json.loads(cli(root, "plan", "--format", "github-matrix").stdout) == \
        {"include": []}
