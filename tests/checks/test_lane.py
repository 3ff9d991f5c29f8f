"""The analyzers' CPU lane (`checks.lane`): bandit's in-process run and the secrets scan each
hold it while they work, so in one process they run one after the other; a thread holding
it enters it again freely. Each holding is seen from another thread, which cannot take it."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from reviewloop.checks import lane
from reviewloop.checks.analyzers import bandit_api
from reviewloop.checks.secrets import analyzer as secrets_analyzer
from reviewloop.checks.secrets.analyzer import SecretsScan


def _held_elsewhere() -> bool:
    """Whether a thread other than a new one holds the lane now (the new thread tries it
    without waiting)."""
    held: list[bool] = []

    def probe() -> None:
        took = lane._LANE.acquire(blocking=False)
        if took:
            lane._LANE.release()
        held.append(not took)

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return held[0]


def test_a_turn_keeps_the_other_threads_out_and_its_own_thread_may_enter_again() -> None:
    assert not _held_elsewhere()
    with lane.cpu_lane():
        assert _held_elsewhere()
        with lane.cpu_lane():
            assert _held_elsewhere()
        assert _held_elsewhere()
    assert not _held_elsewhere()


def test_a_turn_ends_when_its_work_raises() -> None:
    with pytest.raises(RuntimeError), lane.cpu_lane():
        raise RuntimeError("the scan failed")
    assert not _held_elsewhere()


def test_bandit_in_process_works_in_its_turn(tmp_path: Path) -> None:
    source = tmp_path / "a.py"
    source.write_text("import subprocess\nsubprocess.call('ls', shell=True)\n")
    seen: list[bool] = []

    def stopping() -> bool:  # asked before each file bandit scans
        seen.append(_held_elsewhere())
        return False

    report = bandit_api.report([str(source)], None, timeout=60, stopping=stopping)
    assert report is not None
    assert [r["test_id"] for r in report["results"]] == ["B404", "B607", "B602"]
    assert seen == [True]
    assert not _held_elsewhere()


def test_the_secrets_scan_works_in_its_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []

    def hits(ctx: Any) -> list[Any]:
        seen.append(_held_elsewhere())
        return []

    monkeypatch.setattr(secrets_analyzer, "change_hits", hits)
    assert SecretsScan().run(SimpleNamespace(agent="security")) == []  # type: ignore[arg-type]
    assert seen == [True]
    assert not _held_elsewhere()
