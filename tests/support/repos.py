"""Helpers shared by several test modules (from test_repository.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gitutil import git

BASE_FILES = {
    "a.txt": "alpha\n",
    "b.txt": "bravo\n",
    "c.txt": "charlie\n",
    "d.txt": "delta\n",
    "e.txt": "echo\n",
    "src/app.py": "def main():\n    return 1\n",
}


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())


def init_repo(root: Path, files: dict[str, str] | None = None, branch: str = "main") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", branch)
    git(root, "config", "user.name", "Test User")
    git(root, "config", "user.email", "test@example.invalid")
    for rel, text in (files or {}).items():
        write(root, rel, text)
    if files:
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "base")
    return root


def user_view(root: Path) -> dict[str, str]:
    """Everything a user would notice: status, staged diff, unstaged diff."""
    return {
        "status": git(root, "status", "--porcelain", "--untracked-files=all"),
        "staged": git(root, "diff", "--cached"),
        "unstaged": git(root, "diff"),
    }


@pytest.fixture(name="root")
def base_root(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "repo", BASE_FILES)
