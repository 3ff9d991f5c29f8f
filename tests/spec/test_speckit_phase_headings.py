"""Every phase heading form Spec Kit's tasks template and its users write is a phase: its
tasks wait for the phases before it and run in file order (the template's own last heading is
`## Phase N: Polish & Cross-Cutting Concerns`). Generated: heading words, numbering, level,
decoration and separator; the phase order must be the same as with a plain `Phase 4`."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.spec import speckit
from reviewloop.spec.select import waves

HEAD = """\
# Tasks: X

## Phase 1: Setup (Shared Infrastructure)
- [ ] T001 Create project structure
- [ ] T002 Initialize project

## Phase 2: Foundational (Blocking Prerequisites)
- [ ] T004 Setup database schema

## Phase 3: User Story 1 - Create album (Priority: P1) 🎯 MVP
- [ ] T012 [US1] Create Album model
- [ ] T013 [US1] Implement AlbumService

"""
LAST = """
- [ ] T030 [P] Documentation updates in docs/
- [ ] T031 Run quickstart.md validation

## Dependencies & Execution Order

### Phase Dependencies
- **Polish (Final Phase)**: Depends on all desired user stories being complete
"""
NAMES = st.sampled_from(["Phase N", "Phase n", "Phase N+1", "Phase 4", "Phase 3.4", "Phase 3+",
                         "Phase IV", "Phase X", "Final Phase", "Phase Final", "Last Phase",
                         "FINAL PHASE", "Phase 12"])
SEPARATORS = st.sampled_from([": ", " - ", " — ", " – ", " ", ". "])
TITLES = st.sampled_from(["Polish & Cross-Cutting Concerns", "Polish", "Cleanup and docs", ""])
DECORATIONS = st.sampled_from([("", ""), ("**", "**"), ("✨ ", ""), ("_", "_")])


def _order(heading: str) -> list[tuple[str, ...]]:
    parsed = speckit.parse(HEAD + heading + "\n" + LAST, "specs/001-x/tasks.md")
    assert not parsed.diagnostics, parsed.diagnostics
    return list(waves(parsed.tasks).waves)


EXPECTED = _order("## Phase 4: Polish & Cross-Cutting Concerns")


def test_the_plain_numbered_phase_runs_last_in_file_order() -> None:
    assert EXPECTED == [("T001",), ("T002",), ("T004",), ("T012",), ("T013",), ("T030",),
                        ("T031",)]


def test_the_templates_own_phase_n_heading_is_a_phase() -> None:
    assert _order("## Phase N: Polish & Cross-Cutting Concerns") == EXPECTED


@settings(max_examples=120, deadline=None, derandomize=True)
@given(name=NAMES, separator=SEPARATORS, title=TITLES, decoration=DECORATIONS,
       level=st.sampled_from(["##", "###"]))
def test_every_phase_heading_form_orders_its_tasks_after_the_earlier_phases(
        name: str, separator: str, title: str, decoration: tuple[str, str], level: str) -> None:
    opening, closing = decoration
    words = f"{name}{separator}{title}".rstrip(" :-—–.") if title else name
    heading = f"{level} {opening}{words}{closing}"
    if level == "###":  # a sub-heading phase still ends the story phase above it
        heading = "## Polish\n\n" + heading
    assert _order(heading) == EXPECTED, heading


def test_words_that_only_start_like_a_phase_are_not_one() -> None:
    """`Phase Dependencies`, `Phase in progress`, `Phases`: no phase, as before."""
    for heading in ("## Phase Dependencies", "## Phase in progress", "## Phases overview"):
        parsed = speckit.parse(HEAD + heading + "\n" + LAST, "specs/001-x/tasks.md")
        polish = {t.id: t for t in parsed.tasks}["T030"]
        assert polish.phase is None, heading
