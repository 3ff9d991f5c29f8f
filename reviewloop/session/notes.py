"""Decisions and preferences recorded with `reviewloop note`, for the next handoff."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from reviewloop.errors import UserInputError
from reviewloop.git import repo_writes
from reviewloop.state_dir import writable_state

NOTES_FILE = ".reviewloop/notes.jsonl"
log = logging.getLogger(__name__)
_DECODER = json.JSONDecoder()


class Note(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    created: str
    kind: str  # decision | preference
    text: str


def add(root: Path, text: str, kind: str = "decision") -> Note:
    _check_text(text)
    text = " ".join(text.split())
    if not text:
        raise UserInputError(
            "an empty note", where="note",
            fix='reviewloop note "chose SQLite over Postgres: one user, no server"')
    note = Note(created=datetime.now(UTC).isoformat(timespec="seconds"), kind=kind, text=text)
    writable_state(root)  # exit 2 naming it: a file there, or not writable by this user
    # a committed symlink there, or a folder: exit 2, nothing followed or written
    repo_writes.check(root, [NOTES_FILE], whole=True)
    path = root / NOTES_FILE
    with path.open("a+b") as handle:  # a last line left without its newline (an editor,
        handle.seek(0, 2)  # an append cut short) is ended first: never glued onto
        ended = handle.tell() == 0 or (handle.seek(-1, 2), handle.read(1))[1] == b"\n"
        handle.write((b"" if ended else b"\n") + note.model_dump_json().encode() + b"\n")
    return note


def _check_text(text: str) -> None:
    """Refuse text that is not Unicode: bytes that were not UTF-8 on the command line arrive
    as lone surrogates, which no UTF-8 file can hold. Refused rather than replaced, so a
    note is never stored other than as it was written."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UserInputError(
            f"the note is not UTF-8 text (an undecodable byte at character {exc.start + 1})",
            where="note", fix="convert the text to UTF-8 first, e.g. "
                              "`reviewloop note \"$(iconv -f latin1 -t utf-8 < FILE)\"`") from None


def read(root: Path) -> list[Note]:
    """Every note, oldest first (several on one line, as an earlier release could glue them,
    each read); a line that holds no note is named in a warning and skipped, never fatal."""
    if not readable(root):
        return []
    path = root / NOTES_FILE
    notes = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace")
                                  .splitlines(), start=1):
        found = _notes_in(line.strip())
        if found is None:
            log.warning("%s:%d is not a note (not a JSON note record): skipped; fix: correct or "
                        "remove the line", path, number)
        notes += found or []
    return notes


def _notes_in(line: str) -> list[Note] | None:
    """The notes a line holds, one JSON object after another; None: something else."""
    notes, at = [], 0
    try:
        while at < len(line):
            value, at = _DECODER.raw_decode(line, at)
            notes.append(Note.model_validate(value))
            while at < len(line) and line[at].isspace():
                at += 1
    except ValueError:
        return None
    return notes


def readable(root: Path) -> bool:
    """Whether there are notes to read; something else than a file there (a folder) is named
    (exit 2): read as "no notes", the decisions it holds would silently leave the handoff."""
    path = root / NOTES_FILE
    if path.is_file():
        return True
    if path.exists() or path.is_symlink():
        raise UserInputError(
            f"{NOTES_FILE} is not a file: the notes recorded with `reviewloop note` cannot be "
            "read", where=str(path),
            fix=f"move or rename {NOTES_FILE} (what it holds is kept), then run the command "
                "again")
    return False
