"""Small real git repositories for the tests, built one way: `init_repo` (a repository,
its first commit), `commit` (write, stage all, commit), `branch_repo` (main with a base and
a branch with a head commit), `feature_branch` (byte names, symlinks), `wave_repo`,
`bare_origin`, `tasks_origin`, `run_worktree`, `repo_here`; and what a user would notice
of a checkout (`user_edits`, `user_view`). A test that builds a repository by hand with
`git init` ... `git commit` should use (or add) one of these instead."""

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


def write(root: Path, rel: str, text: str | bytes) -> None:
    """`text` (UTF-8 where a str) at `rel` below `root`, its folders made."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)


def write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    for rel, text in files.items():
        write(root, rel, text)


def commit(root: Path, files: Mapping[str, str | bytes] | None = None,
           message: str = "change") -> str:
    """Write `files` into the repository at `root`, stage the whole tree (`git add -A`) and
    commit it as `message`; the new commit's id."""
    write_files(root, files or {})
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)
    return git(root, "rev-parse", "HEAD").strip()


def init_repo(root: Path, files: Mapping[str, str | bytes] | None = None, branch: str = "main",
              message: str = "base") -> Path:
    """A repository at `root` (made if missing) on `branch`; `files` written and, with what
    `root` already held, committed as `message` (no files: no commit). No identity of its
    own: commits are the suite's (tests/support/environment.py), and a test that takes git's
    identity away sees none here either."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", branch)
    if files:
        commit(root, files, message)
    return root


def branch_repo(root: Path, base: Mapping[str, str | bytes],
                head: Mapping[str, str | bytes] | None = None, *, branch: str = "feature",
                base_message: str = "base", message: str = "change") -> Path:
    """`main` holding `base` (with what `root` already held), committed as `base_message`,
    and `branch` checked out from it; `head` written and committed on `branch` as `message`
    (no `head`: the branch is where main is)."""
    init_repo(root, base, message=base_message)
    git(root, "switch", "-qc", branch)
    if head:
        commit(root, head, message)
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


NO_GATES = "[gates]\nbuild = []\ntest = []\n"


def wave_repo(tmp_path: Path, tasks: str) -> Path:
    """`tmp_path/wave`: `main` holding the task list `tasks` at .kiro/specs/wave/tasks.md and
    settings with no build or test gate, committed as "spec"; checked out on `work`."""
    return branch_repo(tmp_path / "wave", {".kiro/specs/wave/tasks.md": tasks,
                                           ".reviewloop.toml": NO_GATES},
                       branch="work", base_message="spec")


def run_worktree(checkout: Path, branch: str = "run-1", track: tuple[str, ...] = ()) -> Path:
    """`checkout` (made if missing) a repository on `main` whose one commit holds only
    `track` (the rest of what it holds stays untracked), and git's own linked worktree of a
    new branch `branch` at `.reviewloop/worktrees/<branch>` in it, as a run makes; the
    worktree's path."""
    init_repo(checkout)
    if track:
        git(checkout, "add", *track)
    git(checkout, "commit", "-q", "--allow-empty", "-m", "start")
    worktree = checkout / ".reviewloop" / "worktrees" / branch
    git(checkout, "worktree", "add", "-q", "-b", branch, str(worktree))
    return worktree


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
    return bare_origin(tmp_path, {
        spec: tasks, "README.md": "# tasks\n",
        ".reviewloop.toml": f"max_rounds = 1\n\n{NO_GATES}\n[review]\ncache_warm = false\n"
                            f'\n[run]\nland = "{land}"\n'}, "spec")


def bare_origin(tmp_path: Path, files: Mapping[str, str | bytes], message: str = "base") -> Path:
    """`origin.git` in `tmp_path`, a bare clone of `seed` beside it: `main` holding `files`,
    committed as `message`."""
    seed = init_repo(tmp_path / "seed", files, message=message)
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
