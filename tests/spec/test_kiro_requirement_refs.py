"""A Kiro task's `_Requirements: N.M_` naming a requirement or criterion requirements.md does
not hold is a diagnostic, as the single-document format reports one (r17 fz1 D15).
Generated: how many requirements and criteria the file has, and which refs the tasks name."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.spec.loader import load_spec
from tests.support.repos import init_repo

SPEC = ".kiro/specs/auth"


def _requirements(criteria: list[int]) -> str:
    """`### Requirement N` sections, the Nth with criteria[N-1] numbered criteria."""
    parts = ["# Requirements Document\n\n## Introduction\n\nAuth.\n\n## Requirements\n"]
    for number, count in enumerate(criteria, start=1):
        parts.append(f"\n### Requirement {number}\n\n**User Story:** As a user, I want "
                     f"thing {number}.\n\n#### Acceptance Criteria\n\n")
        parts += [f"{c}. WHEN {number}.{c} happens THEN the system SHALL act\n"
                  for c in range(1, count + 1)]
    return "".join(parts)


def _tasks(refs: list[list[tuple[int, int]]]) -> str:
    lines = ["# Implementation Plan\n\n"]
    for number, named in enumerate(refs, start=1):
        listed = ", ".join(f"{r}.{c}" for r, c in named)
        lines.append(f"- [ ] {number}. Task {number}\n  - _Requirements: {listed}_\n")
    return "".join(lines)


REFS = st.lists(st.lists(st.tuples(st.integers(1, 4), st.integers(1, 4)), min_size=1,
                         max_size=3, unique=True), min_size=1, max_size=4)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(criteria=st.lists(st.integers(1, 3), min_size=1, max_size=3), refs=REFS)
def test_a_ref_requirements_md_does_not_hold_is_named(
        tmp_path_factory: pytest.TempPathFactory, criteria: list[int],
        refs: list[list[tuple[int, int]]]) -> None:
    root = init_repo(tmp_path_factory.mktemp("r"), {
        f"{SPEC}/requirements.md": _requirements(criteria), f"{SPEC}/tasks.md": _tasks(refs)})
    spec = load_spec(root, Path(root / SPEC / "tasks.md"))
    defined = {(r, c) for r, count in enumerate(criteria, start=1) for c in range(1, count + 1)}
    undefined = [(number, r, c) for number, named in enumerate(refs, start=1)
                 for r, c in named if (r, c) not in defined]
    resolved = any((r, c) in defined for named in refs for r, c in named)
    expected = [f"{number} names requirement {r}.{c}, which requirements.md does not define"
                for number, r, c in undefined] if resolved else []
    assert sorted(d.message for d in spec.diagnostics) == sorted(expected)
