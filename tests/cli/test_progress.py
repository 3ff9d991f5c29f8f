"""Progress off a terminal: each step and gate says when it starts, and while steps run
without a word a "still running" line comes after 2 s, then after twice as long each time."""

from __future__ import annotations

import contextlib
import io
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from reviewloop.checks.gates import GateContext, GateResult
from reviewloop.checks.gates.registry import run_gates
from reviewloop.cli import ui
from reviewloop.cli.progress import Steps, gate_text, label
from reviewloop.config import Settings
from reviewloop.findings.ledger import Health
from reviewloop.findings.schema import Finding, FindingDraft, Severity
from reviewloop.review.reviewer import ReviewerOutcome
from reviewloop.runs.streaming import PlainUpdate, plain, relay, relaying


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def steps(clock, monkeypatch):
    monkeypatch.delenv("REVIEWLOOP_HEARTBEAT_S", raising=False)
    ui.set_verbosity(ui.NORMAL)
    return Steps(clock, background=False)  # the test ticks


def beats(err: str) -> list[str]:
    return [line for line in err.splitlines() if "still running" in line]


def test_a_step_says_it_started_and_silence_brings_still_running_lines(steps, clock, capsys):
    steps.started("t1", "review", {"review_agent": "review-security"})
    steps.started("t2", "review", {"review_agent": "review-performance", "review_chunk": 1})
    seen = []
    for second in range(33):  # silence after the starts: lines at 2, 6, 14 and 30 s
        clock.now = 100.0 + second
        steps.tick()
        seen += [second] * len(beats(capsys.readouterr().err))
    assert seen == [2, 6, 14, 30]
    steps.ended("t1")
    steps.ended("t2")
    assert steps.tick() is False  # nothing runs: the heartbeat ends


def test_the_lines_name_each_running_step_with_its_seconds(steps, clock, capsys):
    steps.started("t1", "review", {"review_agent": "review-security"})
    steps.started("t2", "review", {"review_agent": "review-performance", "review_chunk": 1})
    steps.tick()
    clock.now += 2
    steps.tick()
    err = capsys.readouterr().err
    assert "• review-security …" in err and "• review-performance (part 2) …" in err
    assert beats(err) == ["• still running: review-security 2s, review-performance (part 2) 2s"]


def test_reviewers_asked_in_one_call_are_one_step_naming_them_all(steps, clock, capsys):
    steps.started("t1", "review", {"review_agent": "review-security",
                                   "together": ["review-tests"], "review_chunk": 1})
    steps.tick()
    clock.now += 2
    steps.tick()
    assert beats(capsys.readouterr().err) == [
        "• still running: review-security + review-tests (part 2) 2s"]


def test_another_line_restarts_the_count(steps, clock, capsys):
    steps.started("t1", "implement", {})
    for _ in range(10):  # a step's own line every 1.5 s: never 2 s of silence
        steps.tick()
        clock.now += 1.5
        steps.tick()
        steps.event({"kind": "gate", "gate": "test", "status": "running"})
    assert beats(capsys.readouterr().err) == []


def test_a_stream_that_stops_ends_the_steps_it_started_and_only_those(steps):
    steps.started("other-run", "review", {"review_agent": "review-security"})  # a batch sibling
    with pytest.raises(KeyboardInterrupt), relaying(steps) as relay:
        relay("tasks", {"id": "a", "name": "gates", "input": {}, "triggers": ()})
        relay("tasks", {"id": "b", "name": "implement", "input": {}, "triggers": ()})
        relay("tasks", {"id": "b", "name": "implement", "error": None, "result": {},
                        "interrupts": []})
        raise KeyboardInterrupt  # the stream never says that `a` ended
    assert list(steps.running) == ["other-run"]


def test_the_background_heartbeat_ends_with_the_last_step(monkeypatch, capsys):
    monkeypatch.setenv("REVIEWLOOP_HEARTBEAT_S", "0.05")
    ui.set_verbosity(ui.NORMAL)
    live = Steps()
    live.started("t1", "gates", {})
    thread = live.beat
    assert thread is not None and thread.is_alive()
    live.ended("t1")
    thread.join(timeout=10)
    assert not thread.is_alive() and live.beat is None


@pytest.mark.parametrize("value", ["0", "nan", "inf", "x"])
def test_the_first_wait_setting(monkeypatch, value):
    monkeypatch.setenv("REVIEWLOOP_HEARTBEAT_S", value)
    live = Steps(background=True)
    ui.set_verbosity(ui.NORMAL)
    live.started("t1", "gates", {})
    try:
        assert (live.beat is None) == (value == "0")  # 0 turns the lines off; junk: 2 s
    finally:
        live.ended("t1")


def test_quiet_prints_nothing(steps, clock, capsys):
    ui.set_verbosity(ui.QUIET)
    try:
        steps.started("t1", "gates", {})
        steps.event({"kind": "gate", "gate": "test", "status": "running"})
        clock.now += 60
        steps.tick()
    finally:
        ui.set_verbosity(ui.NORMAL)
    assert capsys.readouterr().err == "" and steps.running == {}


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


def test_a_finished_steps_update_is_converted_only_as_far_as_a_listener_reads_it():
    """The triage's update holds the whole ledger; the progress line reads how many findings
    are actionable: the ledger is never dumped (a 20k-line review's took ~40 ms)."""
    dumped = []

    class Ledger(BaseModel):
        entries: list[int]

        def model_dump(self, **kwargs):
            dumped.append(kwargs)
            return super().model_dump(**kwargs)

    class Reader:
        reads_lazily = True  # as the progress line and the trace do

        def started(self, task_id, node, inputs): ...

        def ended(self, task_id): ...

        def finished(self, node, update):
            self.said = ui.progress_text(node, update)
            self.update = update

        def event(self, data): ...

    reader = Reader()
    relay("updates", {"triage": {"ledger": Ledger(entries=[1, 2]),
                                 "actionable": [Ledger(entries=[3])]}}, reader)

    assert reader.said == "triage: 1 actionable finding(s)"
    assert dumped == []  # the actionable findings counted: neither they nor the ledger dumped
    # what is read is plain, as before; the rest too, when read
    assert reader.update["actionable"] == [{"entries": [3]}]
    assert dumped == [{"mode": "json"}]
    assert dict(reader.update) == {"ledger": {"entries": [1, 2]}, "actionable": [{"entries": [3]}]}


def test_a_reviewers_findings_are_counted_without_being_dumped():
    """The progress line and the timeline count a reviewer's findings: each used to be dumped
    to JSON for that (1,297 in a 1,512-finding review)."""
    dumped = []

    class Item(BaseModel):
        n: int

        def model_dump(self, **kwargs):
            dumped.append(self.n)
            return super().model_dump(**kwargs)

    class Outcome(BaseModel):
        agent: str
        round: int
        status: str
        findings: list[Item]

    update = {"reviews": [Outcome(agent="review-security", round=1, status="ok",
                                  findings=[Item(n=n) for n in range(3)])]}
    said = ui.progress_text("review", PlainUpdate(update))

    assert said == "review round 1 · review-security: 3 finding(s)" and dumped == []
    assert PlainUpdate(update)["reviews"][0]["findings"][-1] == {"n": 2}


def test_reviewers_asked_in_one_call_each_say_what_they_found(capsys):
    """Round 1's reviewers asked in one call (`[review] combined_review`) end in one step:
    off a terminal a line each, as when each had a call of its own; a live row all of
    them."""
    ui.set_verbosity(ui.NORMAL)
    update = {"reviews": [{"agent": "review-security", "round": 1, "status": "ok",
                           "findings": [{}, {}]},
                          {"agent": "review-tests", "round": 1, "status": "ok",
                           "findings": []}]}
    ui.progress("review", update)
    assert capsys.readouterr().err.splitlines() == [
        "• review round 1 · review-security: 2 finding(s)",
        "• review round 1 · review-tests: 0 finding(s)"]
    assert ui.progress_text("review", update) == (
        "review round 1 · review-security: 2 finding(s); review-tests: 0 finding(s)")


_ITEMS = st.builds(Finding, severity=st.sampled_from(list(Severity)), file=st.just("a.py"),
                   start_line=st.integers(1, 9), end_line=st.just(9), title=st.just("t"),
                   rationale=st.just("r"), confidence=st.floats(0, 1), agent=st.just("x"),
                   rule=st.none() | st.just("B602"))


class _Drafts(BaseModel):  # a field whose type is the parent of what it holds
    drafts: list[FindingDraft]
    health: list[Health] = []
    note: str | None = None


@given(findings=st.lists(_ITEMS, max_size=3),
       health=st.lists(st.builds(Health, kind=st.just("analyzer"), name=st.just("ruff"),
                                 status=st.sampled_from(["ok", "failed"])), max_size=2),
       shape=st.sampled_from(["outcome", "drafts", "list", "dict"]))
def test_a_plain_value_equals_the_models_json_dump(findings, health, shape):
    """Read whole, a plain value is what `model_dump(mode="json")` gives, field types and all."""
    outcome = ReviewerOutcome(agent="a", round=1, status="ok", findings=findings,
                              analyzers=health)
    value, dumped = {
        "outcome": (outcome, outcome.model_dump(mode="json")),
        "drafts": (_Drafts(drafts=findings, health=health),
                   _Drafts(drafts=findings, health=health).model_dump(mode="json")),
        "list": ([outcome, outcome], [outcome.model_dump(mode="json")] * 2),
        "dict": ({"reviews": [outcome], "n": 1},
                 {"reviews": [outcome.model_dump(mode="json")], "n": 1}),
    }[shape]

    assert plain(value) == dumped and dumped == plain(value)


def test_a_console_is_made_once_per_stream_and_terminal_settings(monkeypatch):
    """A review prints a line per step: each used to make a console, reading the terminal
    and the environment again. A new stream, or another colour or size setting, gets a
    console of its own; what is printed goes where the stream is now."""
    first = ui.console(stderr=True)
    assert ui.console(stderr=True) is first and ui.console() is not first
    monkeypatch.setenv("NO_COLOR", "yes" if os.environ.get("NO_COLOR") != "yes" else "no")
    assert ui.console(stderr=True) is not first
    with contextlib.redirect_stdout(io.StringIO()) as sink:
        ui.console().print("to the new stream", markup=False)
    assert sink.getvalue() == "to the new stream\n"


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


def test_what_a_gate_or_step_says_is_printed_as_text_not_markup(steps, capsys):
    steps.event({"kind": "gate", "gate": "test", "status": "failed", "duration_s": 1,
                 "summary": "2 failed: test_x[param], see [/] and [bold]"})
    ui.progress("triage", {"actionable": []})
    err = capsys.readouterr().err
    assert "test_x[param], see [/] and [bold]" in err


@pytest.mark.parametrize(("update", "line"), [
    ({"round": 2}, "fix: done, re-review round 2"),
    ({"round": 2, "fix_stopped": "the fix made no change"},
     "fix: stopped (the fix made no change); no re-review"),
    ({"round": 3, "over_budget": True}, "fix: done; the budget is spent, no re-review"),
])
def test_the_fix_line_names_a_re_review_round_only_when_one_follows(update, line) -> None:
    """The router (route_after_fix) re-reviews only a fix that neither stopped nor overspent;
    the line never announces a round that will not run."""
    assert ui.progress_text("fix", update) == line
