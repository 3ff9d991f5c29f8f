"""`reviewloop note` with text as the shell hands it over: bytes that are UTF-8 are kept as
written (whitespace folded), bytes that are not are refused with exit 2, nothing stored."""

from __future__ import annotations

import itertools
import json
import logging
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.session import notes
from reviewloop.session.notes import NOTES_FILE, Note
from tests.support.cli_main import run_cli
from tests.support.repos import init_repo

# the oracle for "is this text" is Python's own strict UTF-8 decoder, as a user's editor has
FRAGMENTS = [b"use sqlite", "caf\u00e9 \u2013 \u00fcber".encode(), "\U0001f680 ok".encode(),
             b"latin-1 caf\xe9", b"\xff\xfe bom-ish", b"lone \x80 continuation",
             b"cut \xe2\x82", b"overlong \xc0\xaf", b"surrogate \xed\xa0\x80 half",
             b"bad \xc3\x28 pair"]
AROUND = [(b"", b""), (b"before: ", b""), (b"", b"\n\tafter")]


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = init_repo(tmp_path / "repo", {"README.md": "# app\n"})
    monkeypatch.chdir(root)
    return root.resolve()


@pytest.mark.parametrize(("fragment", "around"), list(itertools.product(FRAGMENTS, AROUND)))
def test_a_note_is_stored_as_written_or_refused_when_not_utf8(repo, capsys, fragment, around):
    raw = around[0] + fragment + around[1]
    argv = os.fsdecode(raw)  # how Python hands a program its argv (surrogateescape)
    code, _, err = run_cli(capsys, "note", argv)
    stored = repo / ".reviewloop/notes.jsonl"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        assert code == 2, err
        assert "the note is not UTF-8 text" in err and "fix: " in err
        assert not stored.exists()
        return
    assert code == 0, err
    saved = json.loads(stored.read_text(encoding="utf-8"))
    assert saved["text"] == " ".join(text.split())


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.lists(st.sampled_from(["one", "two", "café"]), min_size=1, max_size=3),
       ending=st.sampled_from(["", "\n", "\r\n", " ", "\n\n"]), glued=st.booleans())
def test_a_notes_file_left_without_its_last_newline_loses_no_note(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, before: list[str], ending: str,
        glued: bool) -> None:
    """A notes file whose last line lost its newline (an editor, an append cut short) had the
    next note glued onto it, and the glued line was skipped as "not a note": both decisions
    left every handoff silently. Now the next note starts a line of its own, a line an
    earlier release glued is read note by note, and a line that is no note is named."""
    root = tmp_path / f"r{len(list(tmp_path.iterdir()))}"
    (root / ".reviewloop").mkdir(parents=True)
    records = [Note(created="2026-01-01T00:00:00+00:00", kind="decision", text=t)
               for t in before]
    lines = [r.model_dump_json() for r in records]
    text = ("".join(lines) if glued else "\n".join(lines)) + ending
    (root / NOTES_FILE).write_text(text, encoding="utf-8", newline="")
    notes.add(root, "three")
    assert [n.text for n in notes.read(root)] == [*before, "three"]
    (root / NOTES_FILE).write_text("not json\n" + (root / NOTES_FILE).read_text())
    with caplog.at_level(logging.WARNING, logger="reviewloop.session.notes"):
        assert [n.text for n in notes.read(root)] == [*before, "three"]
    assert any(f"{NOTES_FILE.split('/')[-1]}:1 is not a note" in r.getMessage()
               for r in caplog.records)
