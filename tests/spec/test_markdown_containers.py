"""A fence or HTML comment opened in a task's details ends with that list item, as CommonMark
(markdown-it, GitHub, Kiro) ends it; one still open at the end of the file is a diagnostic
naming its line and the task lines it hid. Generated: task lists with details, fences (closed
or not, ``` or ~~~, in the task or in a detail bullet), comments and phase headings at any
place; markdown-it-py is the oracle for which lines are code, and every reader (Kiro, Spec Kit,
one document) must read each task line outside code or name it in a diagnostic."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from reviewloop.spec import docspec, kiro, speckit
from reviewloop.spec import markdown as md

_ORACLE = MarkdownIt("commonmark")

DETAIL = st.sampled_from([
    ["  - a detail line"], ["  - _Requirements: 1.1_"], [""],
    ["  ```python", "  store.add('milk')", "  ```"], ["  ```python", "  store.add('milk')"],
    ["  - Example call:", "    ```python", "    store.add('milk')"],
    ["  - Example call:", "    ~~~", "    x = 1", "    ~~~"], ["    ```", "    x = 1"],
    ["  <!-- a note"], ["  <!-- a note", "  still the note -->"], ["  <!-- short -->"],
])
BETWEEN = st.sampled_from([[], [], [""], ["", "## Phase 2", ""], ["<!-- note -->"]])
ENDING = st.sampled_from([[], [], ["```"], ["<!-- the rest"], ["~~~~"]])
ITEM = st.tuples(st.sampled_from([" ", "x"]), st.lists(DETAIL, max_size=3), BETWEEN)


def _document(items: list[tuple[str, list[list[str]], list[str]]], ending: list[str],
              task: str) -> tuple[list[str], list[int]]:
    lines: list[str] = []
    boxes: list[int] = []
    for number, (mark, details, between) in enumerate(items, start=1):
        boxes.append(len(lines) + 1)
        lines.append(f"- [{mark}] {task.format(n=number)} Title {number}")
        lines.extend(line for detail in details for line in detail)
        lines.extend(between)
    if ending:  # a block opened at the end, above one last task it hides
        lines.extend(["", *ending, ""])
        boxes.append(len(lines) + 1)
        lines.append(f"- [ ] {task.format(n=len(items) + 1)} Hidden")
    return lines, boxes


def _code_lines(text: str) -> set[int]:
    found: set[int] = set()
    for token in _ORACLE.parse(text):
        if token.type in ("fence", "html_block", "code_block") and token.map:
            found.update(range(token.map[0] + 1, token.map[1] + 1))
    return found


@settings(max_examples=300, deadline=None, derandomize=True)
@given(items=st.lists(ITEM, min_size=1, max_size=5), ending=ENDING)
def test_code_lines_are_those_commonmark_reads_as_code(items, ending) -> None:
    lines, _ = _document(items, ending, "{n}.")
    text = "\n".join(["# Plan", "", *lines]) + "\n"
    ours = {line.number for line in md.iter_lines(text) if line.in_fence and line.text.strip()}
    theirs = {n for n in _code_lines(text) if text.split("\n")[n - 1].strip()}
    assert ours == theirs, text


READERS = {
    "kiro": ("{n}.", "# Implementation Plan\n\n",
             lambda text: kiro.parse(text, ".kiro/specs/f/tasks.md")),
    "speckit": ("T{n:03d}", "# Tasks: F\n\n## Phase 1: Setup\n\n",
                lambda text: speckit.parse(text, "specs/001-f/tasks.md")),
    "docspec": ("T{n}", "# F spec\n\n## Tasks\n\n",
                lambda text: docspec.parse(text, "docs/f-spec.md")),
}


@settings(max_examples=200, deadline=None, derandomize=True)
@given(items=st.lists(ITEM, min_size=1, max_size=5), ending=ENDING,
       reader=st.sampled_from(sorted(READERS)))
def test_no_task_line_disappears_without_a_diagnostic(items, ending, reader) -> None:
    task, head, parse = READERS[reader]
    lines, boxes = _document(items, ending, task)
    offset = head.count("\n")
    text = head + "\n".join(lines) + "\n"
    parsed = parse(text)
    read = {t.line for t in parsed.tasks}
    named = {int(n) for d in parsed.diagnostics
             for n in re.findall(r"\d+", d.message.partition("hides the task lines")[2]
                                   .partition(";")[0])}
    code = _code_lines(text)
    for box in (b + offset for b in boxes):
        if box in code:
            assert box in named, (box, text, parsed.diagnostics)
        else:
            assert box in read, (box, text, parsed.diagnostics)


def test_the_reported_unclosed_fence_in_a_detail_bullet_ends_with_its_item() -> None:
    """fz2 D8: task 1's details open ```python and never close it; tasks 2 and 3 are read."""
    text = ("# Implementation Plan\n\n- [x] 1. Create the store\n  - Example call:\n"
            "    ```python\n    store.add(\"milk\")\n  - _Requirements: 1.1_\n\n"
            "- [ ] 2. Add the HTTP endpoint\n  - _Requirements: 1.1_\n\n"
            "- [ ] 3. Write the tests\n  - _Requirements: 1.1_\n")
    parsed = kiro.parse(text, ".kiro/specs/f/tasks.md")
    assert [(t.id, t.requirements) for t in parsed.tasks] == [
        ("1", ("1.1",)), ("2", ("1.1",)), ("3", ("1.1",))]
    assert parsed.diagnostics == ()


def test_a_comment_open_at_the_end_is_named_with_what_it_hid() -> None:
    text = "## Phase 1: Setup\n\n- [ ] T001 A\n<!-- later\n- [ ] T002 B\n- [ ] T003 C\n"
    parsed = speckit.parse(text, "specs/001-f/tasks.md")
    assert [t.id for t in parsed.tasks] == ["T001"]
    assert [(d.line, d.message) for d in parsed.diagnostics] == [(4, (
        "the HTML comment opened on line 4 is never closed, so the rest of the file is read "
        "as inside it; it hides the task lines 5, 6; close it with `-->`"))]
