"""The order a format implies: runs of parallel tasks, and Spec Kit's phase statements."""

from __future__ import annotations

import pytest

from reviewloop.spec import order
from reviewloop.spec.order import Phase, Step


def _steps(spec: str) -> list[Step]:
    """"a b(P) c(P) d? " → steps; (P) parallel, ? optional, /g sets the group."""
    steps = []
    for word in spec.split():
        group = word.partition("/")[2] or None
        name = word.partition("/")[0]
        steps.append(Step(name.rstrip("?").replace("(P)", ""), "(P)" in name, name.endswith("?"),
                          group))
    return steps


def test_unmarked_tasks_wait_for_the_one_before():
    waits, last = order.sequence(_steps("a b c"))
    assert waits == {"a": [], "b": ["a"], "c": ["b"]}
    assert last == ["c"]


def test_a_run_of_marked_tasks_shares_what_came_before_and_the_next_waits_for_all():
    waits, last = order.sequence(_steps("a b(P) c(P) d"), start=["s"])
    assert waits == {"a": ["s"], "b": ["a"], "c": ["a"], "d": ["b", "c"]}
    assert last == ["d"]


def test_a_run_ends_at_a_new_group():
    waits, _ = order.sequence(_steps("a(P)/1 b(P)/1 c(P)/2 d(P)/2"))
    assert waits == {"a": [], "b": [], "c": ["a", "b"], "d": ["a", "b"]}


def test_optional_tasks_wait_but_never_hold_anyone_up():
    waits, last = order.sequence(_steps("a b? c d(P)? e(P)"))
    assert waits["b"] == ["a"] and waits["c"] == ["a"]
    assert waits["d"] == ["c"] and waits["e"] == ["c"]
    assert last == ["e"]


def test_a_file_that_ends_on_a_run_hands_over_the_whole_run():
    _, last = order.sequence(_steps("a b(P) c(P)"))
    assert last == ["b", "c"]


@pytest.mark.parametrize("text, story", [
    ("Phase 3: User Story 1 - Sign in (Priority: P1)", "US1"),
    ("Phase 4: US-2 Profiles", "US2"),
    ("Phase 6: Polish & Cross-Cutting Concerns", None),
    ("Phase 2: thus 3 things", None),  # "us 3" inside a word or lower case is not a story
])
def test_story_of_a_phase_heading(text, story):
    assert order.story_of(text) == story


def test_spec_kit_template_statements():
    rules = order.story_rules([
        "- **Setup (Phase 1)**: No dependencies - can start immediately",
        "- **User Stories (Phase 3+)**: All depend on Foundational phase completion",
        "- **User Story 1 (P1)**: Can start after Foundational (Phase 2) - No dependencies on "
        "other stories",
        "- **User Story 2 (P2)**: Can start after Foundational (Phase 2) - May integrate with "
        "US1 but should be independently testable",
        "- **User Story 3 (P3)**: Depends on US2 (uses its profile store)",
    ])
    assert rules.mode("US1") == "independent"
    assert rules.mode("US2") == "independent"
    assert rules.mode("US3") == "after" and rules.after["US3"] == ["US2"]
    assert rules.mode("US4") == "ordered"


def test_negated_clauses_name_no_dependency():
    rules = order.story_rules([
        "- **US1 (P1)**: after Foundational. No dependency on US2/US3. → MVP.",
        "- **US2 (P2)**: Depends on shared storage and US1 command wiring; otherwise independent.",
        "- **US3 (P3)**: after Foundational. Independent of US1/US2 (shares edits with US2).",
    ])
    assert rules.mode("US1") == "independent"
    assert rules.after == {"US2": ["US1"]}
    assert rules.mode("US3") == "independent"


def test_a_general_statement_limited_to_a_phase_range():
    rules = order.story_rules(["- **User Stories (Phase 8-10)**: can start immediately"])
    assert rules.free_phases == {8, 9, 10} and not rules.all_independent
    assert rules.mode("US6", 8) == "independent" and rules.mode("US1", 3) == "ordered"


def test_phase_bases_follow_the_statements():
    phases = [Phase(1, None), Phase(2, None), Phase(3, "US1"), Phase(4, "US2"),
              Phase(5, "US3"), Phase(6, None)]
    rules = order.story_rules(["- US1: independent", "- US2: independent",
                               "- US3: depends on US1"])
    bases = order.phase_bases(phases, rules)
    assert bases == {1: [], 2: [1], 3: [2], 4: [2], 5: [2, 3], 6: [4, 5]}


def test_without_statements_phases_run_in_file_order():
    phases = [Phase(1, None), Phase(3, "US1"), Phase(4, "US2"), Phase(5, None)]
    assert order.phase_bases(phases, order.StoryRules()) == {1: [], 3: [1], 4: [3], 5: [4]}


def test_a_story_waiting_for_a_later_story_is_placed_after_it():
    phases = [Phase(1, None), Phase(2, "US1"), Phase(3, "US2")]
    rules = order.story_rules(["- US1: depends on US2", "- US2: independent"])
    bases = order.phase_bases(phases, rules)
    assert [p.index for p in order.phase_order(phases, bases)] == [1, 3, 2]


def test_a_cycle_of_statements_keeps_file_order():
    phases = [Phase(1, "US1"), Phase(2, "US2")]
    rules = order.story_rules(["- US1: depends on US2", "- US2: depends on US1"])
    bases = order.phase_bases(phases, rules)
    assert [p.index for p in order.phase_order(phases, bases)] == [1, 2]
