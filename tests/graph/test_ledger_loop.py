"""The loop and the findings ledger, with scripted models on a real repository: a finding on a
line an earlier fix wrote stays open and blocks --yes; one outside the change is shown with
its reason; a failed reviewer's tokens are counted."""

from __future__ import annotations

from pathlib import Path

from langchain_core.messages import AIMessage

from reviewloop.findings.ledger import Ledger, Status
from reviewloop.reports.render import to_markdown
from reviewloop.reports.report import to_json
from tests.support.chat import ScriptedChatModel, tool_call
from tests.support.runner import (
    CALLED,
    FIXER,
    IMPLEMENTER,
    REVIEWERS,
    ran,
    review,
    round_one,
    runner,
    start,
)

CALC = "def add(a, b):\n    return a + b\n"


def finding(line: int, title: str, severity: str = "should_fix", file: str = "calc.py") -> dict:
    return {"severity": severity, "file": file, "start_line": line, "end_line": line,
            "title": title, "rationale": "seen in the code", "suggestion": "change it",
            "confidence": 0.9}


def test_a_must_fix_on_a_line_written_by_fix_round_1_reported_in_round_3_stays_open(
        project: Path) -> None:
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [tool_call("write_file", {"path": "calc.py", "content": CALC}),
                               "wrote calc.py"])
    terse = finding(1, "add has no docstring")
    vague = finding(2, "The docstring says nothing")
    tainted = finding(3, "Untrusted value traced into the log", "must_fix")
    round_one(model, {"review-maintainability": [terse]})
    # rounds 2 and 3: the re-reviewers asked in one call, each finding naming its agent
    model.script("agents: ", [review([{**vague, "agent": "review-maintainability"}]),
                              review([{**tainted, "agent": "review-security"}])])
    model.script(FIXER, [
        tool_call("edit_file", {"path": "calc.py", "old": "def add(a, b):\n",
                                "new": 'def add(a, b):\n    """Sum."""\n    trace = str(a)\n'}),
        "documented add",
        tool_call("edit_file", {"path": "calc.py", "old": '"""Sum."""',
                                "new": '"""Return a plus b."""'}),
        "said more",
    ])

    result = start(runner(project, model), project)

    assert model.remaining() == 0
    summary = ran(result)
    assert result.status == "awaiting_approval" and summary.rounds == 3
    assert [f.title for f in summary.findings_remaining] == [tainted["title"]]
    (entry,) = summary.ledger.with_status(Status.ESCALATED)
    assert entry.finding.start_line == 3 and "still open after 3" in entry.reason
    assert summary.escalations  # so `reviewloop run --yes` does not commit it
    assert {f.title for f in summary.findings_fixed} == {terse["title"], vague["title"]}


def test_a_finding_outside_the_change_is_shown_with_its_reason(project: Path) -> None:
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [tool_call("write_file", {"path": "calc.py", "content": CALC}),
                               "wrote calc.py"])
    elsewhere = finding(1, "The test imports a private name", file="tests/test_calc.py")
    round_one(model, {"review-test-quality": [elsewhere]})

    result = start(runner(project, model), project)

    summary = ran(result)
    (entry,) = summary.ledger.with_status(Status.OUT_OF_SCOPE)
    assert entry.finding.file == "tests/test_calc.py"
    assert entry.reason == "outside the change: in a file this change does not touch"
    assert summary.findings_remaining == [] and not summary.escalations
    markdown = to_markdown(summary)
    assert "### Outside the change" in markdown
    assert "tests/test_calc.py:1" in markdown and "does not touch" in markdown
    assert to_json(summary)["findings"]["out_of_scope"][0]["reason"] == entry.reason


def _implemented_with_a_chatty_reply() -> tuple[ScriptedChatModel, AIMessage]:
    """A model whose implementer writes calc.py, and a reviewer reply that never submits
    (700 tokens in, 30 out)."""
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [tool_call("write_file", {"path": "calc.py", "content": CALC}),
                               "wrote calc.py"])
    return model, AIMessage(content="I think it is fine.",
                            usage_metadata={"input_tokens": 700, "output_tokens": 30,
                                            "total_tokens": 730})


def test_a_failed_reviewers_tokens_are_counted(project: Path) -> None:
    model, chatty = _implemented_with_a_chatty_reply()
    model.script("agent: review-security", [chatty, chatty])  # never submits: fails
    for name in REVIEWERS:
        if name != "review-security":
            model.script(f"agent: {name}", [review()])

    # one call per reviewer, so that one fails alone (`test_a_failed_combined_call_...`)
    result = start(runner(project, model, review={"combined_review": False}), project)

    summary = ran(result)
    (security,) = [r for r in summary.reviewers if r.agent == "review-security"]
    assert security.status == "failed"
    assert (security.input_tokens, security.output_tokens) == (1400, 60)
    assert summary.input_tokens >= 1400 and summary.output_tokens >= 60
    assert result.summary is not None and isinstance(result.summary.ledger, Ledger)


def test_a_failed_combined_call_fails_every_member_and_its_tokens_are_counted(
        project: Path) -> None:
    """Round 1 asks its reviewers in one call (the default): when it never submits, every
    member failed, and their shares add up to what the call cost."""
    model, chatty = _implemented_with_a_chatty_reply()
    model.script("agents: ", [chatty, chatty])  # never submits: fails

    result = start(runner(project, model), project)

    summary = ran(result)
    asked = [r for r in summary.reviewers if r.agent in CALLED]
    assert sorted(r.agent for r in asked) == sorted(CALLED)
    assert all(r.status == "failed" for r in asked)
    assert sum(r.input_tokens for r in asked) == 1400
    assert sum(r.output_tokens for r in asked) == 60
    assert summary.input_tokens >= 1400 and summary.output_tokens >= 60
    assert summary.escalations  # a failed review is never clean
