"""An analyzer (a plugin's, most likely) that misbehaves in any of its methods is that
analyzer's recorded failure: the review goes on, the other analyzers' findings count, and
the verdict is incomplete. Generated: each of `reads`, `available` and `run` raising what
plugin code may raise (`sys.exit()` included) or giving the wrong type."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.base import AnalyzerContext, AnalyzerError
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import parse_diff
from reviewloop.review.evidence import run_for_agent, run_within
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


class Hangs(FakeAnalyzer):
    """Its run() waits until the test lets it go (a plugin's endless loop, a stuck call)."""

    name = "hangs"

    def __init__(self) -> None:
        self.release = threading.Event()

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        self.release.wait()
        return []


def test_a_plugin_run_past_its_deadline_is_its_failure_and_the_review_goes_on(change):
    repo, diff = change
    hangs = Hangs()
    ctx = AnalyzerContext(root=repo.root, changes=parse_diff(diff), diff_text=diff,
                          agent="review-x", files=("src/a.txt",), timeout=0.05)
    try:
        with pytest.raises(AnalyzerError, match=r"hangs did not finish within 0.05s"):
            run_within(hangs, ctx)
    finally:
        hangs.release.set()  # its thread ends with the test, as a daemon with the process
    roomy = replace(ctx, timeout=600)  # the default: no load makes these late
    assert run_within(Finds(), roomy)[0].rule == "F1"  # in time: its findings
    with pytest.raises(SystemExit):  # raised as it was, for `_run_one` to record
        run_within(Misbehaving("run", SystemExit(0)), roomy)
