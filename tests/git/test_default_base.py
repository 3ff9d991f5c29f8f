"""`reviewloop review --head HEAD` with no `--base` reviews against the default branch. A CI
clone of a feature branch (`git clone --branch feature`, actions/checkout) has that branch
only as `origin/main`: the review stopped with "unknown revision: main … git fetch origin
main" although origin/main was right there (fuzz round 8). The default base is now the local
branch when there is one, else the remote-tracking one.

Generated: the default branch's name (main, trunk) × how it is known (origin/HEAD, or
init.defaultBranch with origin/HEAD removed) × the local branch (absent, at origin's commit,
behind it). The oracle is git itself: the change is `git diff <local or origin/name>...HEAD`."""

from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path

import pytest

from reviewloop.git.repository import open_repository
from tests.support.gitutil import git
from tests.support.repos import init_repo
from tests.support.review_cli import review

SHAPES = list(itertools.product(("main", "trunk"), ("origin-head", "configured"),
                                ("absent", "same", "behind")))


def _clone(tmp: Path, name: str, known: str, local: str) -> Path:
    origin = init_repo(tmp / "origin", {"a.py": "VALUE = 1\n"})
    git(origin, "branch", "-M", name)
    git(origin, "checkout", "-qb", "feature")
    (origin / "b.py").write_text("import os\n\nos.system('ls ' + input())\n")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "feature")
    git(origin, "checkout", "-q", name)
    (origin / "c.py").write_text("VALUE = 3\n")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "main moves on")
    clone = tmp / "clone"
    subprocess.run(["git", "clone", "-q", "--branch", "feature", f"file://{origin}", str(clone)],
                   check=True)
    if known == "configured":
        git(clone, "remote", "set-head", "origin", "--delete")
        git(clone, "config", "init.defaultBranch", name)
    if local != "absent":
        git(clone, "branch", name, f"origin/{name}" + ("~1" if local == "behind" else ""))
    return clone


@pytest.mark.parametrize(("name", "known", "local"), SHAPES)
def test_the_default_base_is_the_local_branch_else_origins(tmp_path, name, known, local) -> None:
    clone = _clone(tmp_path, name, known, local)
    expected = name if local != "absent" else f"origin/{name}"
    repo = open_repository(clone)
    assert repo.default_base() == expected
    truth = git(clone, "diff", "--name-only", f"{expected}...HEAD").split()
    assert sorted(repo.changed_files(repo.default_base(), "HEAD")) == sorted(truth) == ["b.py"]


def test_a_ci_clone_of_a_feature_branch_is_reviewed_without_naming_a_base(tmp_path) -> None:
    clone = _clone(tmp_path, "main", "origin-head", "absent")
    done = review(clone, "--head", "HEAD", "--json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["files"]["created"] == ["b.py"]
    assert report["files"]["modified"] == report["files"]["deleted"] == []
