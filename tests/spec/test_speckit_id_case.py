"""Spec Kit task ids in any case (r19): a task line written `- [ ] t008 …` is task T008 (found
by `--task T008`, marked done in place), and prose dependencies ("depends on t001", "after
t002") and a `## Dependencies` section's sentences ("t004 blocks t005") name `T001`, `T002`,
… — before, only labels (`[deps: t001]`) were read in any case: the task line was "a
checkbox without a task id" and the prose dependency was missed. One definition
(`speckit_edges.canonical`, `speckit_edges.ID`) for the own id, labels, prose and the
section.

Generated (hypothesis, derandomized): each id's case, the prose phrase, where the
dependency is said (the title, a detail line, the section).
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.spec import speckit
from reviewloop.spec.loader import detect_format
from reviewloop.spec.model import SpecFormat, TaskStatus
from reviewloop.spec.select import by_id
from reviewloop.spec.speckit_edges import canonical, dependency_edges
from reviewloop.spec.writeback import set_mark

FILE = "specs/001-app/tasks.md"
PHRASES = ("depends on", "Depends on", "after", "requires", "blocked by", "needs",
           "waits for")


@st.composite
def cased(draw: st.DrawFn, task_id: str) -> str:
    """`task_id` with each letter in either case (`t012A` for `T012a`)."""
    return "".join(c.upper() if draw(st.booleans()) else c.lower() for c in task_id)


def _spec(own: str, deps_text: str, where: str) -> str:
    title = f"Build the API {deps_text}" if where == "title" else "Build the API"
    detail = f"  - {deps_text}\n" if where == "detail" else ""
    section = f"\n## Dependencies\n\n{own} {deps_text}\n" if where == "section" else ""
    return ("# Tasks\n\n## Phase 1: Setup\n\n- [ ] T001 Set up\n- [ ] T002 Model\n"
            f"- [ ] T003 Storage [P]\n- [ ] {own} {title}\n{detail}{section}")


@settings(max_examples=150, deadline=None, derandomize=True)
@given(data=st.data(), own=st.sampled_from(("T008", "T010a")),
       dep=st.sampled_from(("T001", "T002")), phrase=st.sampled_from(PHRASES),
       where=st.sampled_from(("title", "detail", "section")))
def test_an_own_id_and_a_prose_dependency_in_any_case_are_spec_kits_ids(
        data: st.DataObject, own: str, dep: str, phrase: str, where: str) -> None:
    own_written, dep_written = data.draw(cased(own)), data.draw(cased(dep))
    text = _spec(own_written, f"{phrase} {dep_written}", where)
    tasks = speckit.parse(text, FILE)
    assert tasks.diagnostics == (), text
    task = by_id(tasks.tasks, own)
    title = f"Build the API {phrase} {dep_written}" if where == "title" else "Build the API"
    assert (task.id, task.title) == (own, title), text  # prose stays the title's text
    assert dep in task.depends_on, (text, task.depends_on)
    assert detect_format(Path("tasks.md"), text) is SpecFormat.SPECKIT
    done = set_mark(text, task, TaskStatus.DONE)
    assert f"- [x] {own_written} " in done, done  # written back on its own line, as written
    assert done.count("[x]") == 1


@settings(max_examples=100, deadline=None, derandomize=True)
@given(data=st.data(), arrow=st.sampled_from(("→", "->", "=>")),
       verb=st.sampled_from(("blocks", "must precede", "comes before")))
def test_a_dependency_sentence_names_its_ids_in_any_case(data: st.DataObject, arrow: str,
                                                          verb: str) -> None:
    a, b, c = (data.draw(cased(i)) for i in ("T001", "T002", "T003a"))
    assert set(dependency_edges(f"{a} {arrow} {b} {arrow} {c}")) == {
        ("T002", "T001"), ("T003a", "T002")}
    assert set(dependency_edges(f"{a} {verb} {b} and {c}")) == {
        ("T002", "T001"), ("T003a", "T001")}


@given(task_id=st.from_regex(r"[Tt][0-9]{1,4}[a-zA-Z]?", fullmatch=True))
@settings(max_examples=100, deadline=None, derandomize=True)
def test_canonical_is_the_upper_t_and_lower_letter_spec_kit_writes(task_id: str) -> None:
    written = canonical(task_id)
    assert written == written[0].upper() + written[1:].lower()
    assert written.casefold() == task_id.casefold()
    assert canonical(written) == written


def test_a_lower_case_id_that_repeats_an_upper_case_one_is_the_same_task() -> None:
    tasks = speckit.parse("## Phase 1: Setup\n\n- [ ] T001 Set up\n- [ ] t001 Again\n", FILE)
    assert [t.id for t in tasks.tasks] == ["T001"]
    assert [d.message for d in tasks.diagnostics] == [
        "duplicate task id T001 (first at line 3); this line is ignored, give it a new id"]
