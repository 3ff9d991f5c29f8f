"""`review --staged` reviews what `git commit` would record: the analyzers read the index's
files, never the working tree's. Before, bandit read the working tree, so a payload staged
and then overwritten on disk passed (exit 0) and a payload only on disk was reported against
a commit that did not hold it. Whatever the working tree does to each file after staging —
keeps it, rewrites it safe, writes the payload, deletes it — a finding is reported exactly
when the index holds the payload, and the index is left as it was."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.config import Settings
from reviewloop.errors import UserInputError
from reviewloop.runs.review import DiffSource, review_change
from tests.support.gitutil import git
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import review

PAYLOAD = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"
SAFE = "def run(cmd):\n    return cmd\n"
FILES = ("app.py", "pkg/tool.py")
STAGED = st.sampled_from(["payload", "safe"])
ON_DISK = st.sampled_from(["as staged", "payload", "safe", "deleted"])


def _lay_out(root: Path, index: dict[str, str], disk: dict[str, str]) -> None:
    """Stage `index`'s versions, then leave the working tree as `disk` says."""
    write_files(root, {p: PAYLOAD if v == "payload" else SAFE for p, v in index.items()})
    git(root, "add", "-A")
    for path, state in disk.items():
        if state == "deleted":
            (root / path).unlink()
        elif state != "as staged":
            write_files(root, {path: PAYLOAD if state == "payload" else SAFE})


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.fixed_dictionaries(dict.fromkeys(FILES, STAGED)),
       disk=st.fixed_dictionaries(dict.fromkeys(FILES, ON_DISK)))
def test_the_index_is_what_is_reviewed(tmp_path_factory: pytest.TempPathFactory,
                                       index: dict[str, str], disk: dict[str, str]) -> None:
    root = init_repo(tmp_path_factory.mktemp("staged") / "r", {"README.md": "x\n"})
    _lay_out(root, index, disk)
    staged_before = git(root, "diff", "--cached", "--binary")
    status_before = git(root, "status", "--porcelain=v1", "-z")

    done = review(root, "--staged", "--json", "--fail-on", "never")

    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    flagged = {f["file"] for f in report["findings"]["remaining"] if f["rule"] == "B602"}
    assert flagged == {p for p, v in index.items() if v == "payload"}, (index, disk)
    assert report["health"]["complete"], report["health"]
    assert git(root, "diff", "--cached", "--binary") == staged_before
    assert git(root, "status", "--porcelain=v1", "-z") == status_before


@pytest.mark.usefixtures("no_global_git_config")
def test_the_index_needs_no_git_identity(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The index's commit is a record, not the user's: a repository without an identity (a
    fresh container's pre-commit hook) reviews its staged files all the same."""
    root = init_repo(tmp_path / "r", {"README.md": "x\n"})
    for who in ("AUTHOR", "COMMITTER"):
        for what in ("NAME", "EMAIL"):
            monkeypatch.delenv(f"GIT_{who}_{what}", raising=False)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("EMAIL", "")
    _lay_out(root, {"app.py": "payload"}, {"app.py": "safe"})

    done = review(root, "--staged", "--json", "--fail-on", "never")

    assert done.returncode == 0, done.stderr[-2000:]
    assert [f["file"] for f in json.loads(done.stdout)["findings"]["remaining"]
            if f["rule"] == "B602"] == ["app.py"]


def test_a_fix_of_the_index_needs_the_working_tree_to_match_it(tmp_path: Path) -> None:
    """--fix edits the working tree, which it then reads: a changed file whose working
    version is not the staged one is named before any model is asked, and nothing moves."""
    root = init_repo(tmp_path / "r", {"README.md": "x\n"})
    _lay_out(root, {"app.py": "payload", "ok.py": "safe"}, {"app.py": "safe"})
    before = (root / "app.py").read_text()

    with pytest.raises(UserInputError, match=r"1 changed file\(s\) differ .*: app.py"):
        review_change(root, Settings(), DiffSource(staged=True),
                      model_factory=lambda name: None, llm=False, fix=True)
    assert (root / "app.py").read_text() == before
    assert "app.py" in git(root, "diff", "--cached", "--name-only")


def test_an_index_with_conflicts_is_named_not_misread(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "r", {"c.py": "x = 0\n"})
    git(root, "checkout", "-qb", "other")
    write_files(root, {"c.py": "x = 1\n"})
    git(root, "commit", "-qam", "other")
    git(root, "checkout", "-q", "main")
    write_files(root, {"c.py": "x = 2\n"})
    git(root, "commit", "-qam", "main")
    assert subprocess.run(["git", "merge", "-q", "other"], cwd=root,
                          capture_output=True).returncode != 0  # a conflict

    done = review(root, "--staged", "--json")

    assert done.returncode == 2, done.stderr
    assert "1 path(s) with unresolved conflicts: c.py" in done.stderr
    assert "git merge --abort" in done.stderr
