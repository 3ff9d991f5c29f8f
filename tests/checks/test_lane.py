"""The analyzers' CPU lane (`checks.lane`): bandit's in-process run and the secrets scan each
hold it while they work, so in one process they run one after the other; a thread holding
it enters it again freely; a turn asked `first` (a reviewer's scoping) goes before the
turns asked without it."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from reviewloop.checks import lane
from reviewloop.checks.analyzers import bandit_api
from reviewloop.checks.secrets import analyzer as secrets_analyzer
from reviewloop.checks.secrets.analyzer import SecretsScan


def _mine() -> bool:
    """Whether this thread is in its turn."""
    return lane._holder == threading.get_ident()


def _free() -> bool:
    return lane._holder is None and lane._first == 0


def _until(ready: Callable[[], bool]) -> None:
    """Wait (without a deadline: the test's own) until `ready()` says so."""
    pause = threading.Event()
    while not ready():
        pause.wait(0.001)


def test_a_turn_is_its_threads_alone_and_its_thread_may_enter_again() -> None:
    assert _free()
    ended = threading.Event()  # set as this thread's turn ends
    saw: list[bool] = []

    def other() -> None:
        with lane.cpu_lane():
            saw.append(ended.is_set())

    with lane.cpu_lane():
        with lane.cpu_lane(first=True):  # the same thread, again
            assert _mine()
        assert _mine()
        waiting = threading.Thread(target=other)
        waiting.start()
        _until(lambda: len(lane._STATE._waiters) == 1)  # it waits for this turn
        ended.set()
    waiting.join()
    assert saw == [True]
    assert _free()


def test_a_turn_ends_when_its_work_raises() -> None:
    with pytest.raises(RuntimeError), lane.cpu_lane():
        raise RuntimeError("the scan failed")
    assert _free()


def test_a_turn_asked_first_goes_before_one_asked_without() -> None:
    order: list[str] = []

    def turn(name: str, *, first: bool) -> threading.Thread:
        def work() -> None:
            with lane.cpu_lane(first=first):
                order.append(name)
        thread = threading.Thread(target=work)
        thread.start()
        return thread

    with lane.cpu_lane():
        scoping = turn("scoping", first=True)
        _until(lambda: lane._first == 1)  # it asked, and waits for this turn
        scan = turn("scan", first=False)
    scan.join()
    scoping.join()
    assert order == ["scoping", "scan"]
    assert _free()


class _Interrupted(Exception):
    pass


def test_a_wait_interrupted_leaves_no_turn_asked_for() -> None:
    """Ctrl-C reaching a thread that waits for its turn `first` (here the main thread, as
    pytest runs a test): the turns asked without it do not wait for it afterwards."""
    def interrupt(signum: int, frame: Any) -> None:
        raise _Interrupted

    main = threading.main_thread().ident
    assert main == threading.get_ident()
    held = threading.Event()
    done = threading.Event()

    def holder() -> None:
        with lane.cpu_lane():
            held.set()
            _until(lambda: len(lane._STATE._waiters) == 1)  # the main thread waits
            signal.pthread_kill(main, signal.SIGINT)
            done.wait()

    before = signal.signal(signal.SIGINT, interrupt)
    try:
        thread = threading.Thread(target=holder)
        thread.start()
        held.wait()
        with pytest.raises(_Interrupted), lane.cpu_lane(first=True):
            pass
    finally:
        signal.signal(signal.SIGINT, before)
        done.set()
    thread.join()
    assert _free()
    with lane.cpu_lane():  # a plain turn is not held back by the interrupted one
        assert _mine()


def test_bandit_in_process_works_in_its_turn(tmp_path: Path) -> None:
    source = tmp_path / "a.py"
    source.write_text("import subprocess\nsubprocess.call('ls', shell=True)\n")
    seen: list[bool] = []

    def stopping() -> bool:  # asked before each file bandit scans
        seen.append(_mine())
        return False

    report = bandit_api.report([str(source)], None, timeout=60, stopping=stopping)
    assert report is not None
    assert [r["test_id"] for r in report["results"]] == ["B404", "B607", "B602"]
    assert seen == [True]
    assert _free()


def test_the_secrets_scan_works_in_its_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []

    def hits(ctx: Any) -> list[Any]:
        seen.append(_mine())
        return []

    monkeypatch.setattr(secrets_analyzer, "change_hits", hits)
    assert SecretsScan().run(SimpleNamespace(agent="security")) == []  # type: ignore[arg-type]
    assert seen == [True]
    assert _free()
