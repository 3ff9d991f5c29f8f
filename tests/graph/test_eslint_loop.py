"""The loop with real ESLint and scripted models: the implementer writes a DOM XSS sink, the
security reviewer is shown ESLint's finding, the fixer is asked to fix it, and the re-review
of the fix (ESLint run afresh on the fixed file) closes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.findings.ledger import Status
from reviewloop.review.evidence import analyze
from reviewloop.runs.runner import LoopRunner
from tests.support.chat import ScriptedChatModel, message_text, tool_call
from tests.support.runner import FIXER, IMPLEMENTER, ran, review, round_one, settings, start

CALC = "def add(a, b):\n    return a + b\n"
VIEW = "export function show(el, name) {\n  el.innerHTML = name;\n}\n"
SAFE = "export function show(el, name) {\n  el.textContent = name;\n}\n"


def _prompts(model: ScriptedChatModel, marker: str) -> list[str]:
    return ["\n".join(message_text(m) for m in h) for h in model.history
            if marker in message_text(h[0])]


@pytest.mark.npm
def test_an_eslint_security_finding_is_fixed_and_re_reviewed(
        project: Path, eslint_tools: Path) -> None:
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [
        tool_call("write_file", {"path": "calc.py", "content": CALC}),
        tool_call("write_file", {"path": "web/view.js", "content": VIEW}), "wrote both"])
    round_one(model)  # the models find nothing: the evidence is ESLint's
    model.script("agents: ", [review()])  # round 2: the re-reviewers in one call
    model.script(FIXER, [
        tool_call("write_file", {"path": "web/view.js", "content": SAFE}),
        "set textContent instead of innerHTML",
        "nothing else to fix", "nothing else to fix"])

    run = LoopRunner(project, settings(max_rounds=2), lambda name: model, analyze=analyze)
    result = start(run, project)

    security = _prompts(model, "## review-security\n")  # its part of round 1's one call
    assert "must_fix web/view.js:2" in security[0] and "Unsafe assignment to innerHTML" \
        in security[0]
    assert "Unsafe assignment to innerHTML" in _prompts(model, FIXER)[0]
    summary = ran(result)
    (fixed,) = [e for e in summary.ledger.with_status(Status.FIXED)
                if e.finding.source == "eslint-security"]
    assert (fixed.finding.rule, fixed.finding.file) == ("no-unsanitized/property",
                                                        "web/view.js")
    assert not [f for f in summary.findings_remaining if f.source.startswith("eslint")]
