"""Spec Kit dependency labels as people write them (r18 L8, after r17's Kiro reading): ids in
lower case (`[deps: t001]`, `[after: t002]`) are Spec Kit's `T001` — before, a leading
label naming them was read as no dependency at all, and a trailing one was left in the
title; and labels that contradict — two labels naming different lists — are a spec
diagnostic naming the file, the line and the fix (`deps_labels.contradiction`, one
definition for Spec Kit, Kiro and doc specs), the task waiting for every task they name.
A `[P]` beside a label is no contradiction: it shares a wave, the label says what it waits
for.

Generated (hypothesis, derandomized): the ids' case, the keyword and its case, the label
leading (after the id) or trailing, `[P]`/`[p]` (Kiro's `(P)`) before or after.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.spec import kiro, speckit
from reviewloop.spec.model import TaskList

FILE = "specs/001-app/tasks.md"
KEYWORDS = ("deps", "dep", "depends", "depends on", "dependencies", "after")
IDS = ("T001", "T002", "T003")


def _cased(draw: st.DrawFn, text: str) -> str:
    return "".join(c.upper() if draw(st.booleans()) else c.lower() for c in text)


@st.composite
def label(draw: st.DrawFn) -> tuple[str, tuple[str, ...]]:
    """A dependency label naming some of the first three tasks, ids in any case."""
    ids = tuple(draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=3, unique=True)))
    names = draw(st.sampled_from((", ", ",", " and ", " "))).join(_cased(draw, i) for i in ids)
    return f"[{_cased(draw, draw(st.sampled_from(KEYWORDS)))}: {names}]", ids


def _speckit(line: str) -> TaskList:
    return speckit.parse("# Tasks\n\n## Phase 1: Setup\n\n- [ ] T001 Set up\n"
                         f"- [ ] T002 Model\n- [ ] T003 Storage\n- [ ] T004 {line}\n", FILE)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(written=label(), leading=st.booleans())
def test_a_label_in_any_case_names_spec_kits_ids(written: tuple[str, tuple[str, ...]],
                                                 leading: bool) -> None:
    text, ids = written
    tasks = _speckit(f"{text} Build the API" if leading else f"Build the API {text}")
    last = tasks.tasks[-1]
    assert (last.title, set(last.depends_on)) == ("Build the API", set(ids)), (text, last)
    assert tasks.diagnostics == ()


@settings(max_examples=150, deadline=None, derandomize=True)
@given(written=label(), marker=st.sampled_from(("[P]", "[p]")),
       place=st.sampled_from(("marker label title", "label marker title",
                              "marker title label")))
def test_a_parallel_task_with_a_label_shares_its_wave_and_waits_for_the_label(
        written: tuple[str, tuple[str, ...]], marker: str, place: str) -> None:
    """`[P]` puts a task in one wave with its marked neighbours; a label says what it waits
    for: no contradiction (`spec new` writes `[P] [deps: T001]` itself)."""
    text, ids = written
    line = place.replace("marker", marker).replace("label", text).replace("title", "Build")
    tasks = _speckit(line)
    last = tasks.tasks[-1]
    assert set(last.depends_on) == set(ids) and last.parallel, (line, last)
    assert tasks.diagnostics == (), (line, tasks.diagnostics)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(first=label(), second=label(), leading=st.booleans())
def test_two_labels_naming_different_lists_are_said_and_both_waited_for(
        first: tuple[str, tuple[str, ...]], second: tuple[str, tuple[str, ...]],
        leading: bool) -> None:
    line = (f"{first[0]} Build {second[0]}" if leading else f"Build {first[0]} {second[0]}")
    tasks = _speckit(line)
    last = tasks.tasks[-1]
    assert (last.title, set(last.depends_on)) == ("Build", {*first[1], *second[1]}), line
    said = [str(d) for d in tasks.diagnostics]
    if set(first[1]) == set(second[1]):
        assert said == [], line
    else:
        assert len(said) == 1 and said[0].startswith(
            f"{FILE}:8: task T004 has 2 dependency lists that differ, `{first[0]}` and "
            f"`{second[0]}`: it waits for every task they name") and \
            said[0].endswith("write one label naming them all"), said


def test_deps_none_beside_a_parallel_marker_contradicts_nothing() -> None:
    tasks = _speckit("[P] Build [deps: none]")
    assert tasks.tasks[-1].depends_on == () and tasks.diagnostics == ()


def test_kiro_reads_the_same_contradiction_by_the_same_definition() -> None:
    tasks = kiro.parse("# Tasks\n\n- [ ] 1. Set up\n- [ ] 2. Model\n"
                       "- [ ] 3. Build (P) [deps: 1]\n- [ ] 4. Ship [deps: 1] [deps: 2]\n",
                       ".kiro/specs/app/tasks.md")
    assert "1" in tasks.by_id()["3"].depends_on and tasks.by_id()["3"].parallel
    assert set(tasks.by_id()["4"].depends_on) >= {"1", "2"}
    assert [str(d) for d in tasks.diagnostics] == [
        ".kiro/specs/app/tasks.md:6: task 4 has 2 dependency lists that differ, `[deps: 1]` "
        "and `[deps: 2]`: it waits for every task they name (1, 2); write one label naming "
        "them all"]
