"""`unstarted.given_up`: a stopped run with no checkpoint is abandoned; its worktree and branch
are removed only when they hold nothing but what the run was made with — a file written or
changed there, or a commit on its branch, is kept and named; your checkout is never touched.
A run with a checkpoint is left to resume. Real git, a real registry and checkpoint store."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from reviewloop.config import Settings
from reviewloop.git import worktrees
from reviewloop.git.repository import open_repository
from reviewloop.runs.registry import Registry, new_run_id
from reviewloop.runs.store import checkpointer
from reviewloop.runs.unstarted import given_up, has_checkpoint
from tests.support.gitutil import git
from tests.support.repos import wave_repo

# what happened in the run's worktree after it was made: each keeps it, but "nothing"
AFTER = {
    "nothing": lambda root, tree: None,
    "new file": lambda root, tree: (Path(tree.path) / "notes.txt").write_text("mine\n"),
    "edited": lambda root, tree: (Path(tree.path) / ".reviewloop.toml").write_text("# x\n"),
    "deleted": lambda root, tree: (Path(tree.path) / ".reviewloop.toml").unlink(),
    "committed": lambda root, tree: git(Path(tree.path), "commit", "-q", "--allow-empty",
                                        "-m", "extra"),
    "folder gone": lambda root, tree: worktrees.remove(open_repository(root), tree,
                                                       branch=False),
}


def _registered(root: Path) -> tuple[Registry, str, worktrees.RunTree]:
    run_id = new_run_id("1")
    tree = worktrees.create(open_repository(root), run_id, f"reviewloop/wave/{run_id}",
                            carry=False)
    registry = Registry(root)
    registry.create(run_id, task_id="1", task_title="First", spec=str(
        root / ".kiro/specs/wave/tasks.md"), options={"worktree": tree.model_dump(mode="json")})
    return registry, run_id, tree


@pytest.mark.parametrize(("after", "status"),
                         list(itertools.product(sorted(AFTER), ["running", "interrupted"])))
def test_a_run_with_no_checkpoint_is_abandoned_keeping_what_was_written(
        tmp_path: Path, after: str, status: str) -> None:
    root = wave_repo(tmp_path, "# Tasks\n\n- [ ] 1. First\n")
    registry, run_id, tree = _registered(root)
    registry.update(run_id, status=status)
    AFTER[after](root, tree)
    before = git(root, "rev-parse", "HEAD"), git(root, "status", "--porcelain")
    said = given_up(Settings(), root, registry, registry.get(run_id))
    assert said is not None and "starts afresh" in said
    assert registry.get(run_id).status == "abandoned"
    branches = git(root, "branch", "--list", tree.branch)
    if after in ("nothing", "folder gone"):
        assert not Path(tree.path).exists() and branches == ""
        assert "kept" not in said
    elif after == "committed":
        assert not Path(tree.path).exists() and branches.strip()  # its commit kept
        assert f"its branch {tree.branch} is kept" in said
    else:
        assert Path(tree.path).is_dir() and "worktree" in said and "is kept" in said
    assert (git(root, "rev-parse", "HEAD"), git(root, "status", "--porcelain")) == before


def test_a_run_with_a_checkpoint_is_left_to_resume(tmp_path: Path) -> None:
    root = wave_repo(tmp_path, "# Tasks\n\n- [ ] 1. First\n")
    registry, run_id, tree = _registered(root)
    with checkpointer(Settings(), root) as saver:  # a step of it saved
        config = {"configurable": {"thread_id": run_id, "checkpoint_ns": ""}}
        saver.put(config, {"v": 1, "id": "1ef0", "ts": "2026-01-01T00:00:00+00:00",
                           "channel_values": {}, "channel_versions": {},
                           "versions_seen": {}, "pending_sends": []}, {}, {})
    assert has_checkpoint(Settings(), root, run_id)
    assert given_up(Settings(), root, registry, registry.get(run_id)) is None
    assert registry.get(run_id).status == "running" and Path(tree.path).is_dir()
