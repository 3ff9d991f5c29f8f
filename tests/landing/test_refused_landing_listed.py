"""A run whose landing `approve` refused (the user's checkout has edits to the run's files)
is listed as what it is: approved, its commit waiting on the run's branch (git's own branch
is the oracle), by `runs`, `runs --json` and the handoff; `approve` then lands it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.loop_cli import cli
from tests.support.waiting_runs import start_waiting, waiting_repo


def _rewrite(path: Path) -> None:
    path.write_text("def base():\n    return 2  # the user's edit\n")


def _append(path: Path) -> None:
    with path.open("a") as handle:
        handle.write("# the user's note\n")


def _chmod(path: Path) -> None:
    path.chmod(0o755)


def _delete(path: Path) -> None:
    path.unlink()


EDITS: dict[str, Callable[[Path], None]] = {
    "rewrite": _rewrite, "append": _append, "chmod": _chmod, "delete": _delete}


def _row(root: Path, run_id: str) -> dict:
    listed = json.loads(cli(root, "runs", "--json").stdout)
    runs = listed["runs"] if isinstance(listed, dict) else listed
    return next(r for r in runs if r["run_id"] == run_id)


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_refused_landing_is_listed_as_approved_with_its_commit_waiting(tmp_path: Path,
                                                                          edit: str):
    root = waiting_repo(tmp_path / "repo")
    run_id = start_waiting(root)
    EDITS[edit](root / "app/core.py")
    refused = cli(root, "approve", run_id)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    row = _row(root, run_id)
    branch = row["worktree"]["branch"]
    assert row["status"] == "failed"  # the registry's status (approve/reject still take it)
    assert row["commit"] == git(root, "rev-parse", f"refs/heads/{branch}").strip()
    assert row["detail"].startswith(f"approved; its commit waits on branch {branch}: ")
    shown = cli(root, "runs").stdout
    assert f"Run {run_id}: approved; its commit waits on branch {branch}: " in shown
    assert cli(root, "handoff").returncode == 0
    handoff = (root / ".reviewloop/handoff.md").read_text(encoding="utf-8")
    assert f"failed: approved; its commit waits on branch {branch}: " in handoff
    assert f"`reviewloop approve {run_id}`" in handoff
    assert f"`reviewloop resume {run_id}`" not in handoff
    git(root, "checkout", "--", "app/core.py")
    landed = cli(root, "approve", run_id)
    assert landed.returncode == 0, landed.stdout + landed.stderr
    row = _row(root, run_id)
    assert row["status"] == "committed" and not (row["detail"] or "").startswith("approved;")
