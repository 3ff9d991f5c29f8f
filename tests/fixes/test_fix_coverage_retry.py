"""Strict coverage in a fix group's own re-test, through the whole graph (scripted chat
model, real git, real pytest and coverage.py in the sandbox): a fix that adds a public
function no test runs is retried within its group's budget, told `still uncovered: f at
file:line`, and kept once its test runs it; a fixer that never adds one spends its budget,
its group is discarded and escalated naming the function, and the pass is not sunk at the
full gates. Before, the per-group re-test ran no coverage: the fix passed it, the full
gates then discarded the whole pass, and the fixer never heard why."""

from __future__ import annotations

import sys
from pathlib import Path

from reviewloop.config import Gates, Settings
from reviewloop.findings.ledger import Status
from reviewloop.runs.runner import LoopRunner
from tests.support.chat import ScriptedChatModel, message_text, tool_call
from tests.support.runner import FIXER, IMPLEMENTER, ran, review, round_one, start

CALC = "def add(a, b):\n    return a + b\n"
HALVED = CALC + "\n\ndef halve(a):\n    return a / 2\n"  # halve's def on line 5
TEST_HALVE = "from calc import halve\n\n\ndef test_halve():\n    assert halve(4) == 2\n"
UNRELATED = "from calc import add\n\n\ndef test_add_zero():\n    assert add(0, 0) == 0\n"
WANTED = {"severity": "should_fix", "file": "calc.py", "start_line": 1, "end_line": 2,
          "title": "Halving is done by hand", "rationale": "callers repeat a / 2",
          "suggestion": "add a tested helper", "confidence": 0.9}


def _strict() -> Settings:
    gates = Gates(build=(), test=(f"{sys.executable} -m pytest -q -p no:cacheprovider",),
                  coverage="strict")
    return Settings(model="scripted", gates=gates)


def _model(*fixes: object, rereview: bool = True) -> ScriptedChatModel:
    """The implementer writes `add` (tested by the project's test_calc.py, so the
    implementation passes strict coverage); one reviewer asks for the helper; the re-review
    after a kept fix is clean; the fixer answers with `fixes`."""
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [tool_call("write_file", {"path": "calc.py", "content": CALC}),
                               "wrote calc.py"])
    round_one(model, {"review-maintainability": [WANTED]})
    if rereview:
        model.script("agents: ", [review()])
    model.script(FIXER, list(fixes))
    return model


def _fixer_prompts(model: ScriptedChatModel) -> list[str]:
    return [message_text(h[1]) for h in model.history
            if FIXER in message_text(h[0]) and len(h) == 2]


def _halve(note: str) -> list[object]:
    return [tool_call("write_file", {"path": "calc.py", "content": HALVED}), note]


def test_a_fix_adding_an_untested_function_is_retried_with_it_named_and_kept_once_tested(
        project: Path) -> None:
    model = _model(*_halve("added halve"),
                   tool_call("write_file", {"path": "tests/test_halve.py",
                                            "content": TEST_HALVE}), "tested halve")

    result = start(LoopRunner(project, _strict(), lambda name: model), project)

    first, retry = _fixer_prompts(model)
    assert "still uncovered" not in first
    assert "still uncovered: halve at calc.py:5" in retry, retry
    assert "did not pass its checks" in retry
    assert model.remaining() == 0
    assert result.tree is not None
    tree = Path(result.tree.path)
    assert (tree / "calc.py").read_text() == HALVED
    assert (tree / "tests/test_halve.py").read_text() == TEST_HALVE
    summary = ran(result)
    assert summary.escalations == [], summary.escalations
    assert [f.title for f in summary.findings_fixed] == [WANTED["title"]]
    assert summary.rounds == 2  # the kept fix was re-reviewed
    assert result.status == "awaiting_approval"


def test_a_fixer_that_never_tests_its_function_spends_its_budget_and_is_discarded(
        project: Path) -> None:
    """Its retries are the group's usual two; a test that does not run the function does
    not count; the group is escalated naming the function, with no full-gates failure."""
    model = _model(*_halve("added halve"),
                   tool_call("write_file", {"path": "tests/test_more.py",
                                            "content": UNRELATED}), "added a test",
                   "nothing more to do", rereview=False)

    result = start(LoopRunner(project, _strict(), lambda name: model), project)

    prompts = _fixer_prompts(model)
    assert len(prompts) == 3
    assert all("still uncovered: halve at calc.py:5" in p for p in prompts[1:]), prompts
    assert model.remaining() == 0
    assert result.tree is not None
    tree = Path(result.tree.path)
    assert (tree / "calc.py").read_text() == CALC  # the group's fix went back
    assert not (tree / "tests/test_more.py").exists()
    summary = ran(result)
    said = "\n".join(summary.escalations)
    assert "its new code was still not covered by a test after 3 fix attempt(s), so its " \
           "fix was discarded" in said, said
    assert "still uncovered: halve at calc.py:5" in said
    assert "full gates" not in said
    (entry,) = summary.ledger.entries
    assert entry.status is Status.ESCALATED
    assert summary.rounds == 1
