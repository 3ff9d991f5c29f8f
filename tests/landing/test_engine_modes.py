"""reviewloop.landing.engine and a file's mode: a run that makes a script executable (or
takes that away), with or without a content change, lands in the checkout as `git checkout`
writes it — the file's mode on disk matches the landed commit and `git status` is clean, so
the user's next `commit -a` does not undo it. Generated over mode flips and contents."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git import worktrees as worktree
from reviewloop.git.repository import open_repository
from reviewloop.landing import engine
from tests.support.gitutil import git
from tests.support.repos import init_repo, write


def _executable(path: Path) -> bool:
    return bool(os.stat(path).st_mode & stat.S_IXUSR)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start_x=st.booleans(), content=st.booleans(), name=st.sampled_from(
    ["run.sh", "bin/tool", "a file.py", "ünï.sh"]))
def test_a_mode_change_lands_in_the_checkout(tmp_path_factory, start_x: bool, content: bool,
                                             name: str) -> None:
    root = init_repo(tmp_path_factory.mktemp("mode") / "repo", {name: "echo 1\n", "n.txt": "n\n"})
    if start_x:
        (root / name).chmod(0o755)
        git(root, "commit", "-qam", "executable")
    git(root, "switch", "-qc", "work")
    tree = worktree.create(open_repository(root), "r1", "reviewloop/1", carry=False)
    ran = Path(tree.path)
    (ran / name).chmod(0o644 if start_x else 0o755)  # the run flips the mode
    if content:
        write(ran, name, "echo 2\n")
    write(ran, "impl/note.txt", "done\n")
    git(ran, "add", "-A")
    git(ran, "commit", "-qm", "task")
    sha = git(ran, "rev-parse", "HEAD").strip()
    write(root, "n.txt", "the user's edit\n")  # unrelated: kept as it is

    checkout = open_repository(root)
    plan = engine.plan(checkout, sha, "work")
    assert engine.blocking(checkout, plan) == []
    assert engine.apply(checkout, plan) == []

    assert _executable(root / name) is not start_x
    assert (root / name).read_text() == ("echo 2\n" if content else "echo 1\n")
    assert git(root, "status", "--porcelain", "-uno").splitlines() == [" M n.txt"]
    assert engine.apply(checkout, plan) == []  # repeated (a resume): nothing more to do
    assert _executable(root / name) is not start_x


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(committed_x=st.booleans(), content=st.booleans())
def test_a_mode_git_ignores_here_is_no_edit_of_yours(tmp_path_factory, committed_x: bool,
                                                     content: bool) -> None:
    """Under `core.fileMode = false` (a checkout on a file system without executable bits,
    or set by hand), a file whose mode on disk differs from the commit is clean to git;
    landing a run that changes that file is not refused as your edit (it was)."""
    root = init_repo(tmp_path_factory.mktemp("filemode") / "repo", {"run.sh": "echo 1\n"})
    if committed_x:
        (root / "run.sh").chmod(0o755)
        git(root, "commit", "-qam", "executable")
    git(root, "config", "core.fileMode", "false")
    (root / "run.sh").chmod(0o644 if committed_x else 0o755)  # the disk disagrees
    assert git(root, "status", "--porcelain", "-uno") == ""  # git: nothing changed
    git(root, "switch", "-qc", "work")
    tree = worktree.create(open_repository(root), "r1", "reviewloop/1", carry=False)
    ran = Path(tree.path)
    if content:
        write(ran, "run.sh", "echo 2\n")
    write(ran, "impl/note.txt", "done\n")
    git(ran, "add", "-A")
    git(ran, "commit", "-qm", "task")
    sha = git(ran, "rev-parse", "HEAD").strip()

    checkout = open_repository(root)
    plan = engine.plan(checkout, sha, "work")
    assert engine.blocking(checkout, plan) == []
    assert engine.apply(checkout, plan) == []
    assert (root / "run.sh").read_text() == ("echo 2\n" if content else "echo 1\n")
    assert git(root, "status", "--porcelain", "-uno") == ""
