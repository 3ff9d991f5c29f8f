"""`reviewloop run PARENT` on a task with open sub-tasks: refused with exit 2 before anything is
created, naming the sub-tasks and how to run them; a parent closes only with its last
sub-task, never from its title alone (Kiro's rule, docs/specs.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.loop_cli import (
    SPEC,
    cli,
    example_project,  # noqa: F401 - the fixture `project` here
)
from tests.support.repos import commit

KIRO = ".kiro/specs/f/tasks.md"
KIRO_TASKS = ("# Implementation Plan\n\n- [ ] 1. Setup\n\n- [ ] 2. Models\n  - [ ] 2.1 Model A\n"
              "  - [x] 2.2 Model B\n  - [ ] 2.3 Model C\n  - [ ]* 2.4 Optional extra\n")


@pytest.mark.parametrize(("spec", "parent", "said"), [
    (SPEC, "T3", "its open sub-tasks T3.1 (Share the title validation of `add` in one "
                 "`_clean_title` helper), T3.2 (Implement `rename(todo_id, title)`) are the "
                 "work"),
    (KIRO, "2", "its open sub-tasks 2.1 (Model A), 2.3 (Model C) are the work"),
])
def test_running_a_parent_with_open_subtasks_is_refused_naming_them(
        project: Path, spec: str, parent: str, said: str) -> None:
    commit(project, {KIRO: KIRO_TASKS}, "kiro spec")
    head, before = git(project, "rev-parse", "HEAD"), (project / spec).read_bytes()
    agent = project.parent / "agent.py"
    agent.write_text("from pathlib import Path\nPath('x.py').write_text('x = 1\\n')\n")

    done = cli(project, "run", parent, "--spec", spec, "--yes", "--implementer",
               f"cmd:{sys.executable} {agent}", "--branch", "work")

    assert done.returncode == 2, done.stdout + done.stderr
    message = " ".join(done.stderr.split())
    assert f"task {parent} (" in message and said in message, done.stderr
    assert "and it closes when the last of them lands" in message
    first = said.split("sub-tasks ", 1)[1].split(" ", 1)[0]
    assert f"fix: run them: `reviewloop run {first}`, then the next" in message
    assert git(project, "rev-parse", "HEAD") == head
    assert (project / spec).read_bytes() == before
    assert git(project, "branch", "--list", "work") == ""  # nothing was created
    assert not (project / ".reviewloop" / "worktrees").exists()
    assert not (project / "x.py").exists()
