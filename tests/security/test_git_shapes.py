"""Repository shapes users have, each a clear outcome rather than a crash (exit 3) or bad
advice: two refs without common history (a shallow clone in CI, an orphan branch), a
revision that names something other than a commit, a new file outside a sparse checkout's
cone, and a repository of its own created inside the checkout."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import review

PAYLOAD = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"


def _feature(root: Path) -> None:
    git(root, "checkout", "-qb", "feature")
    write_files(root, {"app.py": PAYLOAD})
    git(root, "add", "-A")
    git(root, "commit", "-qm", "feature")


def test_refs_without_common_history_are_the_users_to_fetch(tmp_path: Path) -> None:
    origin = init_repo(tmp_path / "origin", {"README.md": "x\n"})
    _feature(origin)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "-b", "main",
                    f"file://{origin}", str(clone)], check=True)
    git(clone, "fetch", "-q", "--depth", "1", "origin", "feature:feature")
    git(origin, "checkout", "-q", "--orphan", "orphan")
    git(origin, "commit", "-qm", "orphan")

    for root, head in ((clone, "feature"), (origin, "orphan")):
        done = review(root, "--base", "main", "--head", head, "--json")
        assert done.returncode == 2, done.stderr
        assert f"main and {head} have no commit in common here" in done.stderr
        assert "fetch-depth: 0" in done.stderr


@pytest.mark.parametrize(("rev", "said"), [
    ("main:README.md", "names a blob, not a commit"),
    ("main^{tree}", "names a tree, not a commit"),
    ("blob-tag", "names a blob, not a commit"),
    ("main..feature", "is a range, not a commit"),
    ("main...feature", "is a range, not a commit"),
    ("no-such-branch", "unknown revision: no-such-branch")])
def test_a_revision_that_is_no_commit_says_what_it_is(tmp_path: Path, rev: str,
                                                       said: str) -> None:
    """Only an unknown revision is told to be fetched: `git fetch origin main:README.md`
    would make a branch named README.md."""
    root = init_repo(tmp_path / "r", {"README.md": "x\n"})
    _feature(root)
    git(root, "tag", "blob-tag", "main:README.md")

    done = review(root, "--base", rev, "--head", "feature", "--json")

    assert done.returncode == 2, done.stderr
    assert f"{rev} {said}" in done.stderr or said in done.stderr, done.stderr
    assert ("git fetch origin" in done.stderr) == rev.startswith("no-such"), done.stderr


def test_a_new_file_outside_a_sparse_checkouts_cone_is_reviewed(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "r", {"in/a.py": "x = 1\n", "out/b.py": "x = 1\n"})
    git(root, "sparse-checkout", "set", "in")
    write_files(root, {"out/new.py": PAYLOAD})

    done = review(root, "--json", "--fail-on", "never")

    assert done.returncode == 0, done.stderr[-2000:]
    found = {f["file"] for f in json.loads(done.stdout)["findings"]["remaining"]
             if f["rule"] == "B602"}
    assert found == {"out/new.py"}


@pytest.mark.parametrize("committed", [False, True])
def test_a_repository_made_inside_the_checkout_is_named_not_read(tmp_path: Path,
                                                                 committed: bool) -> None:
    root = init_repo(tmp_path / "r", {"README.md": "x\n"})
    inner = init_repo(root / "inner", {"evil.py": PAYLOAD} if committed else None)
    write_files(inner, {"evil.py": PAYLOAD})
    write_files(root, {"other.py": "x = 1\n"})

    done = review(root, "--json", "--fail-on", "never")

    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert "inner/: a git repository of its own, untracked, left out of the review" in \
        report["skipped"]


@pytest.mark.parametrize("flag", ["--assume-unchanged", "--skip-worktree"])
def test_edits_git_is_told_not_to_see_are_named_not_read(tmp_path: Path, flag: str) -> None:
    """A tracked file marked so that git shows none of its edits (a local config kept out of
    commits) is not reviewed, as no commit holds its edits; but it is named, with the way
    to show them, rather than passed over unsaid. Unedited, it is not named."""
    root = init_repo(tmp_path / "r", {"a.py": "x = 1\n", "kept.py": "y = 1\n"})
    git(root, "update-index", flag, "a.py")
    git(root, "update-index", flag, "kept.py")
    write_files(root, {"a.py": PAYLOAD, "other.py": "z = 2\n"})

    done = review(root, "--json", "--fail-on", "never")

    assert done.returncode == 0, done.stderr[-2000:]
    skipped = json.loads(done.stdout)["skipped"]
    named = [s for s in skipped if s.startswith(("a.py:", "kept.py:"))]
    assert named == [f"a.py: edited, but marked {flag[2:]} in the index: git sees none of "
                     f"its edits and neither does the review (git update-index --no-"
                     f"{flag[2:]} a.py shows them)"], skipped
    write_files(root, {"other.py": "x = 1\n"})
    git(root, "add", "other.py")
    git(root, "commit", "-qm", "other")
    nothing = review(root, "--json")
    assert nothing.returncode == 0 and "not read: a.py: edited" in nothing.stderr, nothing
