"""reviewloop.spec.overreach on whole task blocks: whatever an agent does beneath another
task's checkbox line — rewrites its details, drops or adds a `_Depends:` or `_Requirements:`
line, deletes the task with everything under it or its checkbox line alone — goes back byte
for byte, in every spec format and line end, and what was put back is said once per task,
line by line (a deleted checkbox line's details, left under the task above it, are the
deleted task's, never that task's additions); the run's own block (its tick, a note under
it) lands as the agent left it. Generated: which tasks, which edits."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reviewloop.spec.loader import parse_tasks
from reviewloop.spec.model import Task
from reviewloop.spec.overreach import restore_others

# (tasks file, header, a task's checkbox line from its number, title and mark, how it names
# a dependency on task n)
FORMATS: dict[str, tuple[str, str, Callable[[int, str, str], str], Callable[[int], str]]] = {
    "kiro": (".kiro/specs/f/tasks.md", "# Implementation Plan\n",
             lambda n, title, mark: f"- [{mark}] {n}. {title}", lambda n: f"_Depends: {n}_"),
    "speckit": ("specs/001-f/tasks.md", "# Tasks\n\n## Phase 1: Setup\n",
                lambda n, title, mark: f"- [{mark}] T{n:03d} {title}",
                lambda n: f"depends on T{n:03d}"),
    "docs": ("docs/f-spec.md", "# F\n\n## Tasks\n",
             lambda n, title, mark: f"- [{mark}] T{n} {title}", lambda n: f"_Depends: T{n}_"),
}
TITLES = ("Models", "Api layer", "Docs", "Wire the endpoint", "Tests")
# what an agent does to another task's block
EDITS = ("keep", "drop_depends", "drop_requirements", "rewrite_detail", "add_detail",
         "add_depends", "delete_block", "delete_checkbox", "tick_and_skip")


def _block(fmt: str, n: int, mark: str, edit: str) -> list[str]:
    """Task n's block as the agent left it after `edit`."""
    _, _, line, depends = FORMATS[fmt]
    detail = f"  - Write the {TITLES[n - 1].lower()} with care"
    rest = [detail, f"  - _Requirements: {n}.1_"] + ([f"  - {depends(n - 1)}"] if n > 1 else [])
    if edit == "delete_block":
        return []
    if edit == "delete_checkbox":  # its details now sit under the task above it
        return [*rest, ""]
    if edit == "drop_depends" and n > 1:
        rest = rest[:-1]
    elif edit == "drop_requirements":
        rest = [s for s in rest if "_Requirements" not in s]
    elif edit == "rewrite_detail":
        rest[0] = "  - SKIP: already covered by the other task"
    elif edit == "add_detail":
        rest.append("  - Nothing to do here, leave it")
    elif edit == "add_depends":
        rest.append(f"  - {depends(len(TITLES))}")
    elif edit == "tick_and_skip":
        mark, rest = "x", [*rest, "  - done (covered)"]
    return [line(n, TITLES[n - 1], mark), *rest, ""]


def _spec(fmt: str, size: int, end: str, edits: dict[int, str] | None = None,
          own: tuple[int, str] | None = None) -> str:
    """Tasks 1..size, each other task edited as `edits` says, the own task `own[0]` with its
    mark `own[1]` and a note under it."""
    lines = [*FORMATS[fmt][1].rstrip("\n").split("\n"), ""]
    for n in range(1, size + 1):
        if own and n == own[0]:
            lines += [*_block(fmt, n, own[1], "keep")[:-1], "  - Implementer note: done.", ""]
        else:
            lines += _block(fmt, n, " ", (edits or {}).get(n, "keep"))
    return end.join(lines)


def _read(fmt: str) -> Callable[[str], list[Task]]:
    path = Path("/repo") / FORMATS[fmt][0]
    return lambda text: list(parse_tasks(Path("/repo"), path, text).tasks)


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, int, str, int, dict[int, str], bool]:
    fmt = draw(st.sampled_from(sorted(FORMATS)))
    size = draw(st.integers(2, len(TITLES)))
    own = draw(st.integers(1, size))
    edits = {n: draw(st.sampled_from(EDITS)) for n in range(1, size + 1) if n != own}
    # a dependency task 1 does not have cannot be dropped: no edit
    edits = {n: e for n, e in edits.items() if (n, e) != (1, "drop_depends")}
    return fmt, size, draw(st.sampled_from(["\n", "\r\n"])), own, edits, draw(st.booleans())


@settings(max_examples=300, deadline=None)
@given(cases())
def test_other_tasks_blocks_go_back_byte_for_byte(case):
    fmt, size, end, own, edits, ticks = case
    read = _read(fmt)
    base = _spec(fmt, size, end)
    own_id = read(base)[own - 1].id
    mark = "x" if ticks else " "
    left = _spec(fmt, size, end, edits, own=(own, mark))

    restored = restore_others(base.encode(), left.encode(), read, own_id)

    # every other task exactly as the run found it; the own block as the agent left it
    assert restored.data == _spec(fmt, size, end, own=(own, mark)).encode()
    ids = {n: read(base)[n - 1].id for n in range(1, size + 1)}
    edited = {ids[n] for n, e in edits.items() if e != "keep"}
    assert {line.split(" ", 1)[0] for line in restored.tasks} == edited
    assert len(restored.tasks) == len(edited)
    before = {t.id: t for t in read(base)}
    for task in read(restored.data.decode()):  # what a later run is given and waits on
        if task.id != own_id:
            assert (task.details, task.requirements, task.depends_on) == (
                before[task.id].details, before[task.id].requirements,
                before[task.id].depends_on)


def test_what_was_put_back_is_said_line_by_line():
    read = _read("kiro")
    base = _spec("kiro", 3, "\n")
    left = base.replace("  - _Depends: 2_\n", "").replace(
        "  - Write the docs with care", "  - SKIP: already done")

    restored = restore_others(base.encode(), left.encode(), read, "1")

    assert restored.data == base.encode()
    assert restored.tasks == ("3 Docs: line `- Write the docs with care` deleted, line "
                              "`- SKIP: already done` added, line `- _Depends: 2_` deleted",)


def test_a_deleted_task_comes_back_with_all_its_lines():
    read = _read("kiro")
    base = _spec("kiro", 3, "\n")
    left = _spec("kiro", 3, "\n", {3: "delete_block"}, own=(1, "x"))

    restored = restore_others(base.encode(), left.encode(), read, "1")

    assert restored.data == _spec("kiro", 3, "\n", own=(1, "x")).encode()
    assert restored.tasks == ("3 Docs: deleted (its 4 lines put back)",)


@settings(max_examples=150, deadline=None)
@given(cases())
def test_what_goes_back_ends_its_lines_as_the_spec_now_does(case):
    """An agent that rewrote the spec's line ends (CRLF to LF, or back) keeps them: the
    blocks put back take the spec's new line end, never mixing the two in one file (they
    kept the base's, and the mixed file was committed)."""
    fmt, size, end, own, edits, ticks = case
    now = "\n" if end == "\r\n" else "\r\n"
    read = _read(fmt)
    base = _spec(fmt, size, end)
    mark = "x" if ticks else " "
    left = _spec(fmt, size, now, edits, own=(own, mark))

    restored = restore_others(base.encode(), left.encode(), read, read(base)[own - 1].id)

    assert restored.data == _spec(fmt, size, now, own=(own, mark)).encode()


@settings(max_examples=100, deadline=None)
@given(fmt=st.sampled_from(sorted(FORMATS)), end=st.sampled_from(["\n", "\r\n"]),
       size=st.integers(2, len(TITLES)), data=st.data())
def test_a_deleted_checkbox_line_is_said_once_as_its_own_tasks(fmt: str, end: str, size: int,
                                                               data: st.DataObject) -> None:
    """Only another task's checkbox line deleted: its details, now under the task above it
    (the run's own or another), go back with it, and the summary says so once — never also
    as lines added to the task above."""
    own = data.draw(st.integers(1, size - 1))
    deleted = data.draw(st.integers(own + 1, size))
    read = _read(fmt)
    base = _spec(fmt, size, end)
    left = _spec(fmt, size, end, {deleted: "delete_checkbox"}, own=(own, "x"))
    ids = [t.id for t in read(base)]

    restored = restore_others(base.encode(), left.encode(), read, ids[own - 1])

    assert restored.data == _spec(fmt, size, end, own=(own, "x")).encode()
    assert restored.tasks == (
        f"{ids[deleted - 1]} {TITLES[deleted - 1]}: its checkbox line deleted (put back)",)


# Tasks sharing detail lines (the common `_Requirements:` lines): a line equal to one of a
# deleted task's is no sign of it. A task's block and the edits an agent makes to it.
SHARED = ("  - _Requirements: 1.1_", "  - _Requirements: 1.2_", "  - Write unit tests",
          "  - Update the docs")
OTHER_EDITS = ("keep", "delete_block", "delete_checkbox")


def _shared_spec(fmt: str, blocks: list[list[str]], edits: dict[int, str], end: str,
                 final: bool) -> str:
    """The spec of `blocks` (checkbox line, details), each edited as `edits` says (a deleted
    checkbox line leaves its details right under the block above it)."""
    lines = [*FORMATS[fmt][1].rstrip("\n").split("\n"), ""]
    for n, block in enumerate(blocks, 1):
        edit = edits.get(n, "keep")
        if edit == "delete_block":
            continue
        if edit == "delete_checkbox" and lines[-1] == "":
            lines.pop()
        lines += [*(block[1:] if edit == "delete_checkbox" else block), ""]
    text = end.join(lines)
    return text if final else text.rstrip("\r\n")


def _mine(block: list[str], edit: tuple[str, ...]) -> list[str]:
    """The own task's block ticked, with a note (`("note", line)`) or a detail dropped
    (`("drop", index)`)."""
    ticked = [block[0].replace("[ ]", "[x]"), *block[1:]]
    if edit[0] == "note":
        return [*ticked, edit[1]]
    if edit[0] == "drop" and len(ticked) > 2:
        return ticked[:int(edit[1])] + ticked[int(edit[1]) + 1:]
    return ticked


def _own_edits(block: list[str]) -> list[tuple[str, ...]]:
    return [("none",), *(("note", s) for s in SHARED),
            *(("drop", str(i)) for i in range(1, len(block)))]


def _now(fmt: str, blocks: list[list[str]], own: int, edit: tuple[str, ...],
         edits: dict[int, str], end: str, final: bool) -> tuple[str, str]:
    """The spec as the agent left it (its own task ticked and edited, the others edited)
    and as it must come back (only the own task's change)."""
    mine = _mine(blocks[own - 1], edit)
    left = [mine if n == own else block for n, block in enumerate(blocks, 1)]
    return (_shared_spec(fmt, left, edits, end, final),
            _shared_spec(fmt, left, {}, end, final))


@st.composite
def shared_cases(draw: st.DrawFn) -> tuple[str, list[list[str]], int, tuple[str, ...],
                                           dict[int, str], str, bool]:
    fmt = draw(st.sampled_from(sorted(FORMATS)))
    size = draw(st.integers(2, 5))
    line = FORMATS[fmt][2]
    blocks = [[line(n, f"Task{n}", " "), *draw(st.lists(st.sampled_from(SHARED), min_size=1,
                                                         max_size=3, unique=True))]
              for n in range(1, size + 1)]
    own = draw(st.integers(1, size))
    edit = draw(st.sampled_from(_own_edits(blocks[own - 1])))
    edits = {n: draw(st.sampled_from(OTHER_EDITS)) for n in range(1, size + 1) if n != own}
    return (fmt, blocks, own, edit, edits, draw(st.sampled_from(["\n", "\r\n"])),
            draw(st.booleans()))


def _ambiguous(fmt: str, blocks: list[list[str]], own: int, now: str, right: str, end: str,
               final: bool) -> bool:
    """Whether other edits give the same bytes with another right answer (a note equal to
    all of a task deleted whole's lines reads as that task's checkbox line deleted): no rule
    of place can tell them apart."""
    others = [n for n in range(1, len(blocks) + 1) if n != own]
    for choice in itertools.product(OTHER_EDITS, repeat=len(others)):
        for edit in _own_edits(blocks[own - 1]):
            got = _now(fmt, blocks, own, edit, dict(zip(others, choice, strict=True)), end,
                       final)
            if got[0] == now and got[1] != right:
                return True
    return False


@settings(max_examples=300, deadline=None)
@given(shared_cases())
def test_deleted_tasks_are_found_by_place_never_by_a_line_they_share(case) -> None:
    """Other tasks deleted whole or by their checkbox line alone, the own task ticked with
    a note that may equal any line of theirs or a detail dropped, the spec with or without a
    final newline:
    every other block comes back byte for byte where it was, the own block stays as the
    agent left it (a note equal to a line of a task deleted whole was lost), and the file
    ends as it did (a task put back at the end gained a final newline)."""
    fmt, blocks, own, edit, edits, end, final = case
    read = _read(fmt)
    base = _shared_spec(fmt, blocks, {}, end, final)
    now, right = _now(fmt, blocks, own, edit, edits, end, final)
    assume(not _ambiguous(fmt, blocks, own, now, right, end, final))

    restored = restore_others(base.encode(), now.encode(), read, read(base)[own - 1].id)

    assert restored.data == right.encode()


def test_a_note_equal_to_a_line_of_a_task_deleted_whole_stays_under_the_own_task() -> None:
    read = _read("kiro")
    base = ("# Implementation Plan\n\n- [ ] 1. Models\n  - Write the models\n"
            "  - _Requirements: 1.1_\n\n- [ ] 2. Api\n  - _Requirements: 1.2_\n"
            "  - Wire the routes\n  - _Depends: 1_\n")
    mine = ("# Implementation Plan\n\n- [x] 1. Models\n  - Write the models\n"
            "  - _Requirements: 1.1_\n  - _Requirements: 1.2_\n")

    restored = restore_others(base.encode(), mine.encode(), read, "1")

    assert restored.data.decode() == mine + base[base.index("\n- [ ] 2. Api"):]
    assert restored.tasks == ("2 Api: deleted (its 4 lines put back)",)


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_a_task_put_back_at_the_end_of_a_spec_with_no_final_newline_ends_as_it_did(
        end: str) -> None:
    read = _read("speckit")
    base = end.join(["# Tasks", "", "## Phase 1", "", "- [ ] T001 A", "  - a",
                     "- [ ] T002 B", "  - b"])
    now = end.join(["# Tasks", "", "## Phase 1", "", "- [x] T001 A", "  - a", "  - b"])

    restored = restore_others(base.encode(), now.encode(), read, "T001")

    assert restored.data == base.replace("- [ ] T001", "- [x] T001").encode()
    assert restored.tasks == ("T002 B: its checkbox line deleted (put back)",)
