"""Progress off a terminal: each step and gate says when it starts, and while steps run
without a word a "still running" line comes after 2 s, then after twice as long each time."""

from __future__ import annotations

import time

import pytest

from reviewloop.checks.gates import GateContext, GateResult
from reviewloop.checks.gates.registry import run_gates
from reviewloop.cli import ui
from reviewloop.cli.progress import Steps, gate_text, label
from reviewloop.config import Settings
from reviewloop.graph.streaming import relay


@pytest.fixture
def steps(monkeypatch):
    monkeypatch.setenv("REVIEWLOOP_HEARTBEAT_S", "0.2")
    ui.set_verbosity(ui.NORMAL)
    return Steps()


def test_a_step_says_it_started_and_silence_brings_still_running_lines(steps, capsys):
    steps.started("t1", "review", {"review_agent": "review-security"})
    steps.started("t2", "review", {"review_agent": "review-performance", "review_chunk": 1})
    time.sleep(1.0)  # lines after 0.2, 0.6 (0.2 + 0.4) s of silence; the next at 1.4 s
    steps.ended("t1")
    steps.ended("t2")
    time.sleep(0.5)  # the heartbeat ends with the last step
    err = capsys.readouterr().err
    assert "• review-security …" in err and "• review-performance (part 2) …" in err
    beats = [line for line in err.splitlines() if "still running" in line]
    assert len(beats) == 2, err
    assert "review-security 0s, review-performance (part 2) 0s" in beats[0]
    assert not steps.beat.is_alive()


def test_another_line_restarts_the_count(steps, capsys):
    steps.started("t1", "implement", {})
    for _ in range(6):  # a step's own lines every 0.1 s: never silent for 0.2 s
        time.sleep(0.1)
        steps.event({"kind": "gate", "gate": "test", "status": "running"})
    steps.ended("t1")
    assert "still running" not in capsys.readouterr().err


def test_quiet_prints_nothing(steps, capsys):
    ui.set_verbosity(ui.QUIET)
    try:
        steps.started("t1", "gates", {})
        steps.event({"kind": "gate", "gate": "test", "status": "running"})
        time.sleep(0.4)
        steps.ended("t1")
    finally:
        ui.set_verbosity(ui.NORMAL)
    assert capsys.readouterr().err == "" and steps.beat is None


def test_the_stream_is_relayed_by_mode():
    seen = []

    class Recorder:
        def started(self, task_id, node, inputs):
            seen.append(("started", task_id, node, inputs))

        def ended(self, task_id):
            seen.append(("ended", task_id))

        def finished(self, node, update):
            seen.append(("finished", node, update))

        def event(self, data):
            seen.append(("event", data))

    for mode, data in [("tasks", {"id": "a", "name": "gates", "input": {"round": 1},
                                  "triggers": ()}),
                       ("custom", {"kind": "gate", "gate": "test", "status": "running"}),
                       ("updates", {"gates": {"passed": True}, "__interrupt__": ()}),
                       ("tasks", {"id": "a", "name": "gates", "error": None, "result": {},
                                  "interrupts": []})]:
        relay(mode, data, Recorder())
    assert seen == [("started", "a", "gates", {"round": 1}),
                    ("event", {"kind": "gate", "gate": "test", "status": "running"}),
                    ("finished", "gates", {"passed": True}), ("ended", "a")]


class Named:
    def __init__(self, name: str, passed: bool):
        self.name, self.passed = name, passed

    def applies(self, ctx) -> bool:
        return True

    def run(self, ctx) -> GateResult:
        return GateResult(name=self.name, passed=self.passed, summary="done", duration_s=1.0)


def test_each_gate_is_told_as_it_starts_and_ends(tmp_path):
    told = []
    ctx = GateContext(root=tmp_path, settings=Settings(), changed_files=("a.py",),
                      diff_text="", branch="work", default_branch="main", phase="implement")
    run_gates(ctx, gates={"one": Named("one", True), "two": Named("two", False)},
              on_gate=lambda name, result: told.append((name, result and result.passed)))
    assert told == [("one", None), ("one", True), ("two", None), ("two", False)]


def test_words_for_steps_and_gates():
    assert label("prepare", {"round": 2}) == "review round 2"
    assert label("gates", {}) == "guard-rails"
    assert gate_text({"gate": "test", "status": "running"}) == "test …"
    assert gate_text({"gate": "test", "status": "failed", "duration_s": 3.6,
                      "summary": "2 failed"}) == "test: failed in 4s · 2 failed"


def test_the_live_view_shows_the_gate_that_runs_on_the_guard_rails_row():
    from io import StringIO

    from rich.console import Console

    from reviewloop.cli.live import View

    view = View(Console(file=StringIO()), lambda node, update: None)
    view.live = object()  # drawn elsewhere: only the rows matter here
    view.started("ns", "guard-rails")
    view.gate({"kind": "gate", "gate": "test", "status": "running"})
    assert view._status(view.rows["ns"]).plain.endswith("· test …")
    view.gate({"kind": "gate", "gate": "test", "status": "passed", "duration_s": 2})
    assert view._status(view.rows["ns"]).plain.endswith("…")
