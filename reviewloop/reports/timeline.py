"""A run's timeline as bars: each step, gate, reviewer call and fix group, when it ran, for how
long, what it used and cost. Pure: built from the lines of the run's trace (`runs.trace`).

Every bar comes from a recorded event — a step's start and end, a gate's, a fix group's end
with its own duration — and its tokens from the usage that step reported; nothing is
estimated. A step that started and never ended (a crash, a kill) is drawn to the last event
and marked `unfinished`; the timeline is then `partial`, as it is when the trace has lines
it cannot read.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reviewloop.agent.models import UsageRecord, estimate_cost

# How each step is named on a bar (a reviewer's bar is named by the reviewer).
STEP_NAMES = {"implement": "implement", "gates": "guard-rails", "prepare": "prepare round",
              "review": "review", "triage": "triage", "snapshot": "fix point", "fix": "fix",
              "escalate": "escalate", "present": "summary", "commit": "commit",
              "land": "land"}


class Span(BaseModel):
    """One bar: a step, a gate, a reviewer's call, or a fix group."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str  # a graph node's name, "gate" or "fix_group"
    label: str
    round: int | None = None
    start_s: float = Field(ge=0.0)  # since the run's first event
    duration_s: float = Field(ge=0.0)
    status: str = ""  # passed, failed, ok, fixed, unfinished, …
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = 0.0  # None: a model without a known price
    detail: str = ""

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class Timeline(BaseModel):
    """Every bar of a run, in the order they started."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    started: float | None = None  # the first event, seconds since the epoch
    total_s: float = 0.0
    spans: list[Span] = Field(default_factory=list[Span])
    partial: bool = False  # a step never ended, or a line of the trace did not read

    @property
    def rounds(self) -> list[int]:
        return sorted({s.round for s in self.spans if s.round is not None})


class _Open:
    """A bar being built from its start event."""

    def __init__(self, kind: str, label: str, round_no: int | None, start: float,
                 agent: str | None = None) -> None:
        self.kind, self.label, self.round, self.start = kind, label, round_no, start
        self.agent = agent
        self.end: float | None = None
        self.status = ""
        self.detail = ""
        self.usage: list[UsageRecord] = []
        self.reported = False  # its `done` event was seen


def timeline(trace: str, prices: Mapping[str, Mapping[str, float]] | None = None) -> Timeline:
    """The bars of the trace `trace` (the text of a run's trace.jsonl); `prices` as in
    settings, for each bar's cost."""
    events, unreadable = _events(trace)
    if not events:
        return Timeline(partial=unreadable)
    t0 = events[0]["t"]
    bars: list[_Open] = []
    open_steps: dict[str, _Open] = {}
    gates: dict[str, _Open] = {}
    for event in events:
        at = event["t"] - t0
        kind = event.get("ev")
        if kind == "start":
            bar = _started(event, at)
            open_steps[str(event.get("id"))] = bar
            bars.append(bar)
        elif kind == "end":
            ended = open_steps.pop(str(event.get("id")), None)
            if ended is not None:
                ended.end = at
        elif kind == "done":
            _report(bars, event)
        elif kind == "gate":
            _gate(bars, gates, event, at)
        elif kind == "fix_group":
            bars.append(_fix_group(bars, event, at))
    last = events[-1]["t"] - t0
    spans = [_span(bar, last, prices) for bar in bars]
    return Timeline(started=t0, total_s=round(max(last, 0.0), 3),
                    spans=sorted(spans, key=lambda s: s.start_s),
                    partial=unreadable or any(s.status == "unfinished" for s in spans))


def _events(trace: str) -> tuple[list[dict[str, Any]], bool]:
    found: list[dict[str, Any]] = []
    unreadable = False
    for line in trace.splitlines():
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError:
            unreadable = True  # a line cut short by a kill: the rest still reads
            continue
        if _readable(data):
            found.append(data)
        else:
            unreadable = True
    found.sort(key=lambda e: e["t"])
    return found, unreadable


def _readable(event: Any) -> bool:
    """Whether a parsed line is an event with the types the trace's writer gives its fields
    (`runs.trace`): a time and a duration that are finite numbers, usage and reviews as
    lists. Anything else (a hand edit, a damaged file) is a line that did not read."""
    if not isinstance(event, dict) or not _finite(event.get("t")):
        return False
    if any(event.get(key) is not None and not isinstance(event[key], list)
           for key in ("usage", "reviews")):
        return False
    return event.get("duration_s") is None or _finite(event["duration_s"])


def _finite(value: Any) -> bool:
    """A JSON number (not a boolean) a float holds, neither infinite nor NaN."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def _started(event: Mapping[str, Any], at: float) -> _Open:
    node = str(event.get("node", "step"))
    round_no = event.get("round") if isinstance(event.get("round"), int) else None
    agent = event.get("agent")
    if node == "review" and isinstance(agent, str):
        chunk = event.get("chunk")
        part = f" (part {chunk + 1})" if isinstance(chunk, int) and chunk else ""
        together = event.get("together")  # asked in one call with it: one bar names them all
        names = [agent, *(together if isinstance(together, list) else [])]
        return _Open(node, " + ".join(str(n) for n in names) + part, round_no, at, agent)
    return _Open(node, STEP_NAMES.get(node, node), round_no, at)


def _report(bars: list[_Open], event: Mapping[str, Any]) -> None:
    """A finished step's usage and outcome onto its bar: the latest of that step not yet
    reported (a reviewer's: of that reviewer and round)."""
    node = event.get("node")
    reviews = [r for r in event.get("reviews") or [] if isinstance(r, Mapping)]
    first = reviews[0] if reviews else {}
    for bar in reversed(bars):
        if bar.kind != node or bar.reported:
            continue
        if node == "review" and first and (bar.agent != first.get("agent")
                                           or bar.round not in (None, first.get("round"))):
            continue
        bar.reported = True
        bar.usage = _usage(event.get("usage") or [])
        if first and node == "review":  # a call of several: their findings together
            bar.status = str(first.get("status") or "")
            counts = [r.get("findings") for r in reviews]
            found = sum(n for n in counts if isinstance(n, int) and not isinstance(n, bool))
            bar.detail = f"{found} finding(s)" + (
                f"; {first['error']}" if first.get("error") else "")
        return


def _enclosing_round(bars: list[_Open]) -> int | None:
    return next((b.round for b in reversed(bars) if b.end is None and b.round is not None),
                None)


def _gate(bars: list[_Open], gates: dict[str, _Open], event: Mapping[str, Any],
          at: float) -> None:
    name = str(event.get("gate", "gate"))
    if event.get("status") == "running":
        gates[name] = _Open("gate", name, _enclosing_round(bars), at)
        bars.append(gates[name])
        return
    bar = gates.pop(name, None)
    if bar is None:  # its start was not recorded: placed by its own duration
        bar = _Open("gate", name, _enclosing_round(bars),
                    max(at - float(event.get("duration_s") or 0.0), 0.0))
        bars.append(bar)
    bar.end = at
    bar.status = str(event.get("status") or "")
    bar.detail = str(event.get("summary") or "")


def _fix_group(bars: list[_Open], event: Mapping[str, Any], at: float) -> _Open:
    took = float(event.get("duration_s") or 0.0)
    bar = _Open("fix_group", str(event.get("label") or "fix group"), _enclosing_round(bars),
                max(at - took, 0.0))
    bar.end = at
    bar.status = str(event.get("status") or "")
    bar.detail = (f"{event.get('findings', 0)} finding(s), "
                  f"{event.get('attempts', 0)} attempt(s)")
    bar.usage = _usage(event.get("usage") or [])
    bar.reported = True
    return bar


def _usage(records: Iterable[Any]) -> list[UsageRecord]:
    found = []
    for record in records:
        try:
            found.append(UsageRecord.model_validate(record))
        except ValidationError:
            continue  # a record of another shape: its tokens are not counted
    return found


def _span(bar: _Open, last: float, prices: Mapping[str, Mapping[str, float]] | None) -> Span:
    start = round(bar.start, 3)
    end = round(bar.end if bar.end is not None else last, 3)
    status = bar.status or ("unfinished" if bar.end is None else "")
    return Span(kind=bar.kind, label=bar.label, round=bar.round, start_s=start,
                duration_s=round(max(end - start, 0.0), 3), status=status,
                input_tokens=sum(u.input_tokens for u in bar.usage),
                output_tokens=sum(u.output_tokens for u in bar.usage),
                cost_usd=estimate_cost(bar.usage, prices) if bar.usage else 0.0,
                detail=bar.detail)
