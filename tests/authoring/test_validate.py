"""The task-plan check: what the spec reader, dependency order and coverage reject."""

from __future__ import annotations

from reviewloop.authoring import phases as ph
from reviewloop.authoring.validate import (
    check_plan,
    check_requirements,
    check_trace,
    requirement_ids,
)
from tests.support import drafts


def test_requirement_ids_in_order():
    assert requirement_ids(drafts.REQUIREMENTS) == ["FR-1", "FR-2", "NFR-1"]


def test_requirements_without_ids_are_rejected_with_the_fix():
    problems = check_requirements("- users can add todos\n- and delete them\n")
    assert problems and "`**FR-1**`" in problems[0]
    assert check_requirements("- **NFR-1** fast\n") == [
        "no functional requirement (FR-n) found; at least one is needed"]
    assert check_requirements(drafts.REQUIREMENTS) == []


def test_a_good_plan_has_no_problems():
    assert check_plan(drafts.REQUIREMENTS, drafts.TASKS) == []


def test_a_cycle_is_reported():
    problems = check_plan(drafts.REQUIREMENTS, drafts.CYCLIC_TASKS)
    assert any("cycle" in p.lower() for p in problems), problems


def test_uncovered_requirement_and_uncited_task_are_reported():
    problems = check_plan(drafts.REQUIREMENTS, drafts.UNCITED_TASKS)
    assert "requirement FR-2 is not traced to the task plan: no task cites it; add it to a " \
        "task's `Requirements:` line" in problems
    assert any(p.startswith("task T2 cites no requirement") for p in problems)


def test_unknown_requirement_and_dependency_name_the_plan_line():
    plan = "- [ ] T1 Add\n  - Depends: T9\n  - Requirements: FR-1, FR-2, NFR-1, FR-7\n"
    problems = check_plan(drafts.REQUIREMENTS, plan)
    assert any(p.startswith("task plan line 1:") and "FR-7" in p for p in problems), problems
    assert any("T9" in p and p.startswith("task plan line 2:") for p in problems), problems


def test_an_empty_plan_is_rejected():
    assert check_plan(drafts.REQUIREMENTS, "Nothing to do yet.") != []


def test_a_high_level_design_missing_a_requirement_names_it_and_the_layer():
    problems = check_trace(ph.HIGH_LEVEL, drafts.REQUIREMENTS,
                           "A `TodoStore` module (FR-1, FR-2); fast enough for anyone.")
    assert problems == ["requirement NFR-1 is not traced to the high-level design: name NFR-1 "
                        "where the high-level design says which part serves it"]


def test_a_low_level_design_citing_no_requirement_names_every_one():
    problems = check_trace(ph.LOW_LEVEL, drafts.REQUIREMENTS,
                           "### Components\n\n- **TodoStore** — owns the todos\n")
    assert [p.split(":")[0] for p in problems] == [
        "requirement FR-1 is not traced to the low-level design",
        "requirement FR-2 is not traced to the low-level design",
        "requirement NFR-1 is not traced to the low-level design"]


def test_ids_are_matched_whole():
    """`NFR-1` does not trace FR-1, and `FR-10` does not trace FR-1."""
    problems = check_trace(ph.HIGH_LEVEL, drafts.REQUIREMENTS, "serves NFR-1, FR-10 and fr2")
    assert [p.split(":")[0] for p in problems] == [
        "requirement FR-1 is not traced to the high-level design"]


def test_designs_that_name_every_requirement_pass():
    assert check_trace(ph.HIGH_LEVEL, drafts.REQUIREMENTS, drafts.HIGH_LEVEL) == []
    assert check_trace(ph.LOW_LEVEL, drafts.REQUIREMENTS, drafts.LOW_LEVEL) == []
