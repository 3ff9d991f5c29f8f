"""A `[deps: 1, 2]` label at the end of a task line, as some Kiro and Spec Kit users write
it, names the task's dependencies in every format, and `plan`'s wave (`eligible_wave`, which
`run all` follows too) waits for them; the label leaves the title. Generated: the label's
keyword (`deps`, `dep`, `depends`, `depends on`, `dependencies`, `after`, any case), its
spacing and separators, one label or several, in a Kiro, a Spec Kit and a doc spec's task
list. And the false positives a title can hold: a label in a code span, one naming words
rather than ids, brackets that are no label, a label not at the end: the title keeps its
text and the task waits for nothing it names."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.spec import docspec, kiro, speckit
from reviewloop.spec.batch import eligible_wave
from reviewloop.spec.model import TaskList

KEYWORDS = ("deps", "dep", "depends", "depends on", "dependencies", "after")
SEPARATORS = (", ", ",", " and ", " & ", "; ", " ")
TITLE = "Build the API"

# format -> (ids of its first three tasks, a task list's text from its task lines)
FORMATS: dict[str, tuple[tuple[str, ...], Callable[[list[str]], str],
                         Callable[[str, str], TaskList]]] = {
    "kiro": (("1", "2", "3"), lambda lines: "# Tasks\n\n" + "".join(
        f"- [ ] {line}\n" for line in lines), kiro.parse),
    "speckit": (("T001", "T002", "T003"), lambda lines: "# Tasks\n\n## Phase 1: Setup\n\n"
                + "".join(f"- [ ] {line}\n" for line in lines), speckit.parse),
    "docspec": (("T1", "T2", "T3"), lambda lines: "# Feature\n\n## Tasks\n\n" + "".join(
        f"- [ ] {line}\n" for line in lines), docspec.parse),
}


def _id_line(fmt: str, task_id: str, title: str) -> str:
    return f"{task_id}. {title}" if fmt == "kiro" else f"{task_id} {title}"


@st.composite
def labels(draw: st.DrawFn, ids: tuple[str, ...]) -> tuple[str, list[str], bool]:
    """One or more labels naming some of `ids`: their text, the ids, in order, and whether
    two of them name different lists (a contradiction, said)."""
    groups = draw(st.lists(st.lists(st.sampled_from(ids), min_size=1, max_size=3),
                           min_size=1, max_size=2))
    texts = []
    for group in groups:
        keyword = "".join(c.upper() if draw(st.booleans()) else c
                          for c in draw(st.sampled_from(KEYWORDS)))
        pad = draw(st.sampled_from(("", " ")))
        names = draw(st.sampled_from(SEPARATORS)).join(group)
        texts.append(f"[{pad}{keyword}{draw(st.sampled_from(('', ' ')))}:{pad or ' '}"
                     f"{names}{pad}]")
    named = list(dict.fromkeys(i for group in groups for i in group))
    return " ".join(texts), named, len({frozenset(group) for group in groups}) > 1


def d_line(fmt: str) -> int:
    """The line of `_parsed`'s last task."""
    return 8 if fmt in ("speckit", "docspec") else 6


def _parsed(fmt: str, last: str) -> TaskList:
    ids, text, parse = FORMATS[fmt]
    lines = [_id_line(fmt, ids[0], "Set up"), _id_line(fmt, ids[1], "Model"),
             _id_line(fmt, ids[2], "Storage"), _id_line(fmt, "4" if fmt == "kiro" else
                                                        ids[0][:-1] + "4", last)]
    return parse(text(lines), "tasks.md")


@settings(max_examples=150, deadline=None)
@given(data=st.data(), fmt=st.sampled_from(tuple(FORMATS)))
def test_a_deps_label_names_the_tasks_dependencies(data: st.DataObject, fmt: str) -> None:
    ids = FORMATS[fmt][0]
    label, named, differ = data.draw(labels(ids))
    tasks = _parsed(fmt, f"{TITLE} {label}")
    last = tasks.tasks[-1]
    assert last.title == TITLE and set(last.depends_on) == set(named), (label, last)
    # two labels naming different lists: read as one, and said (`deps_labels.contradiction`)
    assert [(d.line, "dependency lists that differ" in d.message)
            for d in tasks.diagnostics] == ([(d_line(fmt), True)] if differ else [])
    # plan's wave: the task waits until every task it names is merged
    assert last.id not in {t.id for t in eligible_wave(tasks.tasks).tasks}
    assert last.id in {t.id for t in eligible_wave(tasks.tasks, merged=named).tasks}


FALSE_POSITIVES = (
    "Document the `[deps: {a}]` label",  # in a code span
    "Explain the [deps: a, b] syntax",  # words, not ids
    "Add the [deps: {a}] label to the parser docs",  # not at the end
    "Support the [after] keyword",  # no label: no colon
    "Parse the lines [deps: {a}, x-y]",  # one name is no id
    "Read [deps] [deps: {a} maybe]",  # a word among the ids
)


@settings(max_examples=60, deadline=None)
@given(fmt=st.sampled_from(tuple(FORMATS)), form=st.sampled_from(FALSE_POSITIVES))
def test_a_title_that_only_shows_the_syntax_names_no_dependency(fmt: str, form: str) -> None:
    title = form.format(a=FORMATS[fmt][0][0])
    last = _parsed(fmt, title).tasks[-1]
    assert last.title == title and FORMATS[fmt][0][0] not in last.depends_on, last


def test_deps_none_names_none_and_leaves_the_title() -> None:
    for fmt in FORMATS:  # Spec Kit's label is the whole list: no implied file order either
        last = _parsed(fmt, f"{TITLE} [deps: none]").tasks[-1]
        assert (last.title, last.depends_on) == (TITLE, ()), (fmt, last)


# how people write a label naming the first two tasks: (its text from their ids)
WRITTEN = (
    lambda a, b: f"[deps: {a}-{b}]", lambda a, b: f"[deps: {a}..{b}]",
    lambda a, b: f"[deps: #{a}, #{b}]", lambda a, b: f"[deps: task {a} and task {b}]",
    lambda a, b: f"[deps: `{a}`, `{b}`]", lambda a, b: f"**[deps: {a}, {b}]**",
    lambda a, b: f"_[deps: {a}, {b}]_",
)
ENDINGS = ("", ".", ";", " ", "!")


@settings(max_examples=120, deadline=None)
@given(fmt=st.sampled_from(tuple(FORMATS)), written=st.sampled_from(WRITTEN),
       ending=st.sampled_from(ENDINGS))
def test_a_label_as_people_write_it_is_read(fmt: str, written, ending: str) -> None:
    a, b = FORMATS[fmt][0][:2]
    tasks = _parsed(fmt, f"{TITLE} {written(a, b)}{ending}")
    last = tasks.tasks[-1]
    assert (last.title, set(last.depends_on)) == (TITLE, {a, b}), last
    assert tasks.diagnostics == ()
    assert last.id not in {t.id for t in eligible_wave(tasks.tasks).tasks}


@settings(max_examples=40, deadline=None)
@given(fmt=st.sampled_from(tuple(FORMATS)), marker=st.sampled_from((" [P]", " [p]")))
def test_a_label_before_a_parallel_marker_is_read_and_the_marker_kept(fmt: str,
                                                                      marker: str) -> None:
    a = FORMATS[fmt][0][0]
    last = _parsed(fmt, f"{TITLE} [deps: {a}]{marker}").tasks[-1]
    assert list(last.depends_on) == [a] and "deps" not in last.title, last


UNREADABLE = ("[deps: {a}-x]", "[deps: {a} maybe]", "[after: soon]", "[deps: {a}-]",
              "[deps: {a}, x-y].")


@settings(max_examples=40, deadline=None)
@given(fmt=st.sampled_from(tuple(FORMATS)), form=st.sampled_from(UNREADABLE))
def test_a_label_it_cannot_read_is_a_spec_diagnostic_never_silence(fmt: str, form: str) -> None:
    label = form.format(a=FORMATS[fmt][0][0])
    tasks = _parsed(fmt, f"{TITLE} {label}")
    last = tasks.tasks[-1]
    assert last.title == f"{TITLE} {label}", last  # the title keeps it
    said = [d.message for d in tasks.diagnostics]
    assert any(m.startswith(f"task {last.id}: `{label.rstrip('.')}") and "not read as a "
               "dependency" in m for m in said), said


@settings(max_examples=30, deadline=None)
@given(fmt=st.sampled_from(tuple(FORMATS)), keyword=st.sampled_from(KEYWORDS))
def test_a_label_naming_the_task_itself_is_said_and_the_task_stays_planned(fmt: str,
                                                                           keyword: str) -> None:
    ids = FORMATS[fmt][0]
    lines = [_id_line(fmt, ids[0], "Set up"), _id_line(fmt, ids[1], f"{TITLE} [{keyword}: "
                                                                  f"{ids[1]}]")]
    tasks = FORMATS[fmt][2](FORMATS[fmt][1](lines), "tasks.md")
    second = tasks.tasks[1]
    assert second.id == ids[1] and ids[1] not in second.depends_on
    assert any(f"names task {ids[1]} itself" in d.message for d in tasks.diagnostics)
    assert ids[1] in {t.id for t in eligible_wave(tasks.tasks, merged=[ids[0]]).tasks}


@settings(max_examples=30, deadline=None)
@given(unknown=st.sampled_from(("30", "9", "1.5", "7.2")), keyword=st.sampled_from(KEYWORDS))
def test_a_kiro_label_naming_no_task_of_the_spec_stays_the_titles_text(unknown: str,
                                                                       keyword: str) -> None:
    title = f"Retry the request [{keyword}: {unknown}]"
    tasks = kiro.parse(f"# Tasks\n\n- [ ] 1. Set up\n- [ ] 2. {title}\n- [ ] 3. Docs\n",
                       "tasks.md")
    assert tasks.tasks[1].title == title and tasks.tasks[1].depends_on == ()
    assert [d.message for d in tasks.diagnostics] == [f"task 2 depends on unknown task {unknown}"]
