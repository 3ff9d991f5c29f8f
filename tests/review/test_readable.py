"""`reviewloop.review.readable`: which changed files may be read, asked once per path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.suppressions.files import tree_text
from reviewloop.git.reads import read_text
from reviewloop.review.readable import (
    MAX_ANALYZED_BYTES,
    SENSITIVE_REASON,
    SYMLINK_REASON,
    Readability,
    one_batch,
    skipped_files,
    skipped_reason,
    unreadable_reason,
)


def test_unreadable_reason_names_each_file_nothing_may_read(tmp_path) -> None:
    """Each reason, and None for a readable file, a deleted one and one under a file."""
    root, outside = tmp_path / "repo", tmp_path / "outside"
    (root / "pkg").mkdir(parents=True)
    outside.mkdir()
    (root / "pkg" / "app.py").write_text("x = 1\n")
    (outside / "leak.py").write_text("x = 1\n")
    (root / "linked").symlink_to(outside)  # a folder of the change that leads out
    (root / "alias.py").symlink_to(root / "pkg" / "app.py")
    (root / "big.py").write_bytes(b"#" * (MAX_ANALYZED_BYTES + 1))
    os.mkfifo(root / "pipe.py")

    assert unreadable_reason(root, "pkg/app.py") is None
    assert unreadable_reason(root, "gone.py") is None  # deleted: nothing to read
    assert unreadable_reason(root, "pkg/app.py/inner.py") is None
    assert unreadable_reason(root, "linked/leak.py") == "leads outside the repository"
    assert unreadable_reason(root, "alias.py").startswith("a symlink: ")
    assert unreadable_reason(root, "pipe.py") == "not a regular file"
    assert unreadable_reason(root, "pkg") == "not a regular file"
    assert unreadable_reason(root, "big.py") == (
        f"too large to analyze ({MAX_ANALYZED_BYTES + 1:,} bytes; "
        f"the limit is {MAX_ANALYZED_BYTES:,})")
    assert skipped_reason(root, "linked/leak.py", ("*.env",)) == "leads outside the repository"


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    root, outside = tmp_path / "repo", tmp_path / "outside"
    (root / "a" / "b" / "c").mkdir(parents=True)
    (outside / "deep").mkdir(parents=True)
    for folder in (root / "a", root / "a" / "b", root / "a" / "b" / "c", outside / "deep"):
        (folder / "x.py").write_text("x = 1\n")
    (root / "a" / "b" / "out").symlink_to(outside)  # deep in the tree, leading out
    (root / "a" / "in").symlink_to(root / "a" / "b")  # a link that stays inside
    (root / "up").symlink_to(root / "a" / "b" / "out")  # a link to a link that leads out
    return root, outside


PATHS = ("a/x.py", "a/b/x.py", "a/b/c/x.py", "a/b/out/deep/x.py", "a/in/x.py",
         "a/in/out/deep/x.py", "up/deep/x.py", "a/./b/x.py", "a/b/../x.py", "a/b/",
         "a/missing/x.py", "")


@pytest.mark.parametrize("path", PATHS)
def test_one_batch_answers_as_each_file_asked_alone_with_its_path_resolved(tmp_path, path):
    """Folders resolved once for many files give the answers `Path.resolve` gives for each:
    a link anywhere on the way is followed, one inside stays inside."""
    root, _ = _tree(tmp_path)
    files = Readability(root)
    for other in PATHS:  # the batch has seen every other path's folders first
        files.check(other)
    full = root / path
    expected: str | None = None
    if full.is_symlink():
        expected = SYMLINK_REASON
    elif full.exists() and not full.resolve().is_relative_to(root.resolve()):
        expected = "leads outside the repository"
    elif full.exists() and not full.is_file():
        expected = "not a regular file"
    assert files.unreadable(path) == expected
    assert unreadable_reason(root, path) == expected


def test_a_batch_asks_the_file_system_once_per_path(tmp_path) -> None:
    root, _ = _tree(tmp_path)
    files = Readability(root)
    assert files.readable("a/b/c/x.py")
    (root / "a" / "b" / "c" / "x.py").unlink()  # the batch answers for the tree it saw
    assert files.readable("a/b/c/x.py")
    assert not Readability(root).readable("a/b/c/x.py")  # a new batch looks again


def test_a_sensitive_file_is_kept_from_models_unless_it_is_a_link(tmp_path) -> None:
    (tmp_path / "app_secret.py").write_text("x = 1\n")
    (tmp_path / "link_secret.py").symlink_to(tmp_path / "app_secret.py")
    assert skipped_reason(tmp_path, "app_secret.py", ("*secret*",)) == SENSITIVE_REASON
    assert skipped_reason(tmp_path, "link_secret.py", ("*secret*",)) == SYMLINK_REASON
    assert skipped_reason(tmp_path, "gone_secret.py", ("*secret*",)) == SENSITIVE_REASON
    assert unreadable_reason(tmp_path, "app_secret.py") is None
    assert skipped_files(tmp_path, ["app_secret.py", "link_secret.py", "app_secret.py"],
                         ("*secret*",)) == [f"app_secret.py: {SENSITIVE_REASON}",
                                            f"link_secret.py: {SYMLINK_REASON}"]


def test_a_name_with_a_nul_byte_is_no_file(tmp_path) -> None:
    """A model may name any path: one no file system can hold is not there, not a crash."""
    (tmp_path / "app.py").write_text("x = 1\n")
    files = Readability(tmp_path)
    assert files.check("app\x00.py") == (False, None)
    assert not files.readable("app\x00.py") and files.unreadable("app\x00.py") is None


def test_a_review_asks_the_file_system_about_each_changed_file_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every step of a review with no fixer (each reviewer's analyzers, the chunks, the
    classification, the coverage matrix, the summary) reads one batch of answers."""
    from collections import Counter

    from reviewloop.config import Settings
    from reviewloop.reports.report import RunSummary
    from reviewloop.review import readable
    from reviewloop.runs.review import DiffSource, review_change
    from tests.support.repos import branch_repo

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = branch_repo(tmp_path / "r", {"app.py": "VALUE = 1\n"}, {
        **{f"m{i}.py": f"def f{i}(x):\n    return x + {i}\n" for i in range(6)},
        "notes.md": "# Notes\n"})
    asked: Counter[tuple[str, str]] = Counter()
    look = readable.Readability.look

    def counting(self: readable.Readability, path: str) -> object:
        asked[(str(self.root), path)] += 1
        return look(self, path)

    monkeypatch.setattr(readable.Readability, "look", counting)

    summary = review_change(root, Settings(), DiffSource(base="main", head="feature"),
                            model_factory=lambda name: None, llm=False)

    assert isinstance(summary, RunSummary)
    assert {path for _, path in asked} >= {*(f"m{i}.py" for i in range(6)), "notes.md"}
    assert set(asked.values()) == {1}, asked
    assert readable._BATCHES == {}  # closed with the review


def test_a_batch_reads_each_changed_file_once_for_every_step_that_reads_it(
        tmp_path: Path) -> None:
    """Inside `one_batch` the readability probe, the classification's start of a file, the
    suppressions' lines and the test-change check read one copy of the file (`git.reads`):
    at 5,000 files that was four opens a file. Outside it each reads the file system."""
    (tmp_path / "pkg").mkdir()
    path = tmp_path / "pkg" / "mod.py"
    path.write_bytes(b'"""Doc."""\r\nx = 1  # noqa\r\n')
    with one_batch(tmp_path):
        files = Readability.of(tmp_path)
        assert files.readable("pkg/mod.py") and files.language("pkg/mod.py") == "python"
        path.write_bytes(b"changed\n")  # a batch's tree does not change: this one did
        assert files.text_start("pkg/mod.py", 10) == '"""Doc."""'
        assert tree_text(tmp_path, "pkg/mod.py") == '"""Doc."""\nx = 1  # noqa\n'
        assert read_text(tmp_path, str(path)) == '"""Doc."""\nx = 1  # noqa\n'
    assert tree_text(tmp_path, "pkg/mod.py") == "changed\n"
    assert Readability.of(tmp_path).text_start("pkg/mod.py", 4) == "chan"


# one of each kind of changed file: Python by name and by `#!`, UTF-16, binary, empty, a
# symlink, a folder, and a name with nothing there
_KINDS = {"app.py": b"x = 1\n", "tool": b"#!/usr/bin/env python3\nx = 1\n",
          "wide.py": "x = 1\n".encode("utf-16"), "blob.bin": bytes(range(256)),
          "notes.md": b"# n\n", "empty.txt": b""}
_KINDS_PATHS = (*_KINDS, "link.py", "pkg", "gone.py")


@pytest.fixture(scope="module")
def kinds_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kinds")
    for name, data in _KINDS.items():
        (root / name).write_bytes(data)
    (root / "link.py").symlink_to(root / "app.py")
    (root / "pkg").mkdir()
    return root


@given(paths=st.lists(st.sampled_from(_KINDS_PATHS), max_size=12))
def test_facts_are_each_paths_language_size_and_encoding_as_asked_one_by_one(
        kinds_root: Path, paths: list[str]) -> None:
    files = Readability(kinds_root)
    languages, sizes, encodings = files.facts(paths)
    assert languages == {p: files.language(p) for p in paths}
    assert sizes == {p: files.size(p) for p in paths}
    assert encodings == {p: code for p in paths if (code := files.encoding(p))}
