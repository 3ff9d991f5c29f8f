"""`pickup` after history moved under the handoff: "where we left off" is what the handoff
said, a task ticked then and not now is named, and a run committed since whose commit the
branch does not hold is named with the way to bring it back. The oracle is git itself: the
spec as `git show` has it at the handoff's commit and now, `merge-base --is-ancestor`."""

from __future__ import annotations

import itertools
import json
import re
import subprocess

import pytest

from reviewloop.runs.registry import Registry
from tests.support.cli_main import run_cli
from tests.support.gitutil import git
from tests.support.repos import commit, init_repo

SPEC_PATH = "docs/todo-spec.md"
IDS = ["T1", "T2", "T3"]


def _spec(done: int) -> str:
    return "# Todo\n\n## Requirements\n- **FR-1** Todos\n\n## Tasks\n" + "".join(
        f"- [{'x' if n <= done else ' '}] T{n} Step {n}\n  - Requirements: FR-1\n"
        for n in range(1, 4))


def _git_ok(root, *args: str) -> bool:
    return subprocess.run(["git", *args], cwd=root, capture_output=True).returncode == 0


def _ticked(root, rev: str) -> list[str]:
    return re.findall(r"^- \[x\] (T\d+)", git(root, "show", f"{rev}:{SPEC_PATH}"), re.M)


@pytest.fixture
def ticks(tmp_path, monkeypatch):
    """A repository whose commits tick T1, T2, T3 in turn; the commit ids, oldest first."""
    root = init_repo(tmp_path / "repo", {SPEC_PATH: _spec(0)}).resolve()
    monkeypatch.chdir(root)
    shas = [git(root, "rev-parse", "HEAD").strip()]
    shas += [commit(root, {SPEC_PATH: _spec(n)}, f"tick T{n}") for n in range(1, 4)]
    return root, shas


@pytest.mark.parametrize(("at_handoff", "now"), list(itertools.product(range(4), range(4))))
def test_pickup_states_the_handoffs_progress_and_tasks_undone_since(ticks, capsys,
                                                                    at_handoff, now):
    root, shas = ticks
    git(root, "reset", "-q", "--hard", shas[at_handoff])
    assert run_cli(capsys, "handoff")[0] == 0
    git(root, "reset", "-q", "--hard", shas[now])
    report = json.loads(run_cli(capsys, "pickup", "--json")[1])
    then, today = _ticked(root, shas[at_handoff]), _ticked(root, "HEAD")
    assert f"{SPEC_PATH}: {len(then)}/3 tasks done" in report["left_off"]
    undone = [t for t in then if t not in today]
    lines = [d for d in report["discrepancies"] if "done at the handoff" in d]
    assert lines == ([f"{SPEC_PATH}: {', '.join(undone)} done at the handoff, not done now"]
                     if undone else [])


@pytest.mark.parametrize(("move", "new_run"), list(itertools.product(
    ["branch deleted", "switched away", "merged", "stays"], [True, False])))
def test_a_run_committed_since_off_the_branch_is_named_with_its_way_back(
        tmp_path, monkeypatch, capsys, move, new_run):
    root = init_repo(tmp_path / "repo", {SPEC_PATH: _spec(0)}).resolve()
    monkeypatch.chdir(root)
    git(root, "checkout", "-qb", "work")
    registry = Registry(root)
    if not new_run:
        registry.create("T1-run", task_id="T1", task_title="Step 1",
                        spec=str(root / SPEC_PATH), options={})
        registry.update("T1-run", status="awaiting_approval")
    assert run_cli(capsys, "handoff")[0] == 0
    sha = commit(root, {SPEC_PATH: _spec(1), "app.py": "x = 1\n"}, "T1: Step 1")
    if new_run:
        registry.create("T1-run", task_id="T1", task_title="Step 1",
                        spec=str(root / SPEC_PATH), options={})
    registry.update("T1-run", status="committed", commit_sha=sha)
    if move != "stays":
        git(root, "checkout", "-q", "main")
    if move == "branch deleted":
        git(root, "branch", "-qD", "work")
    elif move == "merged":
        git(root, "merge", "-q", "--ff-only", "work")
    report = json.loads(run_cli(capsys, "pickup", "--json")[1])
    held = _git_ok(root, "merge-base", "--is-ancestor", sha, "HEAD")
    run_line = next(d for d in report["discrepancies"] if "T1-run" in d)
    assert ("is not in the history of" in run_line) is not held
    recover = [s for s in report["next"] if s.startswith("`git cherry-pick")]
    assert recover == ([] if held else [
        f"`git cherry-pick {sha[:12]}` — brings back T1 Step 1 (run T1-run), committed but "
        f"not on {git(root, 'branch', '--show-current').strip()}"])

