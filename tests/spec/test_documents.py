"""Kiro's own documents are read verbatim or refused by name, never skipped nor garbled
(f_a D6, D8, D12). Generated over every file kind (`tests/support/file_kinds.py`: a dangling
link, a link to a folder, a folder, a FIFO, a link out, UTF-8 with a BOM, UTF-16, Latin-1,
empty, …) × the documents (a steering file, requirements.md, design.md, tasks.md), with
generated text: what can be read is the file's own text; anything else stops a run or a
review with exit 2 naming the file and the fix, and is left as it was (a FIFO never opened:
opening one would wait forever)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.errors import ConfigError, ExitCode, SpecError
from reviewloop.spec import documents
from reviewloop.spec.loader import load_spec
from reviewloop.spec.steering import load_steering
from reviewloop.spec.steering_set import check_steering
from tests.support import file_kinds
from tests.support.repos import init_repo, write

SPEC = ".kiro/specs/feat"
DOCUMENTS = {
    ".kiro/steering/org.md": "# Org rules\n\nUse {words}.\n",
    f"{SPEC}/requirements.md": "# Requirements\n\n### Requirement 1\n\n#### Acceptance Criteria"
                               "\n\n1. WHEN {words} THEN the system SHALL answer\n",
    f"{SPEC}/design.md": "# Design\n\n## Overview\n\n{words}\n",
    f"{SPEC}/tasks.md": "# Implementation Plan\n\n- [ ] 1. {words}\n  - _Requirements: 1.1_\n",
}
TASKS = "# Implementation Plan\n\n- [ ] 1. Base\n  - _Requirements: 1.1_\n"
WORDS = st.lists(st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8),
                 min_size=1, max_size=5).map(" ".join)


def _read(root: Path, rel: str) -> str:
    """The document as a run reads it; raises what a run or a review raises."""
    if rel.startswith(".kiro/steering/"):
        files = load_steering(root / ".kiro/steering")
        check_steering(files)
        return next(f.body for f in files if f.path.name == Path(rel).name)
    spec = load_spec(root, root / SPEC)
    if rel.endswith("requirements.md"):
        return spec.requirements_text or ""
    if rel.endswith("design.md"):
        return spec.design_text or ""
    return " ".join(t.title for t in spec.tasks) or "; ".join(map(str, spec.diagnostics))


@settings(max_examples=4, deadline=None, derandomize=True)
@given(words=WORDS)
@pytest.mark.parametrize("rel", list(DOCUMENTS))
@pytest.mark.parametrize("kind", file_kinds.KINDS)
def test_a_kiro_document_is_read_verbatim_or_refused_by_name(rel: str, kind: str,
                                                              words: str) -> None:
    text = DOCUMENTS[rel].format(words=words)
    with tempfile.TemporaryDirectory(prefix="kinds-") as name:
        root = init_repo(Path(name) / "repo")
        if rel != f"{SPEC}/tasks.md":
            write(root, f"{SPEC}/tasks.md", TASKS)
        file_kinds.make(kind, root, rel, text)
        before = file_kinds.state(root / rel)
        if kind in file_kinds.READABLE:
            _readable(root, rel, kind, text, words)
        elif rel.endswith("tasks.md") and kind == "latin1":
            # a tasks file is read tolerantly, its other bytes written back by the tick
            assert _read(root, rel).startswith(words)
        else:
            _refused(root, rel, kind)
        assert file_kinds.state(root / rel) == before


def _readable(root: Path, rel: str, kind: str, text: str, words: str) -> None:
    got = _read(root, rel)
    if rel.endswith("tasks.md") and kind == "empty":  # named, never "0 tasks" in silence
        assert "no tasks found" in got and "- [ ] 1. Title" in got
    elif rel.endswith("tasks.md"):
        assert got == words
    else:
        assert got == ("" if kind == "empty" else text)


def _refused(root: Path, rel: str, kind: str) -> None:
    steering = rel.startswith(".kiro/steering/")
    with pytest.raises(ConfigError if steering else SpecError) as caught:
        _read(root, rel)
    error = caught.value
    assert error.exit_code == ExitCode.USAGE
    assert Path(rel).name in (error.where or "")
    assert file_kinds.NAMED[kind] in str(error)
    assert error.fix


def test_a_fifo_is_described_without_being_opened(tmp_path: Path) -> None:
    """`documents.unreadable` only looks: a FIFO with no writer is named at once."""
    fifo = tmp_path / "org.md"
    file_kinds.make("fifo", tmp_path, "org.md", "")
    assert documents.unreadable(fifo) == "is a named pipe (FIFO)"
    assert documents.unreadable(tmp_path / "absent.md") is None


@pytest.mark.parametrize("kind", ["dangling", "link_dir", "folder", "fifo"])
def test_a_tasks_md_that_cannot_be_read_is_named_not_no_spec_found(tmp_path, kind) -> None:
    """Found (no --spec) or given (its folder, itself, a document beside it): named."""
    root = init_repo(tmp_path / "repo")
    file_kinds.make(kind, root, f"{SPEC}/tasks.md", "")
    for given_as in (None, root / SPEC, root / SPEC / "tasks.md",
                     root / SPEC / "requirements.md"):
        if given_as is not None and given_as.name == "requirements.md":
            given_as.write_text("# Requirements\n")
        with pytest.raises(SpecError) as caught:
            load_spec(root, given_as)
        assert "no spec found" not in str(caught.value)
        assert "tasks.md" in (caught.value.where or "")
        assert file_kinds.NAMED[kind] in str(caught.value)
