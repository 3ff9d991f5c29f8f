"""Starting a spec session: what is checked before any phase is drafted, and a session left
unfinished by a crash."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reviewloop.authoring import document
from reviewloop.authoring.sessions import STATE_FILE
from reviewloop.cli.app import main
from tests.support.repos import repo_here

NAME = "add-api"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    return repo_here(tmp_path / "repo", monkeypatch)


def _blockers() -> list[tuple[str, int]]:
    """(format, index of the path on the way to the spec's file to block) for every format:
    a file at each folder the spec needs, a folder at its file (the last index)."""
    cases = []
    for fmt in document.FORMATS:
        depth = len(Path(document.target(fmt, NAME, Path("/r")).relative_to("/r")).parts)
        cases += [(fmt, i) for i in range(depth)]
    return cases


def _mkdir_fails(path: Path) -> bool:
    """The oracle: what plain `mkdir -p` of the folder makes of the blocked path."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        return True
    return False


@pytest.mark.parametrize(("fmt", "index"), _blockers())
def test_a_spec_that_could_not_be_written_is_refused_before_any_drafting(
        repo: Path, capsys, fmt, index):
    target = document.target(fmt, NAME, repo).relative_to(repo)
    blocked = repo / Path(*target.parts[:index + 1])
    blocker = "folder" if index == len(target.parts) - 1 else "file"
    if blocker == "folder":
        blocked.mkdir(parents=True)
    else:
        blocked.parent.mkdir(parents=True, exist_ok=True)
        blocked.write_text("mine\n")
        assert _mkdir_fails(repo / target.parent)
    with pytest.raises(SystemExit) as exited:
        main(["spec", "new", "add api", "--format", fmt, "--approve-all"])
    err = " ".join(capsys.readouterr().err.split())
    assert exited.value.code == 2, err
    assert "nothing drafted" in err and str(blocked) in err.replace(" ", "")
    assert "NO MODEL WAS USED" not in err  # refused before the phases start
    if blocker == "file":
        assert blocked.read_text() == "mine\n"
    assert _sessions(repo) == []


def _sessions(repo: Path) -> list[tuple[str, str]]:
    if not (repo / STATE_FILE).exists():
        return []
    with sqlite3.connect(repo / STATE_FILE) as db:
        return db.execute("SELECT name, status FROM spec_sessions").fetchall()


def test_a_session_left_drafting_by_a_crash_is_replaced_with_fresh(repo: Path, capsys):
    with pytest.raises(SystemExit):
        main(["spec", "new", "add api", "--approve-all"])
    with sqlite3.connect(repo / STATE_FILE) as db:  # as a kill -9 mid-phase leaves it
        db.execute("UPDATE spec_sessions SET status='drafting'")
    (repo / "docs" / f"{NAME}-spec.md").unlink()
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(["spec", "new", "add api", "--approve-all"])
    err = " ".join(capsys.readouterr().err.split())
    assert exited.value.code == 2 and "is unfinished" in err and "--fresh" in err
    with pytest.raises(SystemExit) as exited:
        main(["spec", "new", "add api", "--approve-all", "--fresh"])
    assert exited.value.code == 0
    assert _sessions(repo) == [(NAME, "written")]


@pytest.mark.parametrize(("there", "asked"), [(a, b) for a in document.FORMATS
                                              for b in document.FORMATS if a != b])
def test_a_spec_of_the_name_in_another_format_is_refused_naming_it(
        repo: Path, capsys, there: str, asked: str):
    """r17 fz1 D11: `spec new NAME --format F` with NAME's spec there in another format
    stops (exit 2, naming that spec and the flag), rather than writing a second spec."""
    assert main_code(["spec", "new", "add api", "--format", there, "--approve-all"]) == 0
    capsys.readouterr()
    before = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*")
                    if ".git" not in p.parts and ".reviewloop" not in p.parts)
    code = main_code(["spec", "new", "add api", "--format", asked, "--approve-all", "--fresh"])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2, err
    assert f"in the {there} format" in err and f"pass --format {there}" in err
    assert sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*")
                  if ".git" not in p.parts and ".reviewloop" not in p.parts) == before


def main_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    return int(exited.value.code or 0)
