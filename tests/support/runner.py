"""Helpers shared by several test modules (from test_runner.py)."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from reviewloop.config import Gates, Settings
from reviewloop.implement.implementer import Implementer
from reviewloop.reports import report
from reviewloop.review.definitions import builtin_agents, builtin_names
from reviewloop.runs.runner import LoopRunner
from reviewloop.spec.loader import load_spec
from tests.support.chat import ScriptedChatModel, tool_call
from tests.support.repos import branch_repo

SPEC = """# Implementation Plan

- [ ] 1. Add the calculator
  - Write `add(a, b)` in calc.py
  - _Requirements: 1.1_

- [ ] 2. Add subtraction
  - _Requirements: 1.2_
"""


TEST_CALC = """from calc import add


def test_add():
    assert add(2, 3) == 5
"""


IMPLEMENTER = "You implement one task"


FIXER = "You fix review findings"


REVIEWERS = builtin_names()  # from the registry: a new built-in needs no edit here
# A reviewer whose scope holds no .py file (infrastructure, agents/review-infrastructure.json)
# is skipped on these Python projects, never called, so nothing is scripted for it.
CALLED = tuple(a.name for a in builtin_agents() if a.applies_to("calc.py"))
# Those of them whose scope leaves out Markdown: when the change holds a .md file (a
# steering file, a spec) round 1 asks them apart from the others (`review.rereview`).
NO_MARKDOWN = tuple(a.name for a in builtin_agents()
                    if a.name in CALLED and not a.applies_to("notes.md"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def make_project(tmp_path: Path) -> Path:
    """A calculator spec on branch `work`, with an unstaged edit of the user's (notes.txt)."""
    root = branch_repo(tmp_path / "proj", {
        ".kiro/specs/calc/tasks.md": SPEC, "tests/test_calc.py": TEST_CALC, "notes.txt": "mine\n"},
        branch="work", base_message="start")
    (root / "notes.txt").write_text("mine, uncommitted\n")  # the user's unrelated change
    return root


def settings(**kw) -> Settings:
    gates = Gates(build=(), test=(f"{sys.executable} -m pytest -q -p no:cacheprovider",))
    return Settings(model="scripted", gates=gates, **kw)


def review(findings: list[dict] | None = None):
    return tool_call("submit_findings", {"findings": findings or [], "summary": "looked"})


def round_one(model: ScriptedChatModel, findings: Mapping[str, list[dict]] | None = None, *,
              combined: bool = True, apart: Sequence[str] = (), but: str = "") -> None:
    """Script round 1 of the CALLED reviewers, each finding its `findings` (none when not
    named). Asked in one call (`[review] combined_review`, the default) they get one reply,
    each finding naming its agent; those `apart` (their scope holds only some of the
    change's files: `review.rereview`) and, with `combined=False`, every one get a call of
    their own, but `but`, which the test scripts. Script it before the re-reviews: the calls
    of reviewers asked together share the "agents: " script in every round, in order."""
    given = findings or {}
    alone = [n for n in CALLED if not combined or n in apart]
    assert not but or but in alone, f"{but} is asked with others: script it in `findings`"
    if together := [n for n in CALLED if n not in alone]:
        model.script("agents: ", [review([{**f, "agent": name} for name in together
                                          for f in given.get(name, [])])])
    for name in alone:
        if name != but:
            model.script(f"agent: {name}", [review(given.get(name))])


def clean_round(model: ScriptedChatModel, *, combined: bool = True,
                apart: Sequence[str] = (), but: str = "") -> None:
    """Round 1 finds nothing (`round_one`)."""
    round_one(model, combined=combined, apart=apart, but=but)


def runner(root: Path, model: ScriptedChatModel, **kw) -> LoopRunner:
    return LoopRunner(root, settings(**kw), lambda name: model)


def ran(result) -> report.RunSummary:
    """The run's summary as the model the CLI shows (its findings come from the ledger)."""
    assert result.summary is not None, result.status
    return result.summary


def spec_file(root: Path) -> Path:
    return root / ".kiro/specs/calc/tasks.md"


def start(run: LoopRunner, root: Path, implementer: str = "llm"):
    spec = load_spec(root, spec_file(root))
    return run.start(spec.task("1"), spec_file(root), Implementer.parse(implementer))
