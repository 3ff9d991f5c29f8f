"""A damaged `.reviewloop/spec-sessions.sqlite`, or a `.reviewloop` that is a file: every
spec command stops with exit 2 naming the file and the fix, and `runs --repair` mends it."""

from __future__ import annotations

import os
import socket
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewloop.authoring.sessions import STATE_FILE
from reviewloop.cli.app import main
from tests.support.repos import repo_here


@pytest.fixture
def repo(tmp_path, monkeypatch):
    return repo_here(tmp_path / "repo", monkeypatch)


def _run(capsys, *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), " ".join((out + err).split())


def _overwrite(data: bytes) -> bytes:
    return b"garbage garbage garbage\n"


def _truncate(data: bytes) -> bytes:
    return data[: len(data) // 2 + 7]


def _header(data: bytes) -> bytes:
    return b"\0" * 100 + data[100:]


def _pages(data: bytes) -> bytes:
    return data[:4096] + bytes(b ^ 0x5A for b in data[4096:])


def _binary(data: bytes) -> bytes:
    return bytes(range(256)) * 8


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "overwritten": _overwrite, "truncated": _truncate, "header": _header, "pages": _pages,
    "binary": _binary}


def _sqlite_reads(path: Path) -> bool:
    """The oracle: whether plain sqlite3 reads the file through."""
    try:
        with sqlite3.connect(path) as db:
            ok = db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            db.execute("SELECT * FROM spec_sessions").fetchall()
            return ok
    except sqlite3.DatabaseError:
        return False


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_session_file_names_itself_and_runs_repair_mends_it(repo, capsys, damage):
    assert _run(capsys, "spec", "new", "add api", "--approve-all")[0] == 0
    path = repo / STATE_FILE
    for sidecar in ("-wal", "-shm"):
        path.with_name(path.name + sidecar).unlink(missing_ok=True)
    path.write_bytes(DAMAGE[damage](path.read_bytes()))
    if _sqlite_reads(path):
        pytest.skip("sqlite3 still reads this damage")
    for argv in (("spec", "resume", "--list"), ("spec", "new", "other", "--approve-all"),
                 ("spec", "resume", "add-api")):
        code, text = _run(capsys, *argv)
        assert code == 2, (argv, text)
        assert "spec-sessions.sqlite is damaged" in text and "runs --repair" in text
        assert "internal error" not in text
    code, text = _run(capsys, "runs")
    assert code == 2 and "Cannot read" in text and "spec-sessions.sqlite" in text
    code, text = _run(capsys, "runs", "--repair")
    assert code == 0 and "moved spec-sessions.sqlite to .reviewloop/damaged-" in text
    assert list((repo / ".reviewloop").glob("damaged-*/spec-sessions.sqlite"))
    assert _run(capsys, "spec", "resume", "--list")[0] == 0
    assert _run(capsys, "spec", "new", "other", "--approve-all")[0] == 0


@pytest.mark.parametrize("argv", [("note", "chose SQLite"),
                                  ("spec", "new", "add api", "--approve-all"),
                                  ("spec", "resume", "--list")])
def test_a_reviewloop_file_is_named_not_an_internal_error(repo, capsys, argv):
    (repo / ".reviewloop").write_text("mine\n")
    code, text = _run(capsys, *argv)
    assert code == 2 and ".reviewloop is a file" in text and "move or remove" in text, text
    assert (repo / ".reviewloop").read_text() == "mine\n"


def _folder(path: Path) -> None:
    path.mkdir()


def _full_folder(path: Path) -> None:
    path.mkdir()
    (path / "inside.sqlite").write_bytes(b"x")


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    """A socket bound under a short name and moved into place: a socket's path is at most
    107 bytes, which a test's temporary folder can pass on its own."""
    with tempfile.TemporaryDirectory(dir="/tmp") as short, \
            socket.socket(socket.AF_UNIX) as bound:
        bound.bind(os.path.join(short, "s"))
        os.rename(os.path.join(short, "s"), path)


NOT_A_FILE: dict[str, Callable[[Path], None]] = {
    "folder": _folder, "full folder": _full_folder, "fifo": _fifo, "socket": _socket}


@pytest.mark.parametrize("kind", sorted(NOT_A_FILE))
def test_a_session_store_that_is_not_a_file_is_named_in_every_command(repo, capsys, kind):
    """fz2 D4: a folder, pipe or socket where spec-sessions.sqlite belongs was an internal
    error (exit 3, "unable to open database file") in `handoff` and `pickup`."""
    assert _run(capsys, "note", "a decision")[0] == 0
    assert _run(capsys, "handoff")[0] == 0  # so `pickup` has a handoff to read
    path = repo / STATE_FILE
    for leftover in (path, path.with_name(path.name + "-wal"),
                     path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    NOT_A_FILE[kind](path)
    for argv in (("handoff",), ("pickup",), ("spec", "resume", "--list"),
                 ("spec", "new", "other", "--approve-all"), ("spec", "resume", "add-api")):
        code, text = _run(capsys, *argv)
        assert code == 2, (kind, argv, text)
        assert "spec-sessions.sqlite is damaged: it is not a file" in text, text
        assert str(path) in text and "runs --repair" in text and "internal error" not in text
    assert not path.is_file()
