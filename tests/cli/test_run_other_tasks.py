"""An implementer that keeps tasks.md itself and ticks another task while doing its own gets
no commit: the landing is refused naming that task (exit 1), the checkout and the spec stay
as they were, and the task stays open for its own run. Ticking its own task is fine."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.loop_cli import cli
from tests.support.repos import branch_repo

SPEC = ".kiro/specs/f/tasks.md"
TASKS = "# Implementation Plan\n\n- [ ] 1. Base\n- [ ] 2. Models\n- [ ] 5. Docs\n"
SCRIPT = ("#!/bin/sh\nmkdir -p notes\necho done > notes/task_$REVIEWLOOP_TASK_ID.txt\n"
          "sed -i 's/^- \\[ \\] {tick}\\. /- [x] {tick}. /' " + SPEC + "\n")


@pytest.mark.parametrize(("tick", "lands"), [("5", False), ("1", True)],
                         ids=["ticks another task", "ticks its own task"])
def test_a_change_that_ticks_another_task_is_not_committed(tmp_path: Path, tick: str,
                                                           lands: bool) -> None:
    root = branch_repo(tmp_path / "repo", {SPEC: TASKS, ".gitignore": ".reviewloop/\n",
                                           ".reviewloop.toml": '[gates]\ntest = ["true"]\n'},
                       branch="work")
    script = tmp_path / "implement.sh"
    script.write_text(SCRIPT.format(tick=tick))
    script.chmod(0o755)
    head = git(root, "rev-parse", "HEAD")
    done = cli(root, "run", "1", "--implementer", f"cmd:{script}", "--yes")
    spec = (root / SPEC).read_text()
    if lands:
        assert done.returncode == 0, done.stdout + done.stderr
        assert "- [x] 1. Base\n- [ ] 2. Models\n- [ ] 5. Docs\n" in spec
        return
    assert done.returncode == 1, done.stdout + done.stderr
    said = " ".join(done.stderr.split())
    assert (f"the change edits other tasks of {SPEC}, which only their own runs may close: "
            "task 5 (Docs) open → done. Nothing was committed.") in said
    assert git(root, "rev-parse", "HEAD") == head
    assert spec == TASKS
