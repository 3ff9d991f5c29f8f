"""A review of a head commit says which of that commit's files were not read: the list is
judged on the commit's files, never on what the checkout holds at the same paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.config import Settings
from reviewloop.reports.report import RunSummary
from reviewloop.runs.review import DiffSource, review_change
from tests.support.gitutil import git
from tests.support.repos import feature_branch


def test_the_not_read_list_describes_the_head_commit_not_the_checkout(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "elsewhere").write_text("outside\n")
    root = feature_branch(tmp_path / "r", {"app.py": b"x = 1\n"},
                          links={"link.txt": "../elsewhere"})
    git(root, "switch", "-q", "main")  # the checkout: main, with an untracked link where
    (root / "app.py").symlink_to(tmp_path / "elsewhere")  # the head has a plain file

    summary = review_change(root, Settings(), DiffSource(base="main", head="feature"),
                            model_factory=lambda name: None, llm=False)

    assert isinstance(summary, RunSummary)
    named = {line.split(": ", 1)[0]: line for line in summary.skipped}
    assert "app.py" not in named  # a plain file in the commit: read
    assert named["link.txt"].startswith("link.txt: a symlink")  # the commit's own link


def test_a_link_whose_target_changes_is_named_too(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = feature_branch(tmp_path / "r", {"a.py": b"x = 1\n"}, links={"cfg": "a.py"})
    git(root, "switch", "-qc", "retarget")
    (root / "cfg").unlink()
    (root / "cfg").symlink_to("README.md")  # only the target changes: `index …… 120000`
    git(root, "commit", "-qam", "retarget")
    git(root, "switch", "-q", "main")

    summary = review_change(root, Settings(), DiffSource(base="feature", head="retarget"),
                            model_factory=lambda name: None, llm=False)

    assert isinstance(summary, RunSummary)
    assert [line for line in summary.skipped if line.startswith("cfg: ")] == [
        "cfg: a symlink: reviewed as a link, its target is never read"]


def test_a_submodule_and_a_renamed_link_of_the_head_are_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither is in the head's export, and neither shows a mode line in the diff (a link
    renamed whole has none): the commit's own listing names them."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = feature_branch(tmp_path / "r", {"a.py": b"x = 1\n"}, links={"cfg": "a.py"})
    git(root, "switch", "-qc", "more")
    sha = git(root, "rev-parse", "HEAD").strip()
    git(root, "update-index", "--add", "--cacheinfo", f"160000,{sha},vendor/lib")
    git(root, "mv", "cfg", "settings")
    git(root, "commit", "-qm", "a submodule, a renamed link")
    git(root, "switch", "-q", "feature")

    summary = review_change(root, Settings(), DiffSource(base="feature", head="more"),
                            model_factory=lambda name: None, llm=False)

    assert isinstance(summary, RunSummary)
    assert {line for line in summary.skipped if not line.startswith("a.py")} == {
        "settings: a symlink: reviewed as a link, its target is never read",
        "vendor/lib: not a regular file"}
