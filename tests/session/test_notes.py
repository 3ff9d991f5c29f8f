"""`reviewloop note` with text as the shell hands it over: bytes that are UTF-8 are kept as
written (whitespace folded), bytes that are not are refused with exit 2, nothing stored."""

from __future__ import annotations

import itertools
import json
import os

import pytest

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
