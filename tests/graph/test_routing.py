"""Every branch of the loop, decided by the routers from state alone."""

from __future__ import annotations

from langgraph.types import Send

from reviewloop.checks.gates.base import GateReport, GateResult
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.repository import Snapshot
from reviewloop.graph.routing import (
    route_after_fix,
    route_after_gates,
    route_after_prepare,
    route_after_present,
    route_after_triage,
)
from reviewloop.graph.state import STATE_VERSION, Limits, LoopState, ReviewTask

PASSED = GateReport(results=(GateResult(name="test", passed=True, summary="1 passed"),))
FAILED = GateReport(results=(GateResult(name="test", passed=False, summary="1 failed"),))
OPEN = Finding(severity=Severity.MUST_FIX, file="a.py", start_line=1, end_line=1, title="t",
               rationale="r", suggestion="s", confidence=0.9, agent="review-security")


def state(*, retries: int = 1, rounds: int = 3, fix: bool = True, **kw: object) -> LoopState:
    return LoopState(schema_version=STATE_VERSION, run_id="r", task_id="1",
                     baseline=Snapshot(head=None, base=None, tree="t"),
                     limits=Limits(max_retries=retries, max_rounds=rounds, fix=fix),
                     **kw)  # type: ignore[arg-type]


def test_gates_passed_go_to_review() -> None:
    assert route_after_gates(state(gate_report=PASSED, attempts=1)) == "prepare"


def test_gates_failed_with_retries_left_implement_again_then_escalate() -> None:
    assert route_after_gates(state(gate_report=FAILED, attempts=1, retries=1)) == "implement"
    assert route_after_gates(state(gate_report=FAILED, attempts=2, retries=1)) == "escalate"


def test_a_tool_not_installed_is_escalated_at_once_not_retried() -> None:
    missing = GateResult(name="build", passed=False, missing_tool="go",
                         summary="`go build ./...` exited with 127, command not found: `go`")
    also_failing = GateResult(name="test", passed=False, summary="1 failed")
    assert route_after_gates(state(gate_report=GateReport(results=(missing,)), attempts=1,
                                   retries=2)) == "escalate"
    # a failure the implementer can fix beside it: it is asked to, as for any failure
    assert route_after_gates(state(gate_report=GateReport(results=(missing, also_failing)),
                                   attempts=1, retries=2)) == "implement"


def test_a_failure_only_the_user_can_fix_is_escalated_never_sent_back() -> None:
    """A language whose coverage is not measured: no implement round can pass the gates, so
    none is spent, even beside a failure it could fix; the stop says the step after the fix."""
    yours = GateResult(name="coverage", passed=False, summary="go: not measured",
                       user_fix='set `[gates] coverage = "report"`')
    also_failing = GateResult(name="test", passed=False, summary="1 failed")
    advisory = yours.model_copy(update={"blocking": False})
    for results in ((yours,), (also_failing, yours)):
        report = GateReport(results=results)
        assert route_after_gates(state(gate_report=report, attempts=1, retries=5)) == "escalate"
        assert report.escalation("r-1", "3").endswith(
            "; the coverage gate needs you (the implementer is not asked again): set "
            '`[gates] coverage = "report"`; then `reviewloop reject r-1` and `reviewloop run '
            '3` again (resuming this run replays this stop)')
    # not blocking, it fails nothing: the run goes on as it would
    assert route_after_gates(state(gate_report=GateReport(results=(advisory,)),
                                   attempts=1)) == "prepare"
    assert GateReport(results=(also_failing, yours)).escalation().startswith(
        "guard-rails failed: test, coverage; ")
    assert "reject" not in GateReport(results=(also_failing,)).escalation()


def test_a_manual_change_that_fails_its_gates_is_escalated_at_once() -> None:
    failed = state(gate_report=FAILED, attempts=1, retries=5, implementer="manual")
    assert route_after_gates(failed) == "escalate"


def test_a_run_over_budget_is_escalated_wherever_it_is() -> None:
    spent = "budget exhausted"
    assert route_after_gates(state(gate_report=PASSED, over_budget=spent)) == "escalate"
    assert route_after_triage(state(actionable=[OPEN], over_budget=spent)) == "escalate"
    assert route_after_fix(state(diff_path="d", over_budget=spent)) == "escalate"


def test_the_fan_out_sends_one_branch_per_assignment_from_state() -> None:
    ready = state(assignments=[("review-security", 0), ("review-security", 1)], round=2,
                  material_path="m.json", addressed=[OPEN])
    sends = route_after_prepare(ready)
    assert isinstance(sends, list) and all(isinstance(s, Send) for s in sends)
    tasks = [s.arg for s in sends]
    assert all(isinstance(t, ReviewTask) for t in tasks)
    assert [(t.review_agent, t.review_chunk, t.round, t.addressed) for t in tasks] == [
        ("review-security", 0, 2, [OPEN]), ("review-security", 1, 2, [OPEN])]


def test_a_stopped_round_goes_straight_to_triage() -> None:
    stopped = state(assignments=[("review-security", 0)], review_stopped="over the limit")
    assert route_after_prepare(stopped) == "triage"
    assert route_after_prepare(state()) == "triage"


def test_triage_fixes_while_rounds_are_left_and_escalates_after_the_last() -> None:
    assert route_after_triage(state(actionable=[OPEN], round=1, rounds=2)) == "snapshot"
    assert route_after_triage(state(actionable=[OPEN], round=2, rounds=2)) == "escalate"
    assert route_after_triage(state(round=2, rounds=2)) == "present"


def test_without_fixing_open_findings_are_the_answer_not_an_escalation() -> None:
    for rounds in (1, 3):
        assert route_after_triage(state(actionable=[OPEN], rounds=rounds, fix=False)) == "present"


def test_a_fix_that_stopped_is_escalated_else_re_reviewed() -> None:
    assert route_after_fix(state(diff_path="round-2.diff")) == "prepare"
    assert route_after_fix(state(fix_stopped="the fixer changed nothing")) == "escalate"


def test_only_an_approval_commits() -> None:
    assert route_after_present(state(decision="approve")) == "commit"
    assert route_after_present(state(decision="reject")) == "end"
    assert route_after_present(state()) == "end"


def test_an_implementer_command_not_found_is_escalated_at_once_whatever_the_gates_say() -> None:
    for report in (PASSED, FAILED):
        assert route_after_gates(state(gate_report=report, attempts=1, retries=2,
                                       implementer_final=True)) == "escalate"
