"""What a listener of a running graph gets (`runs.streaming`): a user's or a plugin's
listener that writes each step's update with `json.dumps` broke on r22's lazy views
(`PlainUpdate`, `PlainItems`: no `dict`, no `list`, which `json` alone writes). A listener
now gets plain dicts and lists unless its class reads the views (`reads_lazily = True`:
reviewloop's progress line, trace and `Tee`), which keep their speed. Generated
(hypothesis): updates of every shape a step returns, through `relay`, `Tee` and the
offline review's steps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from reviewloop.cli.progress import Steps
from reviewloop.findings.ledger import Health, Ledger
from reviewloop.findings.schema import Finding, Severity
from reviewloop.review.reviewer import ReviewerOutcome
from reviewloop.runs.offline import _Told
from reviewloop.runs.streaming import PlainItems, PlainUpdate, Tee, relay, traced
from reviewloop.runs.trace import TraceRecorder

FINDINGS = st.builds(Finding, severity=st.sampled_from(list(Severity)), file=st.just("a.py"),
                     start_line=st.integers(1, 9), end_line=st.just(9),
                     title=st.text("ab <é", min_size=1, max_size=8), rationale=st.just("r"),
                     confidence=st.floats(0, 1), agent=st.just("x"),
                     rule=st.none() | st.just("B602"), more_here=st.lists(st.just("m")))
HEALTH = st.builds(Health, kind=st.just("analyzer"), name=st.just("ruff"),
                   status=st.sampled_from(["ok", "failed"]))


@st.composite
def updates(draw: st.DrawFn) -> dict[str, Any]:
    """A step's update: reviewers' outcomes (models holding lists of models), a ledger, a
    list of findings, plain values."""
    findings = draw(st.lists(FINDINGS, max_size=3))
    outcome = ReviewerOutcome(agent="review-security", round=1, status="ok",
                              findings=findings, analyzers=draw(st.lists(HEALTH, max_size=2)))
    chosen = draw(st.sets(st.sampled_from(["reviews", "ledger", "actionable", "round",
                                           "names", "empty"]), min_size=1))
    shapes = {"reviews": [outcome], "ledger": Ledger(round=1), "actionable": findings,
              "round": draw(st.integers(0, 5)), "names": ["a", "b"], "empty": []}
    return {k: shapes[k] for k in chosen}


def _dumped(update: dict[str, Any]) -> Any:
    """The update as JSON: every model as `model_dump(mode="json")`."""
    def one(value: Any) -> Any:
        if isinstance(value, BaseModel):
            return value.model_dump(mode="json")
        return [one(v) for v in value] if isinstance(value, list) else value
    return {k: one(v) for k, v in update.items()}


class Writer:
    """A user's listener: each finished step written as JSON."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def started(self, task_id: str, node: str, inputs: dict[str, Any]) -> None: ...

    def ended(self, task_id: str) -> None: ...

    def finished(self, node: str, update: Any) -> None:
        self.lines.append(json.dumps({"node": node, "update": update}))

    def event(self, data: dict[str, Any]) -> None: ...


@settings(max_examples=60, derandomize=True, deadline=None)
@given(update=updates(), how=st.sampled_from(["relay", "tee", "traced", "offline"]))
def test_a_listener_that_writes_json_gets_plain_values(update: dict[str, Any], how: str,
                                                       tmp_path_factory: Any) -> None:
    writer = Writer()
    if how == "relay":
        relay("updates", {"review": update}, writer)
    elif how == "tee":
        relay("updates", {"review": update}, Tee(None, writer))
    elif how == "traced":
        folder = tmp_path_factory.mktemp("run")
        relay("updates", {"review": update}, traced(writer, folder))
        assert (folder / "trace.jsonl").is_file()  # the trace beside it, still written
    else:
        _Told(writer).step("review", {}, lambda: update)
    [line] = writer.lines
    assert json.loads(line) == {"node": "review", "update": _dumped(update)}


def test_reviewloops_own_listeners_read_the_views_lazily(tmp_path: Path) -> None:
    """The speed r22 bought stays: the progress line and the trace are given the views."""
    got: list[Any] = []

    class Lazy:
        reads_lazily = True

        def started(self, task_id: str, node: str, inputs: dict[str, Any]) -> None: ...

        def ended(self, task_id: str) -> None: ...

        def finished(self, node: str, update: Any) -> None:
            got.append(update)

        def event(self, data: dict[str, Any]) -> None: ...

    outcome = ReviewerOutcome(agent="a", round=1, status="ok", findings=[])
    relay("updates", {"review": {"reviews": [outcome]}}, Tee(Lazy(), Writer()))
    assert isinstance(got[0], PlainUpdate) and isinstance(got[0]["reviews"], PlainItems)
    assert Steps.reads_lazily is True and TraceRecorder.reads_lazily is True
    assert Tee.reads_lazily is True
