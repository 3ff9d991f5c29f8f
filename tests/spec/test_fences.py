"""A fence in a task's details whose code is written at column 0 (`  ```python`, `def f():`,
`  ````) is read as the author meant it: the code is the fence's and every later task is
read, where CommonMark (GitHub, markdown-it) ends the item at the first unindented line and
lets the closing fence open a new one that hides the rest of the file. Generated: task lists
whose details hold such fences (with code that looks like a heading, a comment or a quote),
indented ones, unclosed ones, ones closed at column 0 and YAML whose lines are list items.
The oracle is markdown-it reading the same document with each lazily written fence's code
indented to its item's text; where our rule does not apply it reads the document as is."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from reviewloop.spec import docspec, kiro, speckit
from reviewloop.spec import markdown as md
from reviewloop.spec.fences import LazyFences

_ORACLE = MarkdownIt("commonmark")

CODE = st.lists(st.sampled_from([
    "def parse(x):", "    return x", "# setup the store", "## not a heading", "",
    "class Store:", "@dataclass", "x = {", "}", "> quoted", "import os", "<!-- html -->",
    "print('- [ ] 9. not a task')", "\tindented by a tab",
]), min_size=1, max_size=5).filter(lambda code: any(line.strip() and not line.startswith(
    (" ", "\t")) for line in code))  # at least one line the item would end at


@st.composite
def details(draw: st.DrawFn) -> tuple[list[str], set[int], bool]:
    """A task's details, the offsets (in them) of code lines the oracle must indent, and
    whether they must be the item's last: after an unclosed fence the next block's opening
    line could close it, and after YAML's `- run` the next fence pairs with its closing
    line, and no reader can tell."""
    fence = draw(st.sampled_from(["```", "````", "~~~"]))
    info = draw(st.sampled_from(["", "python", "yaml"]))
    code = draw(CODE)
    shape = draw(st.sampled_from(["lazy", "lazy", "indented", "unclosed", "yaml", "bullet"]))
    if shape == "lazy":  # the reported shape: read as the author meant it
        lines = [f"  {fence}{info}", *code, f"  {fence}"]
        lazy = {n for n, line in enumerate(lines) if 0 < n < len(lines) - 1 and line}
        return lines, lazy, False
    if shape == "indented":
        return [f"  {fence}{info}", *(f"  {line}" for line in code), f"  {fence}"], set(), False
    if shape == "unclosed":  # the next task comes first: the item ends, as CommonMark ends it
        return [f"  {fence}{info}", *code], set(), True
    if shape == "yaml":  # a list item at column 0 ends the item: CommonMark's reading
        return [f"  {fence}yaml", "steps:", "- run: make", f"  {fence}"], set(), True
    return ["  - a detail line"], set(), False


Item = tuple[str, list[tuple[list[str], set[int], bool]]]  # a task's mark and its details


def _document(items: list[Item], column0: str,
              task: str) -> tuple[list[str], list[int], set[int]]:
    """The lines, the 1-based task lines and the 1-based lines the oracle indents.

    Details that must end their item do. With `column0`, the last item ends in a fence
    closed at column 0 (which may as well open a fence: CommonMark's reading, so the one
    task after it is hidden and named)."""
    lines: list[str] = []
    boxes: list[int] = []
    lazy: set[int] = set()
    if column0:
        items = [*items[:-1], (items[-1][0], [
            *(block for block in items[-1][1] if not block[2]),
            ([f"  {column0}python", "def parse(x):", column0], set(), True)]),
            (" ", [])]
    for number, (mark, blocks) in enumerate(items, start=1):
        boxes.append(len(lines) + 1)
        lines.append(f"- [{mark}] {task.format(n=number)} Title {number}")
        for block, indent, last in blocks:
            lazy |= {len(lines) + 1 + n for n in indent}
            lines.extend(block)
            if last:
                break
        lines.append("")
    return lines, boxes, lazy


def _code_lines(text: str) -> set[int]:
    found: set[int] = set()
    for token in _ORACLE.parse(text):
        # an indented code block (code left at four spaces after its item ended) is not
        # what `iter_lines` reads: it tells fences and comments only
        if token.type in ("fence", "html_block") and token.map:
            found.update(range(token.map[0] + 1, token.map[1] + 1))
    return {n for n in found if text.split("\n")[n - 1].strip()}


ITEMS = st.lists(st.tuples(st.sampled_from([" ", "x"]), st.lists(details(), max_size=2)),
                 min_size=1, max_size=5)
COLUMN0 = st.sampled_from(["", "", "```", "~~~"])
READERS = {
    "kiro": ("{n}.", "# Implementation Plan\n\n",
             lambda text: kiro.parse(text, ".kiro/specs/f/tasks.md")),
    "speckit": ("T{n:03d}", "# Tasks: F\n\n## Phase 1: Setup\n\n",
                lambda text: speckit.parse(text, "specs/001-f/tasks.md")),
    "docspec": ("T{n}", "# F spec\n\n## Tasks\n\n",
                lambda text: docspec.parse(text, "docs/f-spec.md")),
}


@settings(max_examples=300, deadline=None, derandomize=True)
@given(items=ITEMS, column0=COLUMN0)
def test_code_lines_are_commonmarks_once_lazy_code_is_indented(items: list[Item],
                                                               column0: str) -> None:
    lines, _, lazy = _document(items, column0, "{n}.")
    text = "\n".join(["# Plan", "", *lines]) + "\n"
    indented = "\n".join(["# Plan", "", *(f"  {line}" if n in lazy else line
                                          for n, line in enumerate(lines, start=1))]) + "\n"
    ours = {line.number for line in md.iter_lines(text) if line.in_fence and line.text.strip()}
    assert ours == _code_lines(indented), text


@settings(max_examples=200, deadline=None, derandomize=True)
@given(items=ITEMS, column0=COLUMN0, reader=st.sampled_from(sorted(READERS)))
def test_every_task_is_read_or_named(items: list[Item], column0: str, reader: str) -> None:
    """A task after a lazily written fence is read; one a column-0 fence hides is named."""
    task, head, parse = READERS[reader]
    lines, boxes, _ = _document(items, column0, task)
    offset = head.count("\n")
    text = head + "\n".join(lines) + "\n"
    parsed = parse(text)
    read = {t.line for t in parsed.tasks}
    named = {int(n) for d in parsed.diagnostics
             for n in re.findall(r"\d+", d.message.partition("hides the task lines")[2]
                                   .partition(";")[0])}
    *shown, last = (b + offset for b in boxes)
    assert set(shown) <= read, text
    assert (last in named) if column0 else (last in read), (text, parsed.diagnostics)
    assert len(named) == (1 if column0 else 0), (text, parsed.diagnostics)


def test_the_reported_shape_reads_every_task() -> None:
    """r23 review: task 1 holds `  ```python`, code at column 0, `  ````; it read [1] and
    said the closing line opened a fence hiding lines 8 and 9."""
    text = ("# Tasks\n\n- [ ] 1. Add parser\n  ```python\ndef parse(x):\n    return x\n"
            "  ```\n- [ ] 2. Add CLI\n- [ ] 3. Add docs\n")
    parsed = kiro.parse(text, ".kiro/specs/f/tasks.md")
    assert [(t.id, t.line) for t in parsed.tasks] == [("1", 3), ("2", 8), ("3", 9)]
    assert parsed.diagnostics == ()


def test_an_unclosed_fence_names_its_closing_line_in_words() -> None:
    for fence, words in (("```", "3 backticks"), ("~~~~", "4 tildes")):
        text = f"# Plan\n\n{fence}\n- [ ] 1. A\n"
        parsed = kiro.parse(text, ".kiro/specs/f/tasks.md")
        assert [d.message for d in parsed.diagnostics] == [
            "the code fence opened on line 3 is never closed, so the rest of the file is "
            f"read as inside it; it hides the task lines 4; close it with a line of {words} "
            "and nothing else"]


def test_lazy_fences_pair_only_an_indented_closer_with_no_list_item_before_it() -> None:
    lines = ["- [ ] 1. A", "  ```", "x", "  ```", "- [ ] 2. B", "  ```", "y", "```",
             "- [ ] 3. C", "  ```", "- z", "  ```"]
    lazy = LazyFences(lines, md._item_indent)  # noqa: SLF001 - the walk's own predicate
    assert lazy.closer(3, "```", 2) == 4
    assert lazy.closer(3, "````", 2) is None  # no closer long enough
    assert lazy.closer(7, "```", 2) is None  # its closer is at column 0
    assert lazy.closer(11, "```", 2) is None  # `- z` is a list item: the item ended
