"""Line-level Markdown helpers shared by the task-list readers and the status write-back.

Nothing here knows about a particular spec format. These things live here:

* `iter_lines` walks a document line by line, telling for each line whether it sits in a
  fenced code block and which heading it falls under;
* `parse_checkbox` recognises a task checkbox line (`- [ ] …`, `* [x] …`, `- [-] …`,
  `- [~] …`, `- [ ]* 2.1 …`) and reports where its mark character is;
* `field_line` / `requirement_refs` read `_Label: value_` lines, the requirement
  references in them (`_Requirements: 1.1, 2.3_`, `_需求: 需求1-3_`, …) and expand ranges;
* `TaskDraft`, the fields every format reader takes from a task's checkbox line; each
  reader extends it with what its format adds.

Lines are split on "\\n" only (a trailing "\\r" is dropped from the text), so line numbers
are those a byte-level editor sees; `str.splitlines` would also split on form feeds and
Unicode separators and shift every later line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from reviewloop.spec.fences import LazyFences
from reviewloop.spec.model import TaskStatus

MARK_STATUS: dict[str, TaskStatus] = {
    " ": TaskStatus.OPEN,
    "x": TaskStatus.DONE,
    "X": TaskStatus.DONE,
    "-": TaskStatus.IN_PROGRESS,
    "~": TaskStatus.QUEUED,
}

CHECKBOX = re.compile(
    r"^(?P<indent>[ \t]*)(?P<stray>(?:(?:[-*+]|\d{1,3}[.)])[ \t]+)*)(?P<bullet>[-*+]|\d{1,3}[.)])"
    r"[ \t]+\[(?P<mark>[ xX~-])\](?P<optional>\*)?(?:[ \t]+(?P<rest>.*?))?[ \t]*$"
)
# What a writer meant as a checkbox but no Markdown reader ticks: `-[ ]`, `- [ ]T1`,
# `- [  ]`, `- [ x]`, `- []`, `- [v]`, `- [/]`, `- [xx]`, a no-break space, a `•` or `–`
# bullet, fullwidth brackets, a Cyrillic `х`, a task quoted with `>`: a box of blanks, or one or
# two mark-like characters with a blank beside them at most (a link `[ab](…)`, a reference
# `[1]:`, a footnote `[^1]`, Spec Kit's `[P]` and `[US1]` markers or a `[!]` / `[?]` note
# are none of these)
_BLANK = "[ \\t\u00a0\u3000]"
_MARK = "[xXvV✓✔✗×х/*.~-]"
_LIST_MARK = r"(?:[-*+•–·]|\d{1,3}[.)])"
_NEAR_CHECKBOX = re.compile(
    rf"^(?:{_BLANK}*>)*{_BLANK}*(?:{_LIST_MARK}{_BLANK}+)*{_LIST_MARK}{_BLANK}*"
    rf"[\[［](?:{_BLANK}{{0,4}}|{_BLANK}?{_MARK}{{1,2}}{_BLANK}?)[\]］](?![(\[:])"
)
_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})")
_COMMENT_OPEN = re.compile(r"^[ \t]*<!--")
_HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*$")
_BULLET = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+")
_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+")  # a list item, up to its text
_EMPHASIS = " \t_*"


@dataclass(frozen=True)
class Line:
    """One line of a document with the context a reader needs."""

    number: int  # 1-based
    text: str  # without the line ending
    in_fence: bool  # in a fenced code block (fence lines included) or an HTML comment
    heading: str | None  # text of the nearest heading above (this line's own if a heading)
    heading_level: int  # 1..6, 0 before the first heading
    is_heading: bool
    block_start: int = 0  # line the fence or comment holding this line began on
    closes: bool = False  # the line that ends its fence or comment

    @property
    def indent(self) -> int:
        return indent_width(self.text)

    @property
    def is_blank(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class Checkbox:
    """A parsed checkbox line. `mark_col` is the 0-based column of the mark character."""

    indent: int
    mark: str
    optional: bool
    rest: str
    mark_col: int

    @property
    def status(self) -> TaskStatus:
        return MARK_STATUS[self.mark]


@dataclass
class TaskDraft:
    """A task read from a checkbox line, still being filled in before it becomes a `Task`."""

    id: str
    title: str
    status: TaskStatus
    line: int  # 1-based line of the checkbox
    indent: int  # of the checkbox, to tell sub-tasks and detail lines apart
    optional: bool


def split_lines(text: str) -> list[str]:
    """Split on "\\n" only and drop one trailing "\\r" from each line."""
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def indent_width(text: str) -> int:
    """Leading whitespace width, a tab counting as four columns."""
    width = 0
    for char in text:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4
        else:
            break
    return width


def iter_lines(text: str) -> Iterator[Line]:
    """Walk `text`, tracking ``` / ~~~ fences, HTML comments and the current heading.

    A fence closes on a line that starts with the same character at least as many times;
    a line that opens with `<!--` starts a comment (a commented-out task is not a task) that
    ends on the line holding `-->`; both count as `in_fence`. A comment after a task's text
    is left alone. As in CommonMark, a fence or comment opened inside a list item (a task's
    details) ends with that item, at the first line indented less than the item's text,
    unless that line is a fence's code written unindented (`fences.LazyFences` says when);
    one opened outside a list runs to the end of the document (`unclosed_block` names it).
    """
    raws = split_lines(text)
    walk = _Walk(LazyFences(raws, _item_indent))
    for number, raw in enumerate(raws, start=1):
        yield walk.line(number, raw, raw.lstrip("\ufeff") if number == 1 else raw)


class _Walk:
    """The state of `iter_lines`: the open block (fence or comment), the list items around
    it (the columns their text starts at) and the current heading."""

    def __init__(self, lazy: LazyFences) -> None:
        self.lazy = lazy
        self.lazy_until = 0  # the open fence's unindented code runs to its closer here
        self.fence: str | None = None
        self.comment = False
        self.start = 0  # line the open fence or comment began on
        self.container: int | None = None  # text column of the list item holding it
        self.items: list[int] = []
        self.heading: str | None = None
        self.level = 0

    def line(self, number: int, raw: str, body: str) -> Line:
        if (self.fence is not None or self.comment) and self.container is not None \
                and body.strip() and indent_width(body) < self.container \
                and not self._lazy_code(number, body):
            self.fence, self.comment = None, False  # its list item ended: so does the block
        if self.fence is None and (self.comment or _COMMENT_OPEN.match(body)):
            if not self.comment:
                self._open(number, body)
            opened_at = body.find("<!--") + 4 if not self.comment else 0
            self.comment = "-->" not in body[max(opened_at, 0):]
            return self._in_block(number, raw, closes=not self.comment)
        opener = _FENCE.match(body)
        if self.fence is not None:
            closes = opener is not None and opener["fence"][0] == self.fence[0] \
                and len(opener["fence"]) >= len(self.fence) \
                and not body.strip()[len(opener["fence"]):].strip()
            if closes:
                self.fence = None
            return self._in_block(number, raw, closes=closes)
        if opener:
            self._open(number, body)
            self.fence = opener["fence"]
            return self._in_block(number, raw, closes=False)
        if body.strip():
            self._enter(body)
        match = _HEADING.match(body)
        if match:
            self.heading, self.level = match["text"].strip(), len(match["hashes"])
        return Line(number, raw, False, self.heading, self.level, bool(match))

    def _lazy_code(self, number: int, body: str) -> bool:
        """Whether a line indented less than the open fence's list item is still its code."""
        if self.fence is None or number <= self.lazy_until:
            return self.fence is not None
        if _FENCE.match(body):
            return False
        self.lazy_until = self.lazy.closer(number, self.fence, self.container or 0) or 0
        return self.lazy_until > 0

    def _enter(self, body: str) -> None:
        """Close the list items `body` is not indented into; open the one it starts."""
        indent = indent_width(body)
        while self.items and self.items[-1] > indent:
            self.items.pop()
        item = _ITEM.match(body)
        if item is not None:
            self.items.append(len(item.group(0).expandtabs(4)))

    def _open(self, number: int, body: str) -> None:
        self._enter(body)
        self.start = number
        self.container = self.items[-1] if self.items else None

    def _in_block(self, number: int, raw: str, *, closes: bool) -> Line:
        return Line(number, raw, True, self.heading, self.level, False, self.start, closes)


def _item_indent(text: str) -> int | None:
    return indent_width(text) if _ITEM.match(text) else None


def unclosed_block(lines: Sequence[Line]) -> tuple[int, str] | None:
    """(line, message) when a fence or comment is still open at the end of the document,
    naming the task lines it hid; None when every block closes."""
    last = lines[-1] if lines else None
    if last is None or not last.in_fence or last.closes:
        return None
    start = last.block_start
    hidden = [line.number for line in lines if line.block_start == start
              and line.number > start and parse_checkbox(line.text) is not None]
    opener = next(line for line in lines if line.number == start).text.lstrip("\ufeff")
    fence = _FENCE.match(opener)
    what, close = ("code fence", _closing_line(fence["fence"])) \
        if fence is not None and not _COMMENT_OPEN.match(opener) else ("HTML comment", "`-->`")
    shown = (f"; it hides the task lines {', '.join(map(str, hidden))}" if hidden
             else "")
    return start, (f"the {what} opened on line {start} is never closed, so the rest of the "
                   f"file is read as inside it{shown}; close it with {close}")


def _closing_line(fence: str) -> str:
    """What closes `fence`, in words: a fence quoted in backticks renders as a broken span."""
    kind = "backticks" if fence[0] == "`" else "tildes"
    return f"a line of {len(fence)} {kind} and nothing else"


def parse_checkbox(text: str) -> Checkbox | None:
    """Recognise `- [ ] rest`, `* [x] rest`, `+ [-] rest`, `- [~] rest` and `- [ ]* rest`.

    Also what a reader sees as a task on an ordered list (`1. [ ] rest`) or behind stray
    list markers (`- - [ ] 1.1 rest`, read as nested under the marker before it).
    """
    offset = 1 if text.startswith("\ufeff") else 0
    match = CHECKBOX.match(text[offset:])
    if match is None:
        return None
    return Checkbox(
        indent=indent_width(match["indent"]) + len(match["stray"].expandtabs(4)),
        mark=match["mark"],
        optional=match["optional"] is not None,
        rest=match["rest"] or "",
        mark_col=offset + match.start("mark"),
    )


def near_checkbox(text: str, *, example: str = "- [ ] T3 Title") -> str | None:
    """What is wrong with a line that looks like a checkbox but is none, or None. A task
    written so is not a task; its reader says so rather than drop it unnoticed. `example`
    is a task line in the form of the file being read (`- [ ] 3. Title` for Kiro's,
    `- [ ] T003 Title` for Spec Kit's)."""
    text = text.removeprefix("\ufeff")
    if parse_checkbox(text) is not None:
        return None
    match = _NEAR_CHECKBOX.match(text)
    if match is None:
        return None
    shown = text.strip()
    shown = shown if len(shown) <= 40 else shown[:39] + "…"
    return (f"`{shown}` looks like a task's checkbox but is not one (write `{example}`: "
            "a space after the bullet, one of ` `, `x`, `-`, `~` in the box, a space after "
            "it); line ignored")


def mark_column(text: str) -> int | None:
    """0-based column of the mark character of a checkbox line, or None if not one."""
    box = parse_checkbox(text)
    return None if box is None else box.mark_col


def strip_bullet(text: str) -> str:
    """`  - some text` → `some text` (also `* `, `+ `, `1. `, `1) `)."""
    return _BULLET.sub("", text, count=1).strip()


def is_bullet(text: str) -> bool:
    return _BULLET.match(text) is not None


def strip_emphasis(text: str) -> str:
    """Drop bold/italic markers (`**`, `__`) and surrounding whitespace."""
    return re.sub(r"\*\*|__", "", text).strip()


# --- `_Label: value_` lines and requirement references -------------------------------

REQUIREMENT_LABELS = frozenset({
    "requirements", "requirement", "reqs", "req", "related requirements",
    "requisitos", "requisito", "requerimientos", "requerimiento",  # es / pt
    "anforderungen", "anforderung",  # de
    "exigences", "exigence",  # fr
    "requisiti",  # it ("requisito" as in es / pt)
    "vereisten", "vereiste",  # nl
    "wymagania", "wymaganie",  # pl
    "krav",  # sv / no / da
    "vaatimukset",  # fi
    "gereksinimler", "gereksinim",  # tr
    "требования", "требование",  # ru
    "вимоги",  # uk
    "yêu cầu",  # vi
    "persyaratan", "kebutuhan",  # id
    "需求", "要求", "需求对应", "相关需求", "對應需求", "相關需求",  # zh
    "要件", "関連要件", "対応要件",  # ja
    "요구사항", "요구 사항", "관련 요구사항",  # ko
    "متطلبات", "المتطلبات",  # ar
    "आवश्यकताएँ", "आवश्यकताएं",  # hi
})

_FIELD = re.compile(r"^(?P<label>[^:：]{1,40}?)[ \t]*[:：](?P<value>.*)$")
_REF = re.compile(
    r"(?P<a>\d+(?:\.\d+)*)"
    r"(?:\s*(?:-|–|—|~|〜|～|\.\.|\bto\b|\bthrough\b|至|到)\s*[^\d\s,，、;；]{0,12}?\s*"
    r"(?P<b>\d+(?:\.\d+)*))?"
)
_MAX_RANGE = 200


def field_line(text: str) -> tuple[str, str] | None:
    """Read `_Label: value_`, `**Label**: value`, `**Label:** value` or `Label: value`.

    Works on a bullet line too. Returns (label, value) with emphasis markers removed, or
    None if the line is not shaped like a labelled field.
    """
    body = strip_bullet(text) if is_bullet(text) else text.strip()
    body = body.lstrip(_EMPHASIS)
    match = _FIELD.match(body)
    if match is None:
        return None
    label = match["label"].strip(_EMPHASIS)
    if not label or "`" in label:
        return None
    return label, match["value"].strip(_EMPHASIS)


def is_requirement_label(label: str) -> bool:
    return label.strip(_EMPHASIS).casefold() in REQUIREMENT_LABELS


def requirement_refs(text: str) -> tuple[str, ...] | None:
    """The requirement ids a `_Requirements: …_` line names, or None if it is not one.

    `2.1–2.8`, `2.1-2.8` and `2.1 to 2.8` expand to 2.1 … 2.8; `1-3` to 1, 2, 3. A range
    whose ends have different prefixes (`1.1–6.4`) cannot be expanded without the
    requirements document and yields just its two ends. Words such as `All requirements`
    or `无` yield an empty tuple.
    """
    field = field_line(text)
    if field is None or not is_requirement_label(field[0]):
        return None
    return parse_refs(field[1])


def parse_refs(value: str) -> tuple[str, ...]:
    """Every requirement id in a reference list, ranges expanded, unique, in order."""
    found: list[str] = []
    for match in _REF.finditer(value):
        for ref in expand_range(match["a"], match["b"]):
            if ref not in found:
                found.append(ref)
    return tuple(found)


def expand_range(start: str, end: str | None) -> list[str]:
    """`("2.1", "2.4")` → 2.1, 2.2, 2.3, 2.4; unexpandable ranges give their two ends."""
    if end is None:
        return [start]
    head_a, _, last_a = start.rpartition(".")
    head_b, _, last_b = end.rpartition(".")
    if len(last_a) > 6 or len(last_b) > 6:  # not a requirement number; int() could refuse it
        return [start, end]
    first, last = int(last_a), int(last_b)
    if head_a != head_b or not first <= last or last - first > _MAX_RANGE:
        return [start, end]
    prefix = f"{head_a}." if head_a else ""
    return [f"{prefix}{n}" for n in range(first, last + 1)]
