"""Property tests: the Spec Kit and single-document readers never raise on any text."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.spec import docspec, speckit
from reviewloop.spec.markdown import parse_checkbox

SPECS = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
FIXTURES = sorted(SPECS.glob("speckit/*/tasks.md")) + sorted(SPECS.glob("docs/*-spec.md"))
TEXTS = [p.read_text(encoding="utf-8") for p in FIXTURES]

# Fragments that steer random text towards the shapes the readers care about.
FRAGMENTS = st.sampled_from([
    "- [ ] ", "- [x] ", "- [X]* ", "  - [-] ", "* [~] ", "T001 ", "**T002** ", "T3: ", "1.2 ",
    "[P] ", "[US1] ", "(depends on T001) ", "after T002, T003", "T010 → T011", " blocks T004",
    "## Phase 1: Setup", "## Phase 2: x", "## Dependencies", "## Tasks", "## Requirements",
    "### FR-1: x", "- **NFR-2** y", "## High-level design", "## Checklist", "```", "~~~",
    "Depends: T1, 2", "_Requirements: FR-1, 1.1_", "(optional)", "\t", "    ", "\r", "#",
    "\u2028", "\x0c", "\ufeff", "[", "]", "(", ")", "*", "_", "`",
])
LINES = st.lists(st.one_of(FRAGMENTS, st.text(max_size=12)), max_size=6).map("".join)
DOCUMENTS = st.lists(LINES, max_size=30).map("\n".join)


def _check(text: str) -> None:
    lines = text.split("\n")
    for reader in (speckit.parse, docspec.parse):
        parsed = reader(text, "fuzz.md")
        ids = [t.id for t in parsed.tasks]
        assert len(ids) == len(set(ids))
        for task in parsed.tasks:
            assert 1 <= task.line <= len(lines)
            assert parse_checkbox(lines[task.line - 1].rstrip("\r")) is not None
            # a task naming itself keeps it: `select` reports it as a cycle
            assert set(task.depends_on) <= set(ids)
        for diagnostic in parsed.diagnostics:
            assert 1 <= diagnostic.line <= max(len(lines), 1)
    docspec.sections(text)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text):
    _check(text)


@settings(max_examples=200, deadline=None)
@given(DOCUMENTS)
def test_spec_shaped_text_never_raises(text):
    _check(text)


@st.composite
def mutated_fixture(draw):
    lines = draw(st.sampled_from(TEXTS)).split("\n")
    for _ in range(draw(st.integers(0, 8))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "copy", "insert", "indent", "swap", "cut"]))
        if action == "drop":
            del lines[at]
        elif action == "copy":
            lines.insert(at, lines[at])
        elif action == "insert":
            lines.insert(at, draw(LINES))
        elif action == "indent":
            lines[at] = draw(st.sampled_from(["  ", "\t", "    ", ""])) + lines[at].lstrip()
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        else:
            lines[at] = lines[at][: draw(st.integers(0, len(lines[at])))]
    return "\n".join(lines)


@settings(max_examples=200, deadline=None)
@given(mutated_fixture())
def test_mutated_fixtures_never_raise(text):
    _check(text)
