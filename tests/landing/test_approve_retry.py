"""A commit step that failed and is retried (`approve` again, or `resume`) checks the run's
files against what was reviewed, as the first approval did: an edit made in between is
never committed (through the real CLI, offline)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.loop_cli import cli
from tests.support.waiting_runs import start_waiting, waiting_repo, worktree


def _rewrite(path: Path) -> None:
    path.write_text("import os\ndef greet(name):\n    os.system('rm -rf ' + name)\n")


def _delete(path: Path) -> None:
    path.unlink()


EDITS: dict[str, Callable[[Path], None]] = {"rewrite": _rewrite, "delete": _delete}


@pytest.mark.parametrize(("how", "edit"), list(itertools.product(("approve", "resume"),
                                                                   sorted(EDITS))))
def test_a_retried_commit_step_refuses_an_edit_made_after_the_failure(
        tmp_path: Path, how: str, edit: str):
    root = waiting_repo(tmp_path / "repo")
    run_id = start_waiting(root)
    lock = root / ".git/refs/heads/reviewloop/feat/T1.lock"  # another git process, for a while
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_text("")
    head = git(root, "rev-parse", "HEAD")
    failed = cli(root, "approve", run_id)
    assert failed.returncode != 0, failed.stdout + failed.stderr
    lock.unlink()
    EDITS[edit](worktree(root, run_id) / "app/greet.py")
    again = cli(root, how, run_id)
    assert again.returncode == 1, again.stdout + again.stderr
    assert "app/greet.py changed in its worktree" in again.stderr
    assert git(root, "rev-parse", "HEAD") == head
