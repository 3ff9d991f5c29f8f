"""Spec Kit's tasks template heads its test tasks "### Tests for User Story 1 (OPTIONAL - only
if tests requested) ⚠️"; `/speckit.tasks` keeps the heading when the tests were requested. The
word in a heading never makes its tasks optional: the plan (waves, optional flags) is the same
as under a plain "### Tests for User Story 1", whatever form the heading's note takes. Only a
task's own `(optional)` marker makes it optional."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.spec import speckit
from reviewloop.spec.select import waves

TEMPLATE = """\
# Tasks: Albums

## Phase 1: Setup

- [x] T001 Create project structure

## Phase 3: User Story 1 - Create albums (Priority: P1) 🎯 MVP

{heading}

> **NOTE: Write these tests FIRST, ensure they FAIL before implementation**

- [ ] T010 [P] [US1] Contract test for POST /albums in tests/contract/test_albums.py
- [ ] T011 [P] [US1] Integration test in tests/integration/test_albums.py

### Implementation for User Story 1

- [ ] T012 [P] [US1] Create Album model in src/models/album.py
- [ ] T013 [US1] Implement AlbumService in src/services/album_service.py
"""


def _plan(heading: str) -> tuple[list[tuple[str, ...]], dict[str, bool]]:
    parsed = speckit.parse(TEMPLATE.format(heading=heading), "specs/001-albums/tasks.md")
    assert not parsed.diagnostics, parsed.diagnostics
    return list(waves(parsed.tasks).waves), {t.id: t.optional for t in parsed.tasks}


PLAIN = _plan("### Tests for User Story 1")


def test_the_plain_heading_runs_the_tests_before_the_implementation() -> None:
    assert PLAIN == ([("T010", "T011"), ("T012",), ("T013",)],
                     {"T001": False, "T010": False, "T011": False, "T012": False,
                      "T013": False})


@settings(max_examples=80, deadline=None, derandomize=True)
@given(note=st.sampled_from(["(OPTIONAL - only if tests requested)", "(optional)", "[Optional]",
                             "- optional", "(OPTIONAL — only if tests requested) ⚠️",
                             "Optional:", "(tests are optional)"]),
       before=st.booleans(), level=st.sampled_from(["###", "####"]))
def test_an_optional_note_in_the_heading_changes_nothing(note: str, before: bool,
                                                         level: str) -> None:
    words = f"{note} Tests for User Story 1" if before else f"Tests for User Story 1 {note}"
    assert _plan(f"{level} {words}") == PLAIN, words


def test_a_tasks_own_marker_still_makes_it_optional() -> None:
    text = TEMPLATE.format(heading="### Tests for User Story 1 (OPTIONAL)").replace(
        "T011 [P] [US1] Integration", "T011 [P] [US1] (optional) Integration")
    parsed = speckit.parse(text, "specs/001-albums/tasks.md")
    flags = {t.id: t.optional for t in parsed.tasks}
    assert flags == {"T001": False, "T010": False, "T011": True, "T012": False, "T013": False}
    assert list(waves(parsed.tasks).waves) == [("T010",), ("T012",), ("T013",)]
