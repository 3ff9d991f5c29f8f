"""Helpers shared by several test modules (from test_repository.py)."""

from __future__ import annotations

import os
from collections.abc import Mapping
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


def feature_branch(root: Path, files: Mapping[str | bytes, bytes],
                   links: Mapping[str, str] | None = None) -> Path:
    """A repository at `root`: `main` with a README, and `feature`, checked out, adding
    `files` (contents by path; a bytes path is a name that need not be UTF-8) and the
    symlinks `links` (path → target)."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("project\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "feature")
    for name, data in files.items():
        path = os.path.join(os.fsencode(root), name) if isinstance(name, bytes) else root / name
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(data)
    for rel, target in (links or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).symlink_to(target)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "feature")
    return root


def repo_here(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty git repository at `root`, made the working directory (as a user runs
    `reviewloop spec` in a new project); its resolved path."""
    root.mkdir(parents=True)
    git(root, "init", "-q")
    monkeypatch.chdir(root)
    return root.resolve()


def tasks_origin(tmp_path: Path, spec: str, tasks: str, land: str) -> Path:
    """A bare repository, `origin.git` in `tmp_path`, whose main has the task list `tasks`
    at `spec` and a README; its settings: one round, no build or test gate, no cache
    warm-up call (the spend figures are the scripted replies' own), `run.land = land`."""
    seed = tmp_path / "seed"
    (seed / spec).parent.mkdir(parents=True)
    (seed / spec).write_text(tasks)
    (seed / ".reviewloop.toml").write_text(
        "max_rounds = 1\n\n[gates]\nbuild = []\ntest = []\n\n[review]\ncache_warm = false\n"
        f'\n[run]\nland = "{land}"\n')
    (seed / "README.md").write_text("# tasks\n")
    git(seed, "init", "-q", "-b", "main")
    git(seed, "add", ".")
    git(seed, "commit", "-qm", "spec")
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    return bare


def user_edits(root: Path) -> dict[str, str]:
    """An unstaged edit of the README, a staged new file and an untracked file of the
    user's; then `user_view`."""
    readme = root / "README.md"
    readme.write_text(readme.read_text() + "\nmy notes\n")
    (root / "STAGED.md").write_text("staged\n")
    git(root, "add", "STAGED.md")
    (root / "scratch.txt").write_text("untracked\n")
    return user_view(root)


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
