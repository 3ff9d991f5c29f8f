"""The run's timeline: recorded as it happens (`runs.trace`) and read back into bars
(`reports.timeline`) — every bar from an event, tokens and cost from what each step used."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from reviewloop.checks.gates.base import GateResult
from reviewloop.reports.timeline import timeline
from reviewloop.runs.streaming import PlainUpdate, Tee
from reviewloop.runs.trace import TRACE, TraceRecorder, read_trace

MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
PRICES = {MODEL: {"input": 3.0, "output": 15.0}}


def usage(agent: str, role: str, tokens_in: int, tokens_out: int) -> dict:
    return {"role": role, "agent": agent, "model": MODEL, "input_tokens": tokens_in,
            "output_tokens": tokens_out, "cache_read_tokens": 0, "cache_write_tokens": 0,
            "fallback_for": None}


class Clock:
    """A clock the test moves: each event at the time the test says."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def at(self, seconds: float) -> None:
        self.now = 1_000.0 + seconds


def recorded_run(folder: Path) -> str:
    """A run's events as the graph streams them: gates, a round of two reviewers in
    parallel, a fix of two groups, a second round of one reviewer."""
    clock = Clock()
    trace = TraceRecorder(folder, clock)
    clock.at(0)
    trace.started("t1", "gates", {"round": 1, "run_id": "r"})
    trace.gate("test", None)
    clock.at(2)
    trace.gate("test", GateResult(name="test", passed=True, summary="3 passed",
                                  duration_s=2.0))
    trace.finished("gates", {})
    trace.ended("t1")
    clock.at(2.5)
    trace.started("a", "review", {"review_agent": "review-security", "review_chunk": 0,
                                  "round": 1})
    trace.started("b", "review", {"review_agent": "review-performance", "review_chunk": 1,
                                  "round": 1})
    clock.at(4)
    trace.finished("review", {"reviews": [{"agent": "review-performance", "round": 1,
                                           "status": "ok", "findings": []}],
                              "usage": [usage("review-performance", "review", 1000, 100)]})
    trace.ended("b")
    clock.at(6.5)
    trace.finished("review", {"reviews": [{"agent": "review-security", "round": 1,
                                           "status": "ok", "findings": [{}, {}]}],
                              "usage": [usage("review-security", "review", 2000, 200)]})
    trace.ended("a")
    clock.at(7)
    trace.started("f", "fix", {"round": 1})
    clock.at(9)
    trace.event({"kind": "fix_group", "label": "app.py:3", "status": "fixed", "attempts": 1,
                 "findings": 1, "duration_s": 2.0,
                 "usage": [usage("fixer", "fix", 500, 50)]})
    clock.at(10)
    trace.event({"kind": "fix_group", "label": "app.py:30", "status": "escalated",
                 "attempts": 3, "findings": 1, "duration_s": 1.0, "usage": []})
    trace.finished("fix", {"usage": [usage("fixer", "fix", 500, 50)]})
    trace.ended("f")
    clock.at(11)
    trace.started("c", "review", {"review_agent": "review-security", "review_chunk": 0,
                                  "round": 2})
    return read_trace(folder)  # round 2 never ends: a kill


def test_each_step_gate_reviewer_and_fix_group_is_a_bar_with_its_tokens_and_cost(
        tmp_path: Path):
    line = timeline(recorded_run(tmp_path), PRICES)
    bars = {(s.kind, s.label, s.round): s for s in line.spans}
    gate = bars[("gate", "test", 1)]
    assert (gate.start_s, gate.duration_s, gate.status, gate.detail) == (0, 2, "passed",
                                                                          "3 passed")
    security = bars[("review", "review-security", 1)]
    assert (security.start_s, security.duration_s) == (2.5, 4.0)
    assert (security.input_tokens, security.output_tokens) == (2000, 200)
    assert security.cost_usd == pytest.approx((2000 * 3 + 200 * 15) / 1e6)
    assert security.detail == "2 finding(s)"
    performance = bars[("review", "review-performance (part 2)", 1)]
    assert (performance.duration_s, performance.input_tokens) == (1.5, 1000)
    first, second = (bars[("fix_group", label, 1)] for label in ("app.py:3", "app.py:30"))
    assert (first.start_s, first.duration_s, first.status, first.tokens) == (7, 2, "fixed", 550)
    assert (second.start_s, second.status) == (9, "escalated")
    assert "3 attempt(s)" in second.detail
    unfinished = bars[("review", "review-security", 2)]
    assert unfinished.status == "unfinished" and line.partial
    assert line.rounds == [1, 2] and line.total_s == 11
    assert [s.start_s for s in line.spans] == sorted(s.start_s for s in line.spans)


def test_reviewers_asked_in_one_call_are_one_bar_that_names_them_all(tmp_path: Path):
    """Round 1's reviewers on one model are asked in one call (`[review] combined_review`,
    the default): one bar, named by every one of them, with the call's tokens and all their
    findings."""
    clock = Clock()
    trace = TraceRecorder(tmp_path, clock)
    trace.started("a", "review", {"review_agent": "review-performance", "review_chunk": 0,
                                  "round": 1, "together": ["review-security", "review-tests"]})
    clock.at(3)
    trace.finished("review", {"reviews": [
        {"agent": name, "round": 1, "status": "ok", "findings": [{}] * found}
        for name, found in (("review-performance", 1), ("review-security", 2),
                            ("review-tests", 0))],
        "usage": [usage(name, "review", 1000, 100) for name in
                  ("review-performance", "review-security", "review-tests")]})
    trace.ended("a")
    [bar] = timeline(read_trace(tmp_path), PRICES).spans
    assert bar.label == "review-performance + review-security + review-tests"
    assert (bar.duration_s, bar.status, bar.detail) == (3, "ok", "3 finding(s)")
    assert (bar.input_tokens, bar.output_tokens) == (3000, 300)


def test_a_model_without_a_price_has_an_unknown_cost_not_zero(tmp_path: Path):
    line = timeline(recorded_run(tmp_path).replace(MODEL, "our-own-model"), prices={})
    security = next(s for s in line.spans if s.label == "review-security")
    assert security.tokens == 2200 and security.cost_usd is None
    assert next(s for s in line.spans if s.kind == "gate").cost_usd == 0.0


def test_a_line_cut_short_by_a_kill_leaves_the_rest_readable(tmp_path: Path):
    text = recorded_run(tmp_path)
    broken = text + '{"t": 1012.0, "ev": "end", "id": "c'  # the kill cut the last line
    line = timeline(broken, PRICES)
    assert line.partial and len(line.spans) == len(timeline(text, PRICES).spans)
    assert timeline("", PRICES).spans == [] and timeline("not json\n").partial


def test_a_trace_that_cannot_be_written_stops_without_stopping_the_run(tmp_path: Path):
    folder = tmp_path / "gone"  # no such folder: every write fails
    trace = TraceRecorder(folder)
    trace.started("x", "review", {"review_agent": "a", "round": 1})
    trace.ended("x")
    assert trace.broken and read_trace(folder) == ""


def test_the_tee_tells_every_listener_and_the_trace_keeps_only_its_own_events(tmp_path):
    heard: list[tuple] = []

    class Progress:
        def started(self, task_id, node, inputs):
            heard.append(("started", node))

        def ended(self, task_id):
            heard.append(("ended", task_id))

        def finished(self, node, update):
            heard.append(("finished", node))

        def event(self, data):
            heard.append(("event", data["kind"]))

    tee = Tee(Progress(), None, TraceRecorder(tmp_path))
    tee.started("1", "prepare", {"round": 1})
    tee.event({"kind": "live-view-only"})
    tee.finished("prepare", {})
    tee.ended("1")
    assert heard == [("started", "prepare"), ("event", "live-view-only"),
                     ("finished", "prepare"), ("ended", "1")]
    events = (tmp_path / TRACE).read_text().splitlines()
    assert len(events) == 3 and "live-view-only" not in "".join(events)


steps = st.lists(st.tuples(st.sampled_from(["start", "end"]), st.integers(0, 5),
                           st.floats(0, 100, allow_nan=False)), max_size=30)


@given(steps)
def test_any_order_of_starts_and_ends_gives_bars_inside_the_run(events):
    """Events out of order, ends without starts, starts without ends: every bar starts and
    ends within the recorded time, never negative."""
    counter = itertools.count()
    lines = []
    for kind, ident, at in events:
        event = {"t": at, "ev": kind, "id": str(ident)}
        if kind == "start":
            event |= {"node": "review", "agent": f"r{next(counter)}", "round": 1}
        lines.append(json.dumps(event))
    line = timeline("\n".join(lines))
    for span in line.spans:
        assert span.start_s >= 0 and span.duration_s >= 0
        assert span.start_s + span.duration_s <= line.total_s + 1e-6, span


# What a damaged or hand-edited trace may hold where the writer puts a number or a list.
WRONG = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.just(10**400),
                  st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=3),
                  st.lists(st.integers(), max_size=2),
                  st.dictionaries(st.sampled_from(["agent", "round", "x"]),
                                  st.integers(), max_size=2))
FIELDS = st.sampled_from(["t", "usage", "reviews", "duration_s", "round", "chunk", "node",
                          "id", "gate", "status", "label", "findings", "attempts", "agent",
                          "together"])


@given(mutations=st.lists(st.tuples(st.integers(0, 40), FIELDS, WRONG), min_size=1,
                          max_size=4))
def test_a_line_with_a_wrong_type_is_a_partial_timeline_never_a_crash(tmp_path_factory,
                                                                      mutations):
    """A trace line that parses as JSON but holds a field of another type (`"usage": -1`,
    `"reviews": true`, `"t": NaN`) crashed `report --html` (exit 3); it reads as a line that
    did not read: the timeline is partial, the other lines' bars are drawn."""
    lines = recorded_run(tmp_path_factory.mktemp("run")).splitlines()
    changed = set()
    for index, field, value in mutations:
        n = index % len(lines)
        event = json.loads(lines[n])
        event[field] = value
        lines[n] = json.dumps(event)
        changed.add(n)
    drawn = timeline("\n".join(lines) + "\n", PRICES)
    assert all(s.start_s >= 0 and s.duration_s >= 0 for s in drawn.spans)
    assert all(s.input_tokens >= 0 and s.output_tokens >= 0 for s in drawn.spans)


@pytest.mark.parametrize("field, value", [("usage", -1), ("reviews", True),
                                          ("t", float("nan")), ("duration_s", "x")])
def test_the_reported_wrong_types_make_the_timeline_partial(tmp_path: Path, field, value):
    lines = recorded_run(tmp_path).splitlines()
    n = next(i for i, line in enumerate(lines) if field in json.loads(line)
             or (field in ("usage", "reviews") and json.loads(line).get("ev") == "done"))
    event = json.loads(lines[n])
    event[field] = value
    lines[n] = json.dumps(event)
    drawn = timeline("\n".join(lines) + "\n", PRICES)
    assert drawn.partial
    assert drawn.spans  # the other lines still draw their bars


def test_a_usage_record_holding_models_is_written_as_lists(tmp_path: Path):
    """A step's update reaches listeners with its lists of models read item by item: the
    timeline writes such a list inside a usage record as the list it is, not its text."""

    class Part(BaseModel):
        tokens: int

    class Usage(BaseModel):
        role: str
        parts: list[Part]

    trace = TraceRecorder(tmp_path)
    trace.finished("review", PlainUpdate({"usage": [Usage(role="review",
                                                          parts=[Part(tokens=3)])]}))

    line = json.loads(read_trace(tmp_path))
    assert line["usage"] == [{"role": "review", "parts": [{"tokens": 3}]}]
