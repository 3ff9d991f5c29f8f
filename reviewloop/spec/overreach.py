"""An agent's edits of other tasks' lines in the spec, put back: a run lands its own task's
tick and nothing else of the spec's status.

An implementer doing task 1 that also ticks task 5 ("already covered"), unticks a done task,
deletes, rewords, renumbers or adds a task line would have it committed, and `run all` would
then never run task 5. Each other task's checkbox line goes back to how the run found
it (a deleted one where it was, an added one out); every other edit of the file (a note under
its own task, a detail line) stays, and is reviewed as part of the change.
The run's own task and the parents its tick closes (`writeback.closed_by`) are its own.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reviewloop.errors import SpecError
from reviewloop.spec.model import Task, TaskStatus
from reviewloop.spec.writeback import closed_by

_WHAT = {TaskStatus.DONE: "ticked", TaskStatus.OPEN: "unticked",
         TaskStatus.IN_PROGRESS: "marked in progress", TaskStatus.QUEUED: "marked queued"}


@dataclass(frozen=True)
class Restored:
    """The spec with the other tasks' lines put back, and one line per task put back."""

    data: bytes
    tasks: tuple[str, ...]  # "5 Docs: ticked", "3 Api: deleted", …


def restore_others(base: bytes, now: bytes, read: Callable[[str], Sequence[Task]],
                   task_id: str) -> Restored:
    """`now` (the spec as the agent left it) with the line of every task other than `task_id`
    (and the parents its tick closes) as it is in `base`: changed lines put back, deleted ones
    put back where they were, added ones taken out. `read` parses a spec text into its tasks;
    a `now` it cannot read goes back whole."""
    old_text, new_text = (b.decode("utf-8", errors="surrogateescape") for b in (base, now))
    before = read(old_text)
    try:
        after = read(new_text)
    except SpecError:  # the agent left the spec unreadable
        return Restored(base, ("the spec: left unreadable",)) if base != now else Restored(now, ())
    own = closed_by(before, task_id) if any(t.id == task_id for t in before) else {task_id}
    old_lines, new_lines = _lines(old_text), _lines(new_text)
    was = {t.id: t for t in before if t.id not in own}
    kept: dict[int, str | None] = {}  # new line index → its text now (None: taken out)
    said: dict[str, str] = {}
    for task in (t for t in after if t.id not in own):
        first = was.get(task.id)
        if first is None:
            kept[task.line - 1], said[task.id] = None, f"{task.id} {task.title}: added"
        elif _bare(new_lines[task.line - 1]) != _bare(old_lines[first.line - 1]):
            kept[task.line - 1] = _ended(old_lines[first.line - 1], new_lines[task.line - 1])
            said[task.id] = f"{task.id} {first.title}: {_what(first, task)}"
    present = {t.id for t in after}
    gone = [t for t in before if t.id in was and t.id not in present]
    inserted = _inserted(old_lines, new_lines, [t.line - 1 for t in gone])
    said |= {t.id: f"{t.id} {t.title}: deleted" for t in gone}
    if not said:
        return Restored(now, ())
    out = list(inserted.get(-1, []))
    for index, line in enumerate(new_lines):
        text = kept.get(index, line)
        out += [] if text is None else [text]
        out += inserted.get(index, [])
    data = "".join(out).encode("utf-8", errors="surrogateescape")
    return Restored(data, _ordered(said, before, after))


def _ordered(said: dict[str, str], before: Sequence[Task], after: Sequence[Task]
             ) -> tuple[str, ...]:
    """`said`'s lines in file order (the base's, then what was added)."""
    order = list(dict.fromkeys(t.id for t in (*before, *after) if t.id in said))
    return tuple(said[i] for i in order)


def _what(first: Task, then: Task) -> str:
    if then.status is not first.status:
        return _WHAT[then.status]
    return "reworded" if then.title != first.title else "edited"


def _inserted(old: list[str], new: list[str], lines: list[int]) -> dict[int, list[str]]:
    """Old lines (their indexes `lines`) to put back, by the new line they follow (-1: the
    start): after the new copy of the nearest unchanged line above them."""
    matcher = difflib.SequenceMatcher(None, [_bare(s) for s in old], [_bare(s) for s in new],
                                      autojunk=False)
    where: dict[int, int] = {}
    for block in matcher.get_matching_blocks():
        where |= {block.a + k: block.b + k for k in range(block.size)}
    found: dict[int, list[str]] = {}
    for index in sorted(lines):
        above = max((i for i in where if i < index), default=None)
        at = -1 if above is None else where[above]
        found.setdefault(at, []).append(_ended(old[index], "\r\n" if "\r\n" in "".join(old)
                                               else "\n"))
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


