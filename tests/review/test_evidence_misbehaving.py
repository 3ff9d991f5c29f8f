"""An analyzer (a plugin's, most likely) that misbehaves in any of its methods is that
analyzer's recorded failure: the review goes on, the other analyzers' findings count, and
the verdict is incomplete. Generated: each of `reads`, `available` and `run` raising what
plugin code may raise (`sys.exit()` included) or giving the wrong type; and each of a plugin's
calls that never returns, past a short deadline."""

from __future__ import annotations

import sys
import threading
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.base import AnalyzerContext, AnalyzerError
from reviewloop.checks.analyzers.deadline import within
from reviewloop.findings.schema import Finding, Severity
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import FakeAnalyzer, Repo, agent

OLD = "line 1\nline 2\n"
NEW = "line 1\nline 2 changed\n"

# what plugin code raises: an error, a call of sys.exit() with a code or a message
RAISED = st.sampled_from((RuntimeError("boom"), KeyError("nope"), SystemExit(0),
                          SystemExit(1), SystemExit("bye"), RecursionError("deep")))
# what a method gives that is not of its type
WRONG = {"reads": st.sampled_from((["src/a.txt", 5], [None], [b"src/a.txt"])),
         "available": st.sampled_from((0, False, ["x"], b"gone")),
         "run": st.sampled_from((None, {}, ["a finding"], 7))}
METHODS = ("reads", "available", "run")


class Misbehaving(FakeAnalyzer):
    """Does as it is told in one method, and is a correct analyzer otherwise."""

    name = "misbehaving"

    def __init__(self, method: str, behaviour: Any) -> None:
        self.method, self.behaviour = method, behaviour

    def _act(self, method: str, normal: Any) -> Any:
        if method != self.method:
            return normal
        if isinstance(self.behaviour, BaseException):
            raise self.behaviour
        return self.behaviour

    def reads(self, ctx: AnalyzerContext) -> Any:
        return self._act("reads", list(ctx.files))

    def available(self) -> Any:
        return self._act("available", None)

    def run(self, ctx: AnalyzerContext) -> Any:
        return self._act("run", [])


class Finds(FakeAnalyzer):
    name = "finds"

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        return [Finding(severity=Severity.NIT, file="src/a.txt", start_line=2, end_line=2,
                        title="seen", rationale="r", confidence=1.0, agent="x", source="finds",
                        rule="F1")]


@pytest.fixture(scope="module")
def change(tmp_path_factory) -> tuple[Repo, str]:
    repo = Repo(tmp_path_factory.mktemp("r"), {"src/a.txt": OLD})
    return repo, repo.change({"src/a.txt": NEW})


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), method=st.sampled_from(METHODS), raises=st.booleans())
def test_a_misbehaving_analyzer_is_its_failure_never_the_reviews(change, data, method, raises):
    repo, diff = change
    behaviour = data.draw(RAISED if raises else WRONG[method])
    table = {"misbehaving": Misbehaving(method, behaviour), "finds": Finds()}
    report = run_for_agent(agent("review-x", ("misbehaving", "finds")), repo.root, diff,
                           registry=table)
    rows = {h.name: h for h in report.health}
    assert rows["misbehaving"].status == "failed", rows["misbehaving"]
    assert not report.complete
    assert rows["finds"].status == "ok" and [f.rule for f in report.findings] == ["F1"]
    if isinstance(behaviour, SystemExit):  # said as what it is, not as an exit of ours
        assert f"sys.exit({behaviour.code!r})" in (rows["misbehaving"].reason or "")


class Hangs(Misbehaving):
    """Waits in `method` until the test lets it go (a plugin's endless loop, a stuck call),
    and is a correct analyzer otherwise; with `wants`, one that reads no file as such."""

    name = "hangs"

    def __init__(self, method: str) -> None:
        super().__init__(method, None)
        self.release = threading.Event()
        self.max_bytes = 0 if method == "wants" else FakeAnalyzer.max_bytes

    def _act(self, method: str, normal: Any) -> Any:
        if method == self.method:
            self.release.wait()
        return normal

    def reads(self, ctx: AnalyzerContext) -> Any:
        return [] if self.method == "wants" else super().reads(ctx)

    def wants(self, ctx: AnalyzerContext) -> bool:
        return self._act("wants", True)


@pytest.mark.parametrize("method", ("reads", "wants", "available", "run"))
def test_a_plugin_call_past_its_deadline_is_its_failure_and_the_review_goes_on(change, method):
    repo, diff = change
    hangs = Hangs(method)
    table = {"hangs": hangs, "finds": Finds()}
    # a deadline the hanging call never meets (it waits until released), and one the other
    # calls meet under any load: each runs on a thread of its own, which a loaded machine
    # started past 0.05 s
    try:
        report = run_for_agent(agent("review-x", ("hangs", "finds")), repo.root, diff,
                               registry=table, timeout=1.0)
    finally:
        hangs.release.set()  # its thread ends with the test, as a daemon with the process
    rows = {h.name: h for h in report.health}
    assert rows["hangs"].status == "failed" and not report.complete
    assert rows["hangs"].reason == (f"hangs: its {method}() did not finish within 1s; its "
                                    "thread is left running until reviewloop exits (a "
                                    "process it started is not stopped)")
    assert rows["finds"].status == "ok" and [f.rule for f in report.findings] == ["F1"]


def test_a_plugin_call_in_time_gives_its_value_or_raises_what_it_raised():
    assert within("finds", "run()", 600, lambda: [7]) == [7]  # no load makes this late
    with pytest.raises(SystemExit):  # raised as it was, for `_run_one` to record
        within("exits", "run()", 600, lambda: sys.exit(0))


class Clock:
    """A clock that has moved on by `late` seconds each time it is read: a call that held the
    interpreter lock past its deadline, then returned (no time read, no load involved)."""

    def __init__(self, late: float):
        self.now, self.late = 0.0, late

    def __call__(self) -> float:
        self.now += self.late
        return self.now


@pytest.mark.parametrize("outcome", ("returns", "raises"))
def test_a_plugin_call_that_returns_past_its_deadline_is_still_its_failure(outcome):
    """A thread cannot stop code that holds the interpreter lock (a regex that backtracks):
    the join returned when the call ended, long after its deadline, and the row said `ok`."""
    def work() -> list[int]:
        if outcome == "raises":
            raise RuntimeError("late and wrong")
        return [7]

    with pytest.raises(AnalyzerError) as caught:
        within("regexy", "run()", 1, work, clock=Clock(23))
    assert str(caught.value).startswith("regexy: its run() took 23s, over its deadline of 1s")
    with pytest.raises(KeyboardInterrupt):  # the interrupt stays the interrupt, late or not
        within("stopped", "run()", 1, lambda: (_ for _ in ()).throw(KeyboardInterrupt()),
               clock=Clock(23))
    assert within("finds", "run()", 1, lambda: [7], clock=Clock(0.5)) == [7]
