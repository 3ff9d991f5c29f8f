"""Task ids in any case in both readers of T-ids (r20): a single-document spec's `- [ ] t3 …`
is task `T3`, as a Spec Kit `- [ ] t003 …` is `T003` (`speckit_edges.canonical`). Before,
the doc-spec reader kept the id as written: `t3` and `T3` were two tasks (no duplicate
reported), dependencies resolved to `t3`, and the run, its branch and its history named
`t3` where the same spec written in capitals named `T3`.

Generated (hypothesis, derandomized): each task id's and each dependency's case, the
dependency's form (a `Depends:` line, `(depends on …)` in the title, a `[deps: …]` label);
the oracle is the same spec with every id in capitals, read by the same reader — for the
doc-spec reader and for Spec Kit's alike.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.spec import docspec, speckit
from reviewloop.spec.select import by_id

DOC = "docs/f-spec.md"
KIT = "specs/001-f/tasks.md"
FORMS = ("line", "title", "label")


def _doc(ids: list[str], deps: list[tuple[int, str, str]]) -> str:
    """A single-document spec: task n written as `ids[n]`; `deps[n]` is (the task it waits
    on, that id as written, the form)."""
    lines = ["# F", "", "## Tasks", ""]
    for n, task_id in enumerate(ids):
        title, after = f"Task number {n}", []
        dep = next((d for d in deps if d[0] == n), None)
        if dep is not None:
            _, named, form = dep
            if form == "line":
                after = [f"  - Depends: {named}"]
            elif form == "title":
                title += f" (depends on {named})"
            else:
                title += f" [deps: {named}]"
        lines += [f"- [ ] {task_id} {title}", *after]
    return "\n".join(lines) + "\n"


def _kit(ids: list[str], deps: list[tuple[int, str, str]]) -> str:
    """The Spec Kit file of the same plan (`depends on …` prose in the title, or a label)."""
    lines = ["# Tasks", "", "## Phase 1: Setup", ""]
    for n, task_id in enumerate(ids):
        title = f"Task number {n}"
        dep = next((d for d in deps if d[0] == n), None)
        if dep is not None:
            title += f" [deps: {dep[1]}]" if dep[2] == "label" else f" (depends on {dep[1]})"
        lines.append(f"- [ ] {task_id} {title}")
    return "\n".join(lines) + "\n"


@st.composite
def plans(draw: st.DrawFn) -> tuple[int, list[bool], list[tuple[int, int, bool, str]]]:
    size = draw(st.integers(2, 6))
    lower = draw(st.lists(st.booleans(), min_size=size, max_size=size))
    deps = [(n, draw(st.integers(0, n - 1)), draw(st.booleans()), draw(st.sampled_from(FORMS)))
            for n in range(1, size) if draw(st.booleans())]
    return size, lower, deps


def _written(shape: str, n: int, lower: bool) -> str:
    task_id = shape.format(n + 1)
    return task_id.lower() if lower else task_id


@settings(max_examples=200, deadline=None, derandomize=True)
@given(plans())
def test_a_task_id_in_any_case_is_the_same_task_in_both_readers(plan) -> None:
    size, lower, deps = plan
    for reader, shape, file, spec in ((docspec.parse, "T{}", DOC, _doc),
                                      (speckit.parse, "T{:03d}", KIT, _kit)):
        upper_ids = [_written(shape, n, False) for n in range(size)]
        ids = [_written(shape, n, lower[n]) for n in range(size)]
        named = [(n, _written(shape, target, low), form) for n, target, low, form in deps]
        capitals = [(n, _written(shape, target, False), form) for n, target, _, form in deps]

        got = reader(spec(ids, named), file)
        want = reader(spec(upper_ids, capitals), file)

        assert [t.id for t in got.tasks] == upper_ids, (file, spec(ids, named))
        assert [t.depends_on for t in got.tasks] == [t.depends_on for t in want.tasks]
        if reader is docspec.parse:  # its tasks wait only on what they name (Spec Kit's
            # also on the task before them, in file order)
            assert [(n, upper_ids[t]) for n, t, _, _ in deps] == [
                (n, d) for n, task in enumerate(got.tasks) for d in task.depends_on]
        assert got.diagnostics == want.diagnostics == ()
        for n in range(size):  # `--task t2` and `--task T2` alike
            assert by_id(got.tasks, upper_ids[n].lower()).id == upper_ids[n]


def test_the_same_doc_spec_id_in_two_cases_is_one_task_named_twice() -> None:
    text = "# F\n\n## Tasks\n\n- [ ] t1 Models\n- [ ] T1 Models again\n- [ ] T2 Api\n" \
           "  - Depends: t1\n"

    parsed = docspec.parse(text, DOC)

    assert [(t.id, t.depends_on) for t in parsed.tasks] == [("T1", ()), ("T2", ("T1",))]
    assert [d.message for d in parsed.diagnostics] == [
        "duplicate task id T1 (first at line 5); this line is ignored, renumber it"]
