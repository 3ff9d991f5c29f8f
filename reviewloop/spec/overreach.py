"""An agent's edits of other tasks in the spec, put back: a run lands its own task's entry
and nothing else of the spec's tasks.

An implementer doing task 1 that also ticks task 5 ("already covered"), unticks a done task,
deletes, rewords, renumbers or adds a task, rewrites another task's details or drops its
`_Depends:` would have it committed, and `run all` would then never run task 5 (or run it
out of order, or with other instructions). Each other task's block — its checkbox line and
the lines beneath it that are its own (indented deeper, blank lines between them) — goes
back byte for byte to how the run found it (a deleted one where it was, an added one out);
every other edit of the file (a note under its own task, the spec's prose) stays, and is
reviewed as part of the change. The run's own task and the parents its tick closes
(`writeback.closed_by`) are its own.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from reviewloop.errors import SpecError
from reviewloop.spec.model import Task, TaskStatus
from reviewloop.spec.writeback import closed_by

_WHAT = {TaskStatus.DONE: "ticked", TaskStatus.OPEN: "unticked",
         TaskStatus.IN_PROGRESS: "marked in progress", TaskStatus.QUEUED: "marked queued"}
_SHOWN = 60  # characters of a changed line quoted in what is said


@dataclass(frozen=True)
class Restored:
    """The spec with the other tasks' blocks put back, and one line per task put back."""

    data: bytes
    tasks: tuple[str, ...]  # "5 Docs: ticked", "3 Api: deleted (its 3 lines put back)", …


def restore_others(base: bytes, now: bytes, read: Callable[[str], Sequence[Task]],
                   task_id: str) -> Restored:
    """`now` (the spec as the agent left it) with the block of every task other than
    `task_id` (and the parents its tick closes) as it is in `base`: changed blocks put back,
    deleted ones put back where they were, added ones taken out. `read` parses a spec text
    into its tasks; a `now` it cannot read goes back whole."""
    old_text, new_text = (b.decode("utf-8", errors="surrogateescape") for b in (base, now))
    before = read(old_text)
    try:
        after = read(new_text)
    except SpecError:  # the agent left the spec unreadable
        return Restored(base, ("the spec: left unreadable",)) if base != now else Restored(now, ())
    own = closed_by(before, task_id) if any(t.id == task_id for t in before) else {task_id}
    old_lines, new_lines = _lines(old_text), _lines(new_text)
    eol = "\r\n" if "\r\n" in new_text else "\n"  # what is put back ends as the spec now does
    old_blocks, new_blocks = _blocks(old_lines, before), _blocks(new_lines, after)
    was = {t.id: t for t in before if t.id not in own}
    present = {t.id for t in after}
    gone = [t for t in before if t.id in was and t.id not in present]
    where = _matched(old_lines, new_lines)
    # a deleted task's lines still in the file (its checkbox line alone deleted: its details
    # now sit under the task above) are its own, put back with it, not that task's additions
    left = {where[i]: i for t in gone for i in range(*old_blocks[t.id][:2]) if i in where
            and old_lines[i].strip()}
    instead: dict[int, list[str]] = {}  # new block start → the lines written there
    skipped: set[int] = set(left)  # new line indexes not written as they are
    said: dict[str, str] = {}
    for task in (t for t in after if t.id not in own and t.id in new_blocks):
        start, end, _ = new_blocks.pop(task.id)
        first = was.get(task.id)
        if first is None:
            skipped |= set(range(start, end))
            said[task.id] = f"{task.id} {task.title}: added"
            continue
        old = old_lines[slice(*old_blocks[first.id][:2])]
        span = [i for i in range(start, end) if i == start or i not in left]
        while not new_lines[span[-1]].strip():  # the blank lines before a deleted task's
            span.pop()
        new = [new_lines[i] for i in span]
        if [_bare(s) for s in old] == [_bare(s) for s in new]:
            continue
        skipped |= set(span)
        instead[start] = [*(_ended(s, eol) for s in old[:-1]), _ended(old[-1], new[-1])]
        said[task.id] = f"{task.id} {first.title}: {_what(first, task, old, new)}"
    # a deleted block follows the whole new block of the task it followed
    owner = {i: t for t, (start, last, _) in old_blocks.items() for i in range(start, last)}
    ends = {t: last - 1 for t, (_, last, _) in _blocks(new_lines, after).items()}
    kept = {i: j for i, j in where.items() if j not in left}
    inserted = _inserted(old_lines, kept,
                         [i for t in gone for i in range(old_blocks[t.id][0],
                                                         old_blocks[t.id][2])],
                         lambda i: ends.get(owner.get(i, "")), eol)
    still = set(left.values())
    said |= {t.id: f"{t.id} {t.title}: {_deleted(old_lines, old_blocks[t.id][:2], still)}"
             for t in gone}
    if not said:
        return Restored(now, ())
    out = list(inserted.get(-1, []))
    for index, line in enumerate(new_lines):
        out += instead.get(index, [])
        out += [] if index in skipped else [line]
        out += inserted.get(index, [])
    data = "".join(out).encode("utf-8", errors="surrogateescape")
    return Restored(data, _ordered(said, before, after))


def _blocks(lines: list[str], tasks: Sequence[Task]) -> dict[str, tuple[int, int, int]]:
    """Each task's block, by id (the first of a repeated id): its checkbox line through the
    last line beneath it indented deeper (blank lines between them included), up to the next
    task's line; then where the blank lines after it end (put back with a deleted block)."""
    starts = {t.line - 1 for t in tasks}
    found: dict[str, tuple[int, int, int]] = {}
    for task in tasks:
        start = task.line - 1
        depth, end, last = _indent(lines[start]), start + 1, start + 1
        while end < len(lines) and end not in starts and (
                not lines[end].strip() or _indent(lines[end]) > depth):
            end += 1
            last = end if lines[end - 1].strip() else last
        found.setdefault(task.id, (start, last, end))
    return found


def _indent(line: str) -> int:
    text = line.expandtabs(4)
    return len(text) - len(text.lstrip())


def _what(first: Task, then: Task, old: list[str], new: list[str]) -> str:
    """What the agent did to a task's block: its checkbox line, then its other lines."""
    said = []
    if _bare(old[0]) != _bare(new[0]):
        said.append(_WHAT[then.status] if then.status is not first.status else
                    "reworded" if then.title != first.title else "edited")
    was, now = [_bare(s).strip() for s in old[1:]], [_bare(s).strip() for s in new[1:]]
    matcher = difflib.SequenceMatcher(None, was, now, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        said += [f"line `{_short(s)}` deleted" for s in was[i1:i2] if s
                 ] if tag in ("delete", "replace") else []
        said += [f"line `{_short(s)}` added" for s in now[j1:j2] if s
                 ] if tag in ("insert", "replace") else []
    return ", ".join(said) or "its blank lines changed"


def _deleted(old: list[str], block: tuple[int, int], left: Collection[int]) -> str:
    """What was deleted of a task's block (the old lines from `block[0]` to `block[1]`;
    those at `left` are still in the file) and put back."""
    start = block[0]
    lines = [i for i in range(*block) if old[i].strip()]
    gone = [i for i in lines if i not in left]
    if len(gone) < len(lines):
        return ("its checkbox line deleted (put back)" if gone == [start] else
                f"deleted (its {len(gone)} lines put back, {len(lines) - len(gone)} were left)")
    return "deleted" if len(lines) == 1 else f"deleted (its {len(lines)} lines put back)"


def _short(text: str) -> str:
    return text if len(text) <= _SHOWN else text[:_SHOWN - 1] + "…"


def _ordered(said: dict[str, str], before: Sequence[Task], after: Sequence[Task]
             ) -> tuple[str, ...]:
    """`said`'s lines in file order (the base's, then what was added)."""
    order = list(dict.fromkeys(t.id for t in (*before, *after) if t.id in said))
    return tuple(said[i] for i in order)


def _matched(old: list[str], new: list[str]) -> dict[int, int]:
    """Where each old line unchanged in the new text is there, by index."""
    matcher = difflib.SequenceMatcher(None, [_bare(s) for s in old], [_bare(s) for s in new],
                                      autojunk=False)
    where: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        where |= {block.a + k: block.b + k for k in range(block.size)}
    return where


def _inserted(old: list[str], where: dict[int, int], lines: list[int],
              follow: Callable[[int], int | None], eol: str) -> dict[int, list[str]]:
    """Old lines (their indexes `lines`, and the blank lines above them deleted with them) to
    put back, by the new line they follow (-1: the start): after the new copy (`where`) of
    the nearest unchanged line above them, or, when that line is a task's own (not blank),
    after `follow`'s line: the last of that task's new block."""
    taken = {i for i in lines if old[i].strip() or i not in where}  # a kept blank stays one
    for index in sorted(lines):  # the blank lines that parted a block from the one above it
        while index > 0 and index - 1 not in taken | where.keys() and not old[index - 1].strip():
            index -= 1
            taken.add(index)
    found: dict[int, list[str]] = {}
    for index in sorted(taken):
        above = max((i for i in where if i < index), default=None)
        at = -1 if above is None else follow(above) or where[above]
        found.setdefault(at, []).append(_ended(old[index], eol))
    return found


def _bare(line: str) -> str:
    return line.rstrip("\r\n")


def _ended(line: str, like: str) -> str:
    """`line` with the line end of `like` (none when `like` has none: the file's last line)."""
    end = like[len(_bare(like)):]
    return _bare(line) + end


def _lines(text: str) -> list[str]:
    """`text`'s lines, their ends kept, split at "\n" only: the lines task numbers count."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


