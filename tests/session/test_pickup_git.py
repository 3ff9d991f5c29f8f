"""`handoff` and `pickup` against what git can and cannot say (f_a D2, D3, D4). The oracle is
git itself: `git status`'s exit code says whether the tree can be read, `git cat-file -e`
whether a run's commit is still in the repository; and `pickup` writes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.runs.registry import Registry
from tests.support.cli_main import run_cli
from tests.support.gitutil import git
from tests.support.repos import commit, init_repo

SPEC_PATH = "docs/todo-spec.md"


def _spec(done: int) -> str:
    return "# Todo\n\n## Requirements\n- **FR-1** Todos\n\n## Tasks\n" + "".join(
        f"- [{'x' if n <= done else ' '}] T{n} Step {n}\n  - Requirements: FR-1\n"
        for n in range(1, 4))


def _status(root: Path) -> subprocess.CompletedProcess[str]:
    """git's own answer, the oracle: read without refreshing the index (`status` writes
    back what it refreshed, which changed what the handoff after it read), its bytes
    decoded leniently (a damaged index names paths that are not UTF-8)."""
    return subprocess.run(["git", "--no-optional-locks", "status", "--porcelain"], cwd=root,
                          capture_output=True, text=True, errors="replace")


def _tree(root: Path) -> dict[str, bytes]:
    found = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in files:
            path = Path(folder) / name
            found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


# an index damaged in place: bytes overwritten at some offsets, then cut at some length
damages = st.tuples(st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), max_size=6),
                    st.one_of(st.none(), st.integers(0, 400)))


# capsys is read out after every command (run_cli): examples never see each other's words
@settings(max_examples=12, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damage=damages, dirty=st.booleans())
def test_a_tree_git_cannot_read_is_a_blocker_never_clean(capsys, damage, dirty):
    flips, cut = damage
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        root = init_repo(Path(folder) / "repo", {SPEC_PATH: _spec(1), "app.py": "x = 1\n"})
        patch.chdir(root)
        assert run_cli(capsys, "handoff")[0] == 0
        if dirty:
            (root / "app.py").write_text("x = 2\n")
        index = bytearray((root / ".git/index").read_bytes())
        for at, byte in flips:
            if at < len(index):
                index[at] = byte
        (root / ".git/index").write_bytes(bytes(index if cut is None else index[:cut]))
        status = _status(root)
        said = " ".join(status.stderr.split())
        code, out, err = run_cli(capsys, "handoff", "--json")
        assert code == 0, err
        data = json.loads(out)
        text = (root / ".reviewloop/handoff.md").read_text()
        report = json.loads(run_cli(capsys, "pickup", "--json")[1])
        if status.returncode == 0:
            assert not data["facts"]["unread"]
            shown = "clean" if not status.stdout.strip() else "dirty"
            assert f"- working tree: {shown}" in text
            return
        blocker = f"could not read the working tree: {said}"
        assert data["blockers"][0] == blocker
        assert f"- working tree: unknown ({blocker})" in text
        assert "- working tree: clean" not in text
        assert blocker in report["blockers"]
        assert "working tree was clean, now unknown (git could not read it: see the blockers)" \
            in report["discrepancies"]


def _committed_run(root: Path) -> str:
    """A run of T1 committed on branch `work` (its commit ticks T1); the handoff written."""
    git(root, "checkout", "-qb", "work")
    sha = commit(root, {SPEC_PATH: _spec(1), "app.py": "x = 1\n"}, "T1: Step 1")
    registry = Registry(root)
    registry.create("T1-run", task_id="T1", task_title="Step 1", spec=str(root / SPEC_PATH),
                    options={})
    registry.update("T1-run", status="committed", commit_sha=sha)
    return sha


_MOVES = {
    "branch deleted": ["checkout -q main", "branch -qD work"],
    "reset": ["reset -q --hard HEAD~1"],
    "switched away": ["checkout -q main"],
}


@pytest.mark.parametrize("move", sorted(_MOVES))
@pytest.mark.parametrize("pruned", [False, True], ids=["kept", "pruned"])
def test_a_run_committed_at_the_handoff_and_lost_since_is_brought_back_or_redone(
        tmp_path, monkeypatch, capsys, move, pruned):
    root = init_repo(tmp_path / "repo", {SPEC_PATH: _spec(0)}).resolve()
    monkeypatch.chdir(root)
    sha = _committed_run(root)
    assert run_cli(capsys, "handoff")[0] == 0
    for step in _MOVES[move]:
        git(root, *step.split())
    if pruned:
        git(root, "reflog", "expire", "--expire=now", "--all")
        git(root, "gc", "-q", "--prune=now")
    kept = subprocess.run(["git", "cat-file", "-e", f"{sha}^{{commit}}"], cwd=root,
                          capture_output=True).returncode == 0
    report = json.loads(run_cli(capsys, "pickup", "--json")[1])
    branch = git(root, "branch", "--show-current").strip()
    line = next(d for d in report["discrepancies"] if "T1-run" in d)
    assert line.startswith("run T1-run (T1) was committed at the handoff; its commit "
                           f"{sha[:8]} ")
    if kept:
        assert f"is not in the history of {branch}" in line and "still in this repository" in line
        assert report["next"][0] == (f"`git cherry-pick {sha[:12]}` — brings back T1 Step 1 "
                                     f"(run T1-run), committed but not on {branch}")
    else:
        assert "is gone from this repository" in line and "T1 must be done again" in line
        assert not [s for s in report["next"] if "cherry-pick" in s]
        assert report["next"][0] == "`reviewloop run next` — T1 Step 1"


def test_a_run_committed_on_a_branch_the_handoff_was_not_on_is_left_alone(
        tmp_path, monkeypatch, capsys):
    """A run landed on its own branch while the session stays on main (branch-only landing):
    its task was open at the handoff too, nothing was lost, nothing to bring back."""
    root = init_repo(tmp_path / "repo", {SPEC_PATH: _spec(0)}).resolve()
    monkeypatch.chdir(root)
    _committed_run(root)
    git(root, "checkout", "-q", "main")
    assert run_cli(capsys, "handoff")[0] == 0
    report = json.loads(run_cli(capsys, "pickup", "--json")[1])
    assert report["discrepancies"] == []
    assert not [s for s in report["next"] if "cherry-pick" in s]


@pytest.mark.parametrize("registry", ["deleted", "emptied", "kept"])
def test_runs_gone_from_the_registry_are_named_and_pickup_writes_nothing(
        tmp_path, monkeypatch, capsys, registry):
    root = init_repo(tmp_path / "repo", {SPEC_PATH: _spec(0)}).resolve()
    monkeypatch.chdir(root)
    _committed_run(root)
    Registry(root).create("T2-run", task_id="T2", task_title="Step 2",
                          spec=str(root / SPEC_PATH), options={})
    assert run_cli(capsys, "handoff")[0] == 0
    store = root / ".reviewloop/runs.sqlite"
    if registry == "deleted":
        store.unlink()
    elif registry == "emptied":
        store.write_bytes(b"")
    before = _tree(root)
    code, out, err = run_cli(capsys, "pickup", "--json")
    assert code == 0, err
    assert _tree(root) == before  # no registry made, nothing written
    gone = [d for d in json.loads(out)["discrepancies"] if "no longer recorded" in d]
    if registry == "kept":
        assert gone == []
        return
    why = {"deleted": "is gone", "emptied": "is empty"}[registry]
    assert gone == [f"2 run(s) the handoff listed are no longer recorded (the registry "
                    f".reviewloop/runs.sqlite {why}): T2-run (T2) running, T1-run (T1) "
                    "committed; `reviewloop runs`, `resume` and `approve` no longer know them"]
