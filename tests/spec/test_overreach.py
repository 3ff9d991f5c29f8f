"""reviewloop.spec.overreach: whatever an agent does to other tasks' lines of the spec — tick,
untick, delete, reword, add — goes back to how the run found it, in every spec format; its own
task's tick and its other edits (a note) stay. Generated: which tasks, which edits, which
format, which line ends."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.spec.loader import parse_tasks
from reviewloop.spec.model import Task
from reviewloop.spec.overreach import restore_others

# (tasks file, header, how a task line is written from its number, title and mark)
FORMATS: dict[str, tuple[str, str, Callable[[int, str, str], str]]] = {
    "kiro": (".kiro/specs/f/tasks.md", "# Implementation Plan\n",
             lambda n, title, mark: f"- [{mark}] {n}. {title}"),
    "speckit": ("specs/001-f/tasks.md", "# Tasks\n\n## Phase 1: Setup\n",
                lambda n, title, mark: f"- [{mark}] T{n:03d} {title}"),
    "docs": ("docs/f-spec.md", "# F\n\n## Tasks\n",
             lambda n, title, mark: f"- [{mark}] T{n} {title}"),
}
TITLES = ("Models", "Api layer", "Docs", "Wire the endpoint", "Tests", "Cli")
EDITS = ("tick", "untick", "delete", "reword", "renumber", "keep")


def _read(fmt: str) -> Callable[[str], list[Task]]:
    path = Path("/repo") / FORMATS[fmt][0]
    return lambda text: list(parse_tasks(Path("/repo"), path, text).tasks)


def _spec(fmt: str, marks: list[str], end: str, edits: dict[int, str] | None = None,
          own: tuple[int, str] | None = None) -> str:
    """The spec with task n's mark `marks[n - 1]`, each other task edited as `edits` says and
    the run's own task `own[0]` with its mark `own[1]` and a note under it."""
    _, header, line = FORMATS[fmt]
    lines = [*header.rstrip("\n").split("\n"), ""]
    for n, mark in enumerate(marks, 1):
        edit = (edits or {}).get(n, "keep")
        title = TITLES[n - 1]
        if own and n == own[0]:
            lines += [line(n, title, own[1]), "", "  Implementer note: done with care.", ""]
            continue
        if edit == "delete":
            continue
        mark = {"tick": "x", "untick": " "}.get(edit, mark)
        lines.append(line(n + 10 if edit == "renumber" else n,
                          title + (" (already covered)" if edit == "reword" else ""), mark))
        lines.append("")
    return end.join(lines)


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, list[str], str, int, dict[int, str], bool]:
    fmt = draw(st.sampled_from(sorted(FORMATS)))
    size = draw(st.integers(2, len(TITLES)))
    marks = draw(st.lists(st.sampled_from([" ", "x"]), min_size=size, max_size=size))
    own = draw(st.integers(1, size))
    marks[own - 1] = " "
    edits = {n: draw(st.sampled_from(EDITS)) for n in range(1, size + 1) if n != own}
    # an edit that leaves the line as it was is no edit: untick an open task, tick a done one
    edits = {n: e for n, e in edits.items()
             if (e, marks[n - 1]) not in {("tick", "x"), ("untick", " ")}}
    return (fmt, marks, draw(st.sampled_from(["\n", "\r\n"])), own, edits,
            draw(st.booleans()))


def _statuses(tasks: list[Task]) -> dict[str, tuple[str, str, str]]:
    return {t.id: (t.title, t.status.value, str(t.line)) for t in tasks}


@settings(max_examples=300, deadline=None)
@given(cases())
def test_other_tasks_lines_go_back_and_the_own_work_stays(case):
    fmt, marks, end, own, edits, ticks_own = case
    read = _read(fmt)
    base = _spec(fmt, marks, end)
    own_id = read(base)[own - 1].id
    left = _spec(fmt, marks, end, edits, own=(own, "x" if ticks_own else " "))
    edited = {n for n, e in edits.items() if e != "keep"}

    restored = restore_others(base.encode(), left.encode(), read, own_id)
    after = read(restored.data.decode())

    before = {k: v for k, v in _statuses(read(base)).items() if k != own_id}
    assert {k: v[:2] for k, v in _statuses(after).items() if k != own_id} == {
        k: v[:2] for k, v in before.items()}
    added = {t.id for t in read(left)} - {t.id for t in read(base)}  # renumbered
    assert sorted(line.split(" ", 1)[0] for line in restored.tasks) == sorted(
        [*(read(base)[n - 1].id for n in edited), *added])
    if not edited:  # nothing of another task's: the agent's spec lands as it left it
        assert restored.data == left.encode()
    # the own tick and the note under it stay (a blank line apart from the other edits)
    assert {t.id: t for t in after}[own_id].is_done is ticks_own
    assert "Implementer note: done with care." in restored.data.decode()


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(FORMATS)), st.sampled_from(["\n", "\r\n"]),
       st.integers(1, 3))
def test_only_edits_of_other_tasks_give_back_the_spec_byte_for_byte(fmt, end, own):
    read = _read(fmt)
    marks = [" ", "x", " ", " "]
    base = _spec(fmt, marks, end)
    others = {n: ("untick" if marks[n - 1] == "x" else "tick") for n in range(1, 5) if n != own}

    restored = restore_others(base.encode(), _spec(fmt, marks, end, others).encode(), read,
                              read(base)[own - 1].id)

    assert restored.data == base.encode()
    assert len(restored.tasks) == 3


def test_what_was_put_back_is_said_per_task():
    read = _read("kiro")
    base = "- [ ] 1. Models\n\n- [x] 2. Api\n\n- [ ] 5. Docs\n\n- [ ] 6. Cli\n"
    left = "- [x] 1. Models\n  note\n\n- [ ] 2. Api\n\n- [x] 5. Docs\n\n- [ ] 6. Cli tool\n"

    restored = restore_others(base.encode(), left.encode(), read, "1")

    assert restored.tasks == ("2 Api: unticked", "5 Docs: ticked", "6 Cli: reworded")
    assert restored.data == (b"- [x] 1. Models\n  note\n\n- [x] 2. Api\n\n- [ ] 5. Docs\n\n"
                             b"- [ ] 6. Cli\n")


def test_a_parent_the_own_tick_closes_is_the_runs_own():
    read = _read("kiro")
    base = "- [ ] 2. Models\n  - [x] 2.1 A\n  - [ ] 2.2 B\n- [ ] 3. Other\n"
    left = "- [x] 2. Models\n  - [x] 2.1 A\n  - [x] 2.2 B\n- [ ] 3. Other\n"

    restored = restore_others(base.encode(), left.encode(), read, "2.2")

    assert restored.data == left.encode() and restored.tasks == ()


def test_a_parent_ticked_over_an_open_sibling_goes_back():
    read = _read("kiro")
    base = "- [ ] 2. Models\n  - [ ] 2.1 A\n  - [ ] 2.2 B\n"
    left = "- [x] 2. Models\n  - [ ] 2.1 A\n  - [x] 2.2 B\n"

    restored = restore_others(base.encode(), left.encode(), read, "2.2")

    assert restored.data == b"- [ ] 2. Models\n  - [ ] 2.1 A\n  - [x] 2.2 B\n"
    assert restored.tasks == ("2 Models: ticked",)
