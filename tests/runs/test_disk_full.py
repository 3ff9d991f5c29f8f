"""A full disk while writing the run store is the user's to fix, like a read-only store: exit
2 naming the file and the fix, no crash log, and nothing lost — the run keeps the state it
had, and the same command works once there is space. The disk is made "full" for one SQLite
file with `PRAGMA max_page_count` at its current size (the next page it needs fails with
SQLITE_FULL, "database or disk is full"), so nothing real is filled."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewloop.cli.crash import guarded
from reviewloop.errors import DiskFull, ExitCode
from reviewloop.runs.registry import Registry
from tests.support.chat import ScriptedChatModel, tool_call
from tests.support.gitutil import git
from tests.support.runner import IMPLEMENTER, clean_round, make_project, runner, start


@pytest.fixture
def calc(tmp_path: Path) -> Path:
    """The calculator project of tests/support/runner.py."""
    return make_project(tmp_path)


@pytest.fixture
def full(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """Names of SQLite files whose disk is full: a connection opened to one of them cannot
    grow it by a page."""
    names: set[str] = set()
    real = sqlite3.connect

    def connect(database, *args, **kwargs):
        conn = real(database, *args, **kwargs)
        if Path(str(database)).name in names:
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {max(pages, 1)}")
        return conn

    monkeypatch.setattr(sqlite3, "connect", connect)
    yield names


@pytest.fixture
def logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where a crash log would go."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def exit_of(exc: BaseException, logs: Path) -> tuple[int, list[str]]:
    said: list[str] = []

    def fail() -> int:
        raise exc
    return guarded(fail, said.append), said


def awaiting_approval(calc: Path) -> tuple[ScriptedChatModel, str]:
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [tool_call("write_file", {
        "path": "calc.py", "content": "def add(a, b):\n    return a + b\n"}), "wrote calc.py"])
    clean_round(model)
    result = start(runner(calc, model), calc)
    assert result.status == "awaiting_approval"
    return model, result.run_id


def test_a_full_disk_at_approval_exits_2_and_the_approval_works_once_there_is_space(
        calc: Path, full: set[str], logs: Path) -> None:
    project = calc
    model, run_id = awaiting_approval(project)
    head = git(project, "rev-parse", "HEAD")
    full.add("checkpoints.sqlite")
    with pytest.raises(DiskFull) as raised:
        runner(project, model).resume(run_id, "approve")
    code, said = exit_of(raised.value, logs)
    assert code == ExitCode.USAGE == 2
    assert "database or disk is full" in said[0] and "checkpoints.sqlite" in said[0]
    assert "fix: free space" in said[0] and "internal error" not in said[0]
    assert not list(logs.rglob("crash-*.log"))  # no bug report for a full disk
    assert git(project, "rev-parse", "HEAD") == head
    assert Registry(project).get(run_id).status == "awaiting_approval"  # nothing lost
    full.clear()
    assert runner(project, model).resume(run_id, "approve").status == "committed"


def test_a_full_registry_is_the_same_clean_error(calc: Path, full: set[str]) -> None:
    registry = Registry(calc)
    registry.create("r-1", task_id="1", task_title="one", spec="tasks.md", options={})
    full.add("runs.sqlite")
    with pytest.raises(DiskFull, match="database or disk is full"):
        registry.create("r-2", task_id="2", task_title="two " * 2000, spec="tasks.md",
                        options={})
    assert [r.run_id for r in registry.list()] == ["r-1"]


def sqlite_full(tmp_path: Path) -> sqlite3.OperationalError:
    """SQLite's own error for a full disk."""
    db = sqlite3.connect(tmp_path / "tiny.sqlite")
    db.execute("CREATE TABLE t (x TEXT)")
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
    try:
        db.execute("INSERT INTO t VALUES (?)", ("x" * 100_000,))
    except sqlite3.OperationalError as exc:
        return exc
    finally:
        db.close()
    raise AssertionError("the insert did not fill the database")


@pytest.mark.parametrize("kind", ["ENOSPC", "SQLITE_FULL"])
def test_any_full_disk_reaching_the_top_is_exit_2_without_a_crash_log(
        kind: str, logs: Path, tmp_path: Path) -> None:
    error = OSError(errno.ENOSPC, "No space left on device", "/w/.reviewloop/runs/r/owner.pid") \
        if kind == "ENOSPC" else sqlite_full(tmp_path)
    try:
        raise RuntimeError("the run stopped") from error  # however deep it comes from
    except RuntimeError as wrapped:
        code, said = exit_of(wrapped, logs)
    assert code == 2 and said[0].startswith("error: "), said
    assert ("No space left on device" if kind == "ENOSPC" else "database or disk is full") \
        in said[0]
    assert "fix: free space" in said[0]
    assert not list(logs.rglob("crash-*.log"))


def test_any_other_error_is_still_a_bug_with_its_log(logs: Path) -> None:
    code, said = exit_of(sqlite3.OperationalError("disk I/O error"), logs)
    assert code == 3 and said[0].startswith("internal error:")
    assert list(logs.rglob("crash-*.log"))
