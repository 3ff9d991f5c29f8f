"""Per-finding fix budgets through the whole graph (scripted chat model, real git, real
pytest in the sandbox): each group of findings gets one attempt and two retries with the
failing output of its own relevant tests; a group that spends its budget is discarded and
escalated with its reason, and the others proceed."""

from __future__ import annotations

from pathlib import Path

from langchain_core.messages import BaseMessage

from reviewloop.config import Gates, Settings
from reviewloop.findings.ledger import Status
from reviewloop.reports.report import RunSummary
from reviewloop.runs.review import DiffSource, review_change
from tests.support.chat import ScriptedChatModel, message_text, tool_call
from tests.support.repos import init_repo
from tests.support.runner import (
    FIXER,
    IMPLEMENTER,
    TEST_CALC,
    ran,
    review,
    round_one,
    runner,
    settings,
    start,
)

GREEN = "def add(a, b):\n    return a + b\n"
DOCUMENTED = 'def add(a, b):\n    """Sum."""\n    return a + b\n'
UTIL = "def double(x):\n    return x * 2\n"
BROKEN_UTIL = 'def double(x):\n    """Twice x."""\n    return x * 3\n'
GOOD_UTIL = 'def double(x):\n    """Twice x."""\n    return x + x\n'
TEST_UTIL = "from util import double\n\n\ndef test_double():\n    assert double(2) == 4\n"
ADD = {"severity": "must_fix", "file": "calc.py", "start_line": 1, "end_line": 2,
       "title": "add has no docstring", "rationale": "public API", "confidence": 0.9}
DOUBLE = {"severity": "should_fix", "file": "util.py", "start_line": 1, "end_line": 2,
          "title": "double has no docstring", "rationale": "public API", "confidence": 0.9}


def scripted(*double_fixes) -> ScriptedChatModel:
    """Implementer writes calc.py, util.py and its test; round 1 reports ADD and DOUBLE;
    round 2 is clean (its re-reviewers asked in one call); the fixer fixes ADD at once and
    answers DOUBLE with `double_fixes`."""
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [
        tool_call("write_file", {"path": "calc.py", "content": GREEN}),
        tool_call("write_file", {"path": "util.py", "content": UTIL}),
        tool_call("write_file", {"path": "tests/test_util.py", "content": TEST_UTIL}),
        "wrote calc.py and util.py"])
    round_one(model, {"review-maintainability": [ADD, DOUBLE]})
    model.script("agents: ", [review()])
    model.script(FIXER, [tool_call("write_file", {"path": "calc.py", "content": DOCUMENTED}),
                         "documented add", *double_fixes])
    return model


def fixer_prompts(model: ScriptedChatModel) -> list[str]:
    """The opening prompt of every fixer conversation, in order."""
    return [message_text(h[1]) for h in model.history
            if FIXER in message_text(h[0]) and len(h) == 2]


def about(prompts: list[str], finding: dict) -> list[str]:
    return [p for p in prompts if finding["title"] in p]


def broken(note: str) -> list[BaseMessage | str]:
    return [tool_call("write_file", {"path": "util.py", "content": BROKEN_UTIL}), note]


def test_a_group_that_spends_its_budget_is_escalated_and_the_other_is_not_retried(
        project: Path) -> None:
    model = scripted(*broken("tripled"), *broken("again"), *broken("once more"))
    result = start(runner(project, model), project)

    prompts = fixer_prompts(model)
    assert len(about(prompts, ADD)) == 1  # fixed at the first attempt, never retried
    doubles = about(prompts, DOUBLE)
    assert len(doubles) == 3 and not any(ADD["title"] in p for p in doubles)
    assert "did not pass its checks" not in doubles[0]
    for retry in doubles[1:]:  # the failing output of the tests relevant to util.py
        assert "did not pass its checks" in retry and "assert 6 == 4" in retry
        assert "-p no:cacheprovider tests/test_util.py" in retry  # narrowed to it:
        assert "1 failed, 0 passed" in retry  # tests/test_calc.py did not run
    assert model.remaining() == 0

    assert result.tree is not None
    tree = Path(result.tree.path)
    assert (tree / "calc.py").read_text() == DOCUMENTED  # the first group's fix is kept
    assert (tree / "util.py").read_text() == UTIL  # the second's is discarded
    summary = ran(result)
    reason = next(e for e in summary.escalations if DOUBLE["title"] in e)
    assert "still failed after 3 fix attempt(s), so its fix was discarded" in reason
    assert "assert 6 == 4" in reason
    assert not any(ADD["title"] in e for e in summary.escalations)
    entries = {e.finding.title: e for e in summary.ledger.entries}
    assert entries[ADD["title"]].status is Status.FIXED
    assert entries[DOUBLE["title"]].status is Status.ESCALATED
    assert entries[DOUBLE["title"]].reason.startswith("fix budget spent: the tests still "
                                                      "failed after 3 fix attempt(s)")
    assert summary.rounds == 2  # the kept fix was re-reviewed
    assert summary.passed_tests == 2  # the full suite, once, after both groups


def test_a_fix_that_fails_twice_and_then_passes_is_kept(project: Path) -> None:
    model = scripted(*broken("tripled"), *broken("again"),
                     tool_call("write_file", {"path": "util.py", "content": GOOD_UTIL}),
                     "added instead")
    result = start(runner(project, model), project)

    assert len(about(fixer_prompts(model), DOUBLE)) == 3
    assert result.tree is not None
    assert (Path(result.tree.path) / "util.py").read_text() == GOOD_UTIL
    summary = ran(result)
    assert summary.escalations == []
    assert {f.title for f in summary.findings_fixed} == {ADD["title"], DOUBLE["title"]}
    assert model.remaining() == 0


def test_in_your_checkout_a_failing_fix_stays_and_the_next_group_is_not_started(
        tmp_path: Path) -> None:
    root = init_repo(tmp_path / "mine", {
        "calc.py": "def add(a, b):\n    return 0\n", "util.py": "X = 1\n",
        "tests/test_calc.py": TEST_CALC, "tests/test_util.py": TEST_UTIL}, message="start")
    (root / "calc.py").write_text(GREEN)  # your uncommitted change, under review
    (root / "util.py").write_text(UTIL)
    model = ScriptedChatModel()
    round_one(model, {"review-maintainability": [ADD, DOUBLE]})
    wrong = 'def add(a, b):\n    """Sum."""\n    return a * b\n'
    model.script(FIXER, [tool_call("write_file", {"path": "calc.py", "content": wrong}),
                         "documented"] * 3)

    summary = review_change(root, settings(max_rounds=2), DiffSource(),
                            model_factory=lambda name: model, llm=True, fix=True)

    assert isinstance(summary, RunSummary)
    assert (root / "calc.py").read_text() == wrong  # yours: never discarded
    assert (root / "util.py").read_text() == UTIL  # the next group was not started
    assert len(about(fixer_prompts(model), ADD)) == 3 and not about(fixer_prompts(model),
                                                                      DOUBLE)
    assert model.remaining() == 0
    text = "\n".join(summary.escalations)
    assert "still in your working tree" in text and "assert 6 == 5" in text
    statuses = {e.finding.title: e.status for e in summary.ledger.entries}
    assert statuses == {ADD["title"]: Status.ESCALATED, DOUBLE["title"]: Status.ESCALATED}


def test_fixes_that_pass_their_own_tests_but_fail_the_full_suite_are_discarded(
        project: Path) -> None:
    layout = 'def test_layout():\n    assert "x * 2" in open("util.py").read()\n'
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [
        tool_call("write_file", {"path": "calc.py", "content": GREEN}),
        tool_call("write_file", {"path": "util.py", "content": UTIL}),
        tool_call("write_file", {"path": "tests/test_util.py", "content": TEST_UTIL}),
        # reads util.py without importing it: not one of the tests relevant to util.py
        tool_call("write_file", {"path": "tests/test_layout.py", "content": layout}),
        "wrote it"])
    round_one(model, {"review-maintainability": [DOUBLE]})
    model.script(FIXER, [tool_call("write_file", {"path": "util.py", "content": GOOD_UTIL}),
                         "documented"])

    result = start(runner(project, model), project)

    assert len(fixer_prompts(model)) == 1  # its relevant test passed: no retry
    assert result.tree is not None
    assert (Path(result.tree.path) / "util.py").read_text() == UTIL  # the pass is discarded
    summary = ran(result)
    reason = next(e for e in summary.escalations if "full gates then failed" in e)
    assert "the fix was discarded" in reason and "test_layout" in reason
    (entry,) = summary.ledger.entries
    assert entry.status is Status.ESCALATED and summary.rounds == 1


def test_a_fix_whose_tests_no_command_runs_is_kept_not_verified(tmp_path: Path) -> None:
    """The fix adds a test in a project with no test command: nothing fails (the test gate
    passes, not verified), so the fix is kept after its one attempt, never retried or
    escalated, and the test is named as not run."""
    root = init_repo(tmp_path / "mine", {"calc.js": "exports.add = (a, b) => 0;\n"},
                     message="start")
    (root / "calc.js").write_text("exports.add = (a, b) => a + b;\n")  # yours, under review
    model = ScriptedChatModel()
    finding = {**ADD, "file": "calc.js", "end_line": 1}
    round_one(model, {"review-maintainability": [finding]})
    model.script("agents: ", [review()])  # round 2: the re-reviewers in one call
    model.script(FIXER, [tool_call("write_file", {"path": "calc.test.js",
                                                  "content": "require('./calc');\n"}),
                         "tested"] * 3)
    no_command = Settings(model="scripted", gates=Gates(build=()), max_rounds=2)

    summary = review_change(root, no_command, DiffSource(), model_factory=lambda name: model,
                            llm=True, fix=True)

    assert isinstance(summary, RunSummary)
    assert len(about(fixer_prompts(model), finding)) == 1
    assert not any("fix attempt" in e for e in summary.escalations), summary.escalations
    assert (root / "calc.test.js").read_text() == "require('./calc');\n"
