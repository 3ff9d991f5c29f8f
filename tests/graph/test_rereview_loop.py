"""The loop with scripted models on a real repository: from round 2 on, the re-reviewers on
one model are asked in one call (`review.rereview`), and the run comes out as it does with
one call per re-reviewer (`[review] combined_rereview = false`): the same ledger, the same
reviewers in the report. Round 1 asks its reviewers in one call too (`[review]
combined_review`, the default), each one's instructions in it, and the run comes out as with
one call per reviewer (`combined_review = false`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.review.definitions import builtin_agents
from reviewloop.review.material import load_material
from tests.support.chat import ScriptedChatModel, message_text, tool_call
from tests.support.runner import (
    CALLED,
    FIXER,
    IMPLEMENTER,
    make_project,
    ran,
    review,
    runner,
    start,
)

CALC = "def add(a, b):\n    return a + b\n"


def finding(line: int, title: str, severity: str, agent: str | None = None) -> dict:
    found = {"severity": severity, "file": "calc.py", "start_line": line, "end_line": line,
             "title": title, "rationale": "seen in the code", "confidence": 0.9}
    return {**found, "agent": agent} if agent else found


TERSE = finding(1, "add has no docstring", "should_fix")
# round 2: the fix's docstring is vague (a nit: reported, never fixed, so no round 3)
VAGUE = finding(2, "The docstring says nothing", "nit")


def scripted(combined: bool) -> ScriptedChatModel:
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [tool_call("write_file", {"path": "calc.py", "content": CALC}),
                               "wrote calc.py"])
    for name in CALLED:  # round 1, then (when asked alone) round 2
        first = [TERSE] if name == "review-maintainability" else []
        second = [VAGUE] if name == "review-performance" else []
        model.script(f"agent: {name}", [review(first), *([] if combined else [review(second)])])
    if combined:
        model.script("agents: ", [review([{**VAGUE, "agent": "review-performance"}])])
    model.script(FIXER, [tool_call("edit_file", {"path": "calc.py", "old": "def add(a, b):\n",
                                                 "new": 'def add(a, b):\n    """Sum."""\n'}),
                         "documented add"])
    return model


def round_two(model: ScriptedChatModel) -> list[str]:
    return [message_text(h[0]) for h in model.history
            if "Re-review, round 2" in message_text(h[0])]


@pytest.mark.parametrize("combined", [True, False])
def test_round_two_asks_its_re_reviewers_in_one_call_and_ends_as_separate_calls_do(
        tmp_path: Path, combined: bool) -> None:
    runs = {}
    for together in {combined, False}:
        root = make_project(tmp_path / f"together-{together}")
        model = scripted(together)
        # round 1 one call per reviewer, so that only round 2 differs (round 1 asked in one
        # call, the default: `test_round_one_asks_its_reviewers_in_one_call_...`)
        result = start(runner(root, model, review={"combined_rereview": together,
                                                   "combined_review": False}), root)
        assert model.remaining() == 0
        runs[together] = (model, ran(result), root)

    model, summary, root = runs[combined]
    asked = round_two(model)
    if combined:
        (system,) = asked  # one request for every re-reviewer of the chunk
        assert f"agents: {', '.join(CALLED)}\n" in system
        (material,) = root.glob(".reviewloop/runs/*/round-2.material.json")
        assert load_material(str(material)).estimate.calls == 1  # the estimate says so too
    else:
        assert sorted(next(line for line in s.splitlines() if line.startswith("agent: "))
                      for s in asked) == sorted(f"agent: {name}" for name in CALLED)
        assert not any("agents: " in s for s in asked)

    # the same run either way: findings, whose they are, what became of them, who reviewed
    def seen(summary) -> list[tuple]:
        return sorted((e.finding.title, e.finding.agent, e.status.value)
                      for e in summary.ledger.entries)
    _, alone, _ = runs[False]
    assert summary.rounds == alone.rounds == 2
    assert seen(summary) == seen(alone)
    assert ("The docstring says nothing", "review-performance", "open") in seen(summary)
    assert [(r.agent, r.status, r.findings_count) for r in summary.reviewers] == \
        [(r.agent, r.status, r.findings_count) for r in alone.reviewers]
    # every re-reviewer's share of the call is counted under its name
    assert all(r.input_tokens > 0 for r in summary.reviewers if r.agent in CALLED)


def scripted_combined() -> ScriptedChatModel:
    """Every round's reviewers in one call: round 1 finds TERSE, round 2 VAGUE."""
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [tool_call("write_file", {"path": "calc.py", "content": CALC}),
                               "wrote calc.py"])
    model.script("agents: ", [review([{**TERSE, "agent": "review-maintainability"}]),
                              review([{**VAGUE, "agent": "review-performance"}])])
    model.script(FIXER, [tool_call("edit_file", {"path": "calc.py", "old": "def add(a, b):\n",
                                                 "new": 'def add(a, b):\n    """Sum."""\n'}),
                         "documented add"])
    return model


def test_round_one_asks_its_reviewers_in_one_call_and_ends_as_separate_calls_do(
        tmp_path: Path) -> None:
    runs = {}
    for combined in (True, False):
        root = make_project(tmp_path / f"combined-{combined}")
        model = scripted_combined() if combined else scripted(True)
        result = start(runner(root, model, review={"combined_review": combined}), root)
        assert model.remaining() == 0
        runs[combined] = (model, ran(result), root)

    model, summary, root = runs[True]
    first = [message_text(h[0]) for h in model.history if "# The change (unified diff)"
             in message_text(h[0]) and FIXER not in message_text(h[0])]
    (system,) = first  # one request for every reviewer of the chunk
    assert f"agents: {', '.join(CALLED)}\n" in system
    personas = {a.name: a.prompt.strip().splitlines()[0] for a in builtin_agents()}
    assert all(f"## {name}\n\n{personas[name]}" in system for name in CALLED)
    (material,) = root.glob(".reviewloop/runs/*/round-1.material.json")
    assert load_material(str(material)).estimate.calls == 1

    def seen(summary) -> list[tuple]:
        return sorted((e.finding.title, e.finding.agent, e.status.value)
                      for e in summary.ledger.entries)
    _, alone, _ = runs[False]
    assert summary.rounds == alone.rounds == 2
    assert seen(summary) == seen(alone)
    assert [t for t in seen(summary) if t[0] == "add has no docstring"] == [
        ("add has no docstring", "review-maintainability", "fixed")]
    # the same reviewers and counts; a group's outcomes arrive together, at its first place
    assert sorted((r.agent, r.status, r.findings_count) for r in summary.reviewers) == \
        sorted((r.agent, r.status, r.findings_count) for r in alone.reviewers)
    assert all(r.input_tokens > 0 for r in summary.reviewers if r.agent in CALLED)
