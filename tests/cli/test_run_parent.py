"""`run TASK` on a parent task whose sub-tasks are open is refused (exit 2, naming them and
the command that runs them) before anything is created: run as one unit it was implemented
from its title alone and ticked over its open sub-tasks. Generated over the formats' parent
shapes: the open sub-tasks are the ones `run next`/`plan` would pick."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.spec import docspec, kiro
from reviewloop.spec.select import open_subtasks
from tests.support.gitutil import git
from tests.support.loop_cli import cli
from tests.support.repos import branch_repo

KIRO = ("# Implementation Plan\n\n- [ ] 1. Base\n- [{a}] 2. Models\n{i}- [{b}] 2.1 Model A\n"
        "{i}- [{c}] 2.2 Model B\n{i}- [ ]* 2.3 Optional extra\n- [ ] 3. Service\n")
DOCS = ("# X\n\n## Tasks\n- [ ] T1 Base\n- [{a}] T2 Models\n{i}- [{b}] T2.1 Model A\n"
        "{i}- [{c}] T2.2 Model B\n- [ ] T3 Service\n")
MARKS = st.sampled_from([" ", "x", "-", "~"])


@settings(max_examples=80, deadline=None, derandomize=True)
@given(form=st.sampled_from(["kiro", "docs"]), indent=st.sampled_from(["  ", "    "]),
       a=MARKS, b=MARKS, c=MARKS)
def test_a_parents_open_subtasks_are_its_required_open_leaves(form: str, indent: str, a: str,
                                                              b: str, c: str) -> None:
    template, reader, prefix = (KIRO, kiro.parse, "") if form == "kiro" else \
        (DOCS, docspec.parse, "T")
    parsed = reader(template.format(a=a, b=b, c=c, i=indent), "tasks.md")
    expected = [f"{prefix}2.{n}" for n, mark in ((1, b), (2, c)) if mark != "x"]
    assert open_subtasks(parsed.tasks, f"{prefix}2") == expected
    assert open_subtasks(parsed.tasks, f"{prefix}2.1") == []  # a leaf is its own unit
    assert open_subtasks(parsed.tasks, f"{prefix}1") == []


def test_run_on_a_parent_with_open_subtasks_is_refused(tmp_path: Path) -> None:
    spec = ".kiro/specs/f/tasks.md"
    root = branch_repo(tmp_path / "repo", {spec: KIRO.format(a=" ", b="x", c=" ", i="  "),
                                           ".kiro/specs/f/requirements.md": "# R\n"},
                       branch="work")
    before = (root / spec).read_text()
    done = cli(root, "run", "2", "--implementer", "cmd:true", "--yes", "--branch", "other")
    assert done.returncode == 2, done.stdout + done.stderr
    said = " ".join(done.stderr.split())
    assert ("error: " + str(root / spec) + ": task 2 (Models) is a parent task: its "
            "sub-task(s) 2.2 are not done, and it is closed when they are") in said
    assert "fix: run its sub-tasks: `reviewloop run 2.2` (or `reviewloop run next`" in said
    assert (root / spec).read_text() == before
    assert not (root / ".reviewloop" / "worktrees").exists()
    assert git(root, "branch", "--list", "other").strip() == ""  # no --branch made either
