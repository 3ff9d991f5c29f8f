"""Helpers shared by several test modules (from test_worktrees.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.git import worktrees as worktree
from reviewloop.git.repository import open_repository
from reviewloop.state_dir import STATE_DIR
from tests.support.gitutil import git
from tests.support.repos import init_repo, write

FILES = {"app.py": "x = 1\n", "notes.txt": "n\n", "tasks.md": "- [ ] 1. a\n- [ ] 2. b\n"}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = init_repo(tmp_path / "repo", FILES)
    git(root, "switch", "-qc", "work")
    open_repository(root).ensure_ignored(STATE_DIR)
    return root


def commit_in(tree: worktree.RunTree, files: dict[str, str], message: str = "task") -> str:
    path = Path(tree.path)
    for rel, text in files.items():
        write(path, rel, text)
    git(path, "add", "-A")
    git(path, "commit", "-qm", message)
    return git(path, "rev-parse", "HEAD").strip()
