"""The fix an unknown revision names (reviewloop.git.revisions.fetch_fix) works as printed:
in a single-branch shallow clone, as CI makes, each form a user gives — a full commit id,
`origin/BRANCH`, a plain branch or tag name, a relative revision — resolves after the
printed command runs in a fresh identical clone."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from reviewloop.errors import UserInputError
from reviewloop.git.repository import open_repository
from tests.support.gitutil import git
from tests.support.repos import commit, init_repo


@pytest.fixture
def upstream(tmp_path: Path) -> Path:
    root = init_repo(tmp_path / "up", {"a.py": "a = 1\n"})
    commit(root, {"a.py": "a = 2\n"})
    git(root, "branch", "feature")
    git(root, "tag", "v1", "HEAD~1")
    commit(root, {"a.py": "a = 3\n"})
    return root


def _clone(upstream: Path, to: Path) -> Path:
    git(upstream.parent, "clone", "-q", "--depth", "1", "--single-branch", "--no-tags",
        f"file://{upstream}", str(to))
    return to


def _fix(upstream: Path, tmp_path: Path, rev: str) -> str:
    clone = _clone(upstream, tmp_path / "asked")
    with pytest.raises(UserInputError) as unknown:
        open_repository(clone).diff_refs(rev, "HEAD")
    assert f"unknown revision: {rev}" in str(unknown.value)
    return unknown.value.fix or ""


@pytest.mark.parametrize("rev", ["origin/feature", "feature", "v1", "FULL"])
def test_the_printed_fetch_makes_the_revision_resolve(upstream: Path, tmp_path: Path,
                                                      rev: str) -> None:
    if rev == "FULL":
        rev = git(upstream, "rev-parse", "HEAD~1").strip()
    command = re.search(r"\((git fetch [^)]*)\)", _fix(upstream, tmp_path, rev))
    assert command is not None
    fresh = _clone(upstream, tmp_path / "fresh")
    git(fresh, *shlex.split(command.group(1))[1:])
    assert git(fresh, "rev-parse", "--verify", f"{rev}^{{commit}}").strip()


@pytest.mark.parametrize("rev", ["HEAD~1", "HEAD^", "main~1"])
def test_a_relative_revision_in_a_shallow_clone_asks_for_history(upstream: Path,
                                                                 tmp_path: Path,
                                                                 rev: str) -> None:
    fix = _fix(upstream, tmp_path, rev)
    assert "git fetch --deepen=N" in fix and f"git fetch origin {rev}" not in fix
    fresh = _clone(upstream, tmp_path / "fresh")
    git(fresh, "fetch", "-q", "--deepen=1")
    assert git(fresh, "rev-parse", "--verify", f"{rev}^{{commit}}").strip()


def test_a_relative_revision_past_the_first_commit_is_no_fetch(upstream: Path) -> None:
    with pytest.raises(UserInputError) as unknown:
        open_repository(upstream).diff_refs("HEAD~9", "HEAD")
    assert "git log --oneline HEAD lists them" in (unknown.value.fix or "")
