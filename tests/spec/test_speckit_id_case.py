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
    known = {"T001", "T002", "T003a"}
    assert set(dependency_edges(f"{a} {arrow} {b} {arrow} {c}", known)) == {
        ("T002", "T001"), ("T003a", "T002")}
    assert set(dependency_edges(f"{a} {verb} {b} and {c}", known)) == {
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


# Words shaped like an id that name no task of the file: EC2 instance types, "t2 instances"
WORDS = ("t3.medium", "t2", "t4g.large", "T3.medium", "t3.micro", "t12", "t005")
SAYS = ("the load test needs {w} or larger", "after {w} instances are retired",
        "requires {w} in staging", "blocked by {w}.xlarge quotas", "waits for {w}")


@settings(max_examples=150, deadline=None, derandomize=True)
@given(word=st.sampled_from(WORDS), say=st.sampled_from(SAYS),
       where=st.sampled_from(("title", "detail", "section", "bullet")))
def test_a_lower_case_word_naming_no_task_of_the_file_is_no_dependency(
        word: str, say: str, where: str) -> None:
    """Lower case names a task only when the file has it; a word followed by `.` and a
    letter is no id in any case: no edge, no warning (they were "T002 depends on T3, which
    is not a task in this file" and "t3 looks like a task but has no checkbox")."""
    plain = speckit.parse(_spec("T008", "with care", "title"), FILE)
    text = (_spec("T008", "with care", "title") + f"- {word} is used for the runners\n"
            if where == "bullet" else _spec("T008", say.format(w=word), where))
    tasks = speckit.parse(text, FILE)
    assert tasks.diagnostics == (), (text, tasks.diagnostics)
    assert by_id(tasks.tasks, "T008").depends_on == by_id(plain.tasks, "T008").depends_on


@settings(max_examples=100, deadline=None, derandomize=True)
@given(data=st.data(), phrase=st.sampled_from(PHRASES), dep=st.sampled_from(("T001", "T002")),
       ticks=st.sampled_from(("`", "``")), where=st.sampled_from(("title", "detail")))
def test_nothing_inside_a_code_span_is_a_dependency(data: st.DataObject, phrase: str,
                                                     dep: str, ticks: str, where: str) -> None:
    """`` `step waits for t001` `` documents a syntax: no edge to T001, in any case."""
    written = data.draw(cased(dep))
    text = ("# Tasks\n\n## Phase 1: Setup\n\n- [ ] T001 Lexer\n- [ ] T002 Parser\n\n"
            "## Phase 2: Docs\n\n- [ ] T003 [P] Write the syntax page\n- [ ] T004 [P] "
            + (f"Document {ticks}step {phrase} {written}{ticks} in docs/syntax.md\n"
               if where == "title" else
               f"Document the syntax\n  - the form {ticks}{phrase} {written}{ticks}\n"))
    tasks = speckit.parse(text, FILE)
    assert tasks.diagnostics == (), text
    assert by_id(tasks.tasks, "T004").depends_on == ("T002",), text  # its phase's order only


def test_a_lower_case_id_of_the_files_own_task_is_still_a_dependency() -> None:
    text = _spec("T008", "after t003 and t2", "title")
    task = by_id(speckit.parse(text, FILE).tasks, "T008")
    assert "T003" in task.depends_on and "T2" not in task.depends_on
