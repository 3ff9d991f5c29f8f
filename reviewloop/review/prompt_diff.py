"""The diff as a reviewer reads it: git's unified diff without the lines that only repeat
what another line says or that nothing in a review can use.

Every reviewer reads the diff, so each line of it is paid for in the shared prefix (about
1.55x: written once, read by the others). Left out of a file's header: `index` lines (blob
ids), the `diff --git a/… b/…` line when a `+++` line names the file, `new file mode
100644` / `deleted file mode 100644` (the `/dev/null` side says the same), and the `---`
line when it names the same file as `+++` or is `/dev/null` (a new file: its hunk starts at
`-0,0`). Kept: every added and removed line, renames, mode changes, binary notes, a deleted
file's `--- a/…` / `+++ /dev/null`.

Unchanged lines: `CONTEXT` of them on each side of a run of changes (git's default is 3);
a hunk whose changes are further apart is cut in two, each part with its own `@@` header
(the line numbers recomputed, so the new file's line numbers stay exact; git's function
name kept on the first part). A reviewer reads more around a change with its read-only
tools when it needs to.

A file the change writes whole (a new file: its one hunk starts at `-0,0`) is shown once
under its `+++` line, marked `(all added, lines 1-N)`, without a `+` on each line and
without its `@@ -0,0 +1,N @@` line: each of its lines is line i of the new file, in order
(`ALL_ADDED`; the reviewers' rules say so). Its text is no longer marked line by line, so
the diff goes between fences longer than any run of backticks in it (`fenced`). A file with
a line a reader could take for the diff's own (starting `+`, `-`, `\\`, `@@`, `diff `,
`index `, a header word: a patch, a YAML or Markdown list) keeps its `+`s.
"""

from __future__ import annotations

import re

from reviewloop.memo import TextMemo, compiled_on_first_use

CONTEXT = 1  # unchanged lines kept on each side of a change
ALL_ADDED = " (all added, lines 1-{count})"  # after a whole new file's `+++` line

_IMPLIED = ("new file mode 100644\n", "deleted file mode 100644\n")
# a line of a file shown whole that a reader could take for the diff's own (a removed or added
# line, a hunk, a file's header, git's `\ No newline` marker): the file keeps its `+`s
_looks_like_diff = compiled_on_first_use(
    r"[-+\\]|@@|diff |index |Binary files |(?:new|deleted) file mode"
    r"|(?:old|new) mode|(?:rename|copy) (?:from|to) |(?:dis)?similarity")
_hunk = compiled_on_first_use(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)", re.DOTALL)


def shown(diff_text: str) -> str:
    # every reviewer of a chunk builds its prompt from the same diff: cut once per chunk
    return _SHOWN.get(diff_text, lambda: _shown(diff_text))


def shown_fenced(diff_text: str) -> str:
    """`fenced(shown(diff_text))`, as every prompt of a chunk shows its diff: the round's
    estimate, its redaction and each reviewer's call ask for the same text, made once."""
    return _FENCED.get(diff_text, lambda: fenced(_shown(diff_text)))  # one copy kept


_SHOWN: TextMemo[str] = TextMemo(keep=16)  # a round's chunks
_FENCED: TextMemo[str] = TextMemo(keep=16)
_ticks = compiled_on_first_use(r"`{3,}")


def fenced(text: str, info: str = "diff") -> str:
    """`text` between code fences no line of it can close: a new file's lines are shown
    without a `+` before them, and one of them may be a fence of its own."""
    longest = max((len(run) for run in _ticks().findall(text)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}{info}\n{text}{fence}"


def _shown(diff_text: str) -> str:
    out: list[str] = []
    header: list[str] | None = None  # the current file's header, until `+++` or a hunk
    hunk: list[str] = []  # the current hunk, its `@@` line first
    left = (0, 0)  # the current hunk's old and new lines still to come
    plus = -1  # where in `out` the last `+++` header line is
    first = False  # the current hunk follows its file's `+++` line
    for line in _lines(diff_text):
        if hunk and (max(left) > 0 or line.startswith("\\")) and not line.startswith(
                "diff --git "):  # a hunk shorter than its header says ends at the next file
            hunk.append(line)
            left = _after(left, line)
            continue
        if hunk:
            out += (_whole(out, hunk) if first else []) or _trimmed(hunk)
            hunk = []
        if line.startswith("@@") and (head := _hunk().match(line)):
            out += header or []  # a header with no `+++` line: kept whole
            header = None
            hunk = [line]
            first = plus == len(out) - 1
            left = (_count(head[2]), _count(head[4]))
        elif line.startswith("diff --git "):
            out += header or []
            header = [line]
        elif line.startswith("@@"):
            out += [*(header or []), line]
            header = None
        elif header is None and not line.startswith("--- "):
            out.append(line)
        elif header is None:  # a plain diff's file: no `diff --git` line before it
            header = [line]
        elif line.startswith("+++ "):
            out += [h for h in header if not h.startswith("diff --git ")
                    and h not in _IMPLIED and not _repeats(h, line)]
            out.append(line)
            plus = len(out) - 1
            header = None
        elif not (line.startswith("index ") and ".." in line[:60]):
            header.append(line)
    if hunk:
        out += (_whole(out, hunk) if first else []) or _trimmed(hunk)
    return "".join(out + (header or []))


def _whole(out: list[str], hunk: list[str]) -> list[str]:
    """A file written whole, its hunk right after its `+++` line (the last of `out`): that
    line marked `ALL_ADDED` and its lines without their `+`; [] for any other hunk."""
    head = _hunk().match(hunk[0])
    if head is None or head[1] != "0" or head[2] != "0" or not out[-1].endswith("\n"):
        return []
    body = hunk[1:]
    if not all(line[:1] in ("+", "\\") for line in body) \
            or any(line[:1] == "+" and _looks_like_diff().match(line, 1) for line in body):
        return []
    count = sum(1 for line in body if line[:1] == "+")
    if count != _count(head[4]):
        return []
    out[-1] = out[-1][:-1] + ALL_ADDED.format(count=count) + "\n"
    return [line[1:] if line[:1] == "+" else line for line in body]


def _lines(text: str) -> list[str]:
    """The diff's lines, cut at `\n` only: a form feed or U+2028 inside a line of code is
    part of it (`str.splitlines` would cut there and throw the hunk's counts off)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _count(text: str | None) -> int:
    return 1 if text is None else int(text)


def _after(left: tuple[int, int], line: str) -> tuple[int, int]:
    """The hunk's lines still to come after `line` (old, new)."""
    kind = line[:1]
    if kind == "-":
        return (left[0] - 1, left[1])
    if kind == "+":
        return (left[0], left[1] - 1)
    if kind == "\\":
        return left
    return (left[0] - 1, left[1] - 1)  # unchanged (some tools drop a blank one's space)


def _repeats(line: str, plus: str) -> bool:
    """A `---` line that says nothing the `+++` line after it does not: the same file, or
    `/dev/null` before a new file."""
    if not line.startswith("--- "):
        return False
    old = line[4:].rstrip("\n")
    new = plus[4:].rstrip("\n")
    return old == "/dev/null" != new or (old[2:] == new[2:] and old[:2] == "a/"
                                         and new[:2] == "b/")


def _trimmed(hunk: list[str]) -> list[str]:
    """The hunk with at most `CONTEXT` unchanged lines on each side of a change, cut in
    parts where changes are further apart; as it is when its header does not parse."""
    head = _hunk().match(hunk[0])
    body = hunk[1:]
    changed = [i for i, line in enumerate(body) if line[:1] in ("+", "-")]
    if head is None or not changed:
        return hunk
    keep = [False] * len(body)
    for i in changed:
        for j in range(max(0, i - CONTEXT), min(len(body), i + CONTEXT + 1)):
            keep[j] = True
    for i, line in enumerate(body):  # "\ No newline at end of file" stays with its line
        if line.startswith("\\") and i and keep[i - 1]:
            keep[i] = True
    if all(keep):
        return hunk
    # the line before each side's first: git names that line itself for an empty side
    old = int(head[1]) - (head[2] != "0")
    new = int(head[3]) - (head[4] != "0")
    out: list[str] = []
    part: list[str] = []
    start = (old, new)
    section = head[5]
    for i, line in enumerate(body):
        if keep[i] and not part:
            start = (old, new)
        if keep[i]:
            part.append(line)
        elif part:
            out += _part(start, part, section)
            part, section = [], "\n"
        kind = line[:1]
        old += kind in (" ", "\n", "-")
        new += kind in (" ", "\n", "+")
    if part:
        out += _part(start, part, section)
    return out


def _part(start: tuple[int, int], lines: list[str], section: str) -> list[str]:
    olds = sum(1 for line in lines if line[:1] in (" ", "\n", "-"))
    news = sum(1 for line in lines if line[:1] in (" ", "\n", "+"))
    return [f"@@ -{_range(start[0], olds)} +{_range(start[1], news)} @@{section}", *lines]


def _range(start: int, count: int) -> str:
    if count == 0:
        return f"{start},0"  # git: the line before an empty side
    return str(start + 1) if count == 1 else f"{start + 1},{count}"
