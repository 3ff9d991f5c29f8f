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
from itertools import takewhile

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
    # a deleted task's lines still in the file (its checkbox line alone deleted: its details
    # now sit under the task above) are its own, put back with it, not that task's additions
    left = _left_behind(old_lines, new_lines, before, after, old_blocks, {t.id for t in gone})
    kept = _kept(old_lines, [None if i in left else s for i, s in enumerate(new_lines)],
                 old_blocks, new_blocks)
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
    # a line with no end (the last of the base or of the spec now) that is no longer the last
    # is ended; the file's last line ends as the one it is a copy of did
    out = [line if line.endswith("\n") else line + eol for line in out[:-1]] + out[-1:]
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


def _left_behind(old: list[str], new: list[str], before: Sequence[Task],
                 after: Sequence[Task], old_blocks: dict[str, tuple[int, int, int]],
                 gone: Collection[str]) -> dict[int, int]:
    """The new indexes (with their old ones) of deleted tasks' lines still in the file because
    only their checkbox line was deleted: found by place, never by content alone. Such lines
    end the text above the next task of the file, right where the deleted ones were, in their
    order: the most of them that fit (a task deleted whole leaves none) and that take no line
    the block above them (the run's own task's, say) still needs to match its old lines."""
    starts = {t.id: t.line - 1 for t in reversed(after)}  # the first of a repeated id
    lines = sorted(starts.values())
    order = list(dict.fromkeys(t.id for t in before))
    first_task = min((t.line - 1 for t in before), default=len(old))
    left: dict[int, int] = {}
    for index, task_id in enumerate(order):
        if task_id not in gone or (index and order[index - 1] in gone):
            continue  # each run of deleted tasks once, from its first
        above_id = next((t for t in reversed(order[:index]) if t in starts), None)
        above = -1 if above_id is None else starts[above_id]
        held = old[:first_task] if above_id is None else \
            old[old_blocks[above_id][0] + 1:old_blocks[above_id][1]]
        stop = min((s for s in lines if s > above), default=len(new))
        run = [old_blocks[t][:2] for t in takewhile(lambda t: t in gone, order[index:])]
        left |= _tail(old, new, run, range(above + 1, stop), held)
    return left


def _tail(old: list[str], new: list[str], blocks: list[tuple[int, int]], region: range,
          held: list[str]) -> dict[int, int]:
    """The details of some of `blocks` (old line spans, their checkbox lines first), in their
    order, that end `region` of the new text blank lines aside: of the ways to read it, the
    one that leaves the fewest changes to what the region held (`held`; at a tie, the one
    that explains more lines) and leaves it a line when it held any, as new index → old
    index."""
    kept = [s for s in held if s.strip()]

    def changes(stop: int) -> int:  # lines of `held` gone plus lines added, blanks aside
        now = [s for s in new[region.start:stop] if s.strip()]
        return len(kept) + len(now) - 2 * len(_matched(kept, now))

    def fits(block: tuple[int, int], stop: int) -> int | None:
        while stop > region.start and not new[stop - 1].strip():
            stop -= 1
        details = [_bare(s) for s in old[block[0] + 1:block[1]]]
        at = range(stop - len(details), stop)
        if not details or at.start < region.start or [_bare(new[i]) for i in at] != details:
            return None
        return at.start

    # every way to read the region's end, by where what they take starts
    ways: dict[int, tuple[tuple[int, int, int], ...]] = {region.stop: ()}
    for number in reversed(range(len(blocks))):
        for stop, taken in list(ways.items()):
            start = fits(blocks[number], stop)
            if start is not None and start not in ways:
                ways[start] = ((number, start, stop), *taken)
    if kept:  # a block with lines of its own keeps one: what it held is not all gone
        ways = {start: taken for start, taken in ways.items()
                if any(s.strip() for s in new[region.start:start])}
    chosen = min(ways, key=lambda start: (changes(start), start), default=region.stop)
    left: dict[int, int] = {}
    for number, start, stop in ways.get(chosen, ()):
        first, last = blocks[number][0] + 1, blocks[number][1]
        left |= {start + k: first + k for k in range(last - first)}
        # the blank lines after them go with them: their block's own are put back
        left |= dict.fromkeys(range(start + last - first, stop), last)
    return left


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


def _kept(old: list[str], new: list[str | None], old_blocks: dict[str, tuple[int, int, int]],
          new_blocks: dict[str, tuple[int, int, int]]) -> dict[int, int]:
    """Where each old line unchanged in the new text is there, by index, matched by block: a
    task's lines within its own block (a deleted task's match none, so a line equal to one of
    them elsewhere — an own note — is never taken for it), the rest of the file (headings,
    prose) among the lines outside every block."""
    kept: dict[int, int] = {}
    for task_id, (start, last, end) in old_blocks.items():
        if task_id in new_blocks:  # its lines, then the blank lines after it, in their order
            first, _, now_end = new_blocks[task_id]
            now = [j for j in range(first, now_end) if new[j] is not None]
            lines = now[:max((k for k, j in enumerate(now) if (new[j] or "").strip()),
                             default=-1) + 1]
            blanks = list(takewhile(lambda j: not (new[j] or "").strip(), now[len(lines):]))
            kept |= {start + i: lines[j]
                     for i, j in _matched(old[start:last], [new[j] for j in lines]).items()}
            kept |= dict(zip(range(last, end), blanks, strict=False))
    # then the rest, and a blank line a block's end no longer holds (now after another)
    inside_old = {i for start, _, end in old_blocks.values() for i in range(start, end)
                  if old[i].strip() or i in kept}
    inside_new = {i for start, _, end in new_blocks.values() for i in range(start, end)
                  if (new[i] or "").strip()} | set(kept.values())
    return kept | _matched([None if i in inside_old else s for i, s in enumerate(old)],
                           [None if i in inside_new else s for i, s in enumerate(new)])


def _matched(old: Sequence[str | None], new: Sequence[str | None]) -> dict[int, int]:
    """Where each old line unchanged in the new text is there, by index (a None: nowhere)."""
    matcher = difflib.SequenceMatcher(None, _keys(old), _keys(new), autojunk=False)
    where: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        where |= {block.a + k: block.b + k for k in range(block.size)}
    return where


def _keys(lines: Sequence[str | None]) -> list[object]:
    """The lines to compare: bare, a None unequal to anything."""
    return [object() if s is None else _bare(s) for s in lines]


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
        found.setdefault(at, []).append(_ended(old[index], eol if _bare(old[index]) !=
                                               old[index] else ""))  # the base's last line
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


