"""Write a task's status back into its tasks file, changing nothing but the mark bytes.

Only the character between `[` and `]` on the task's own line is replaced. Files are read
and written as bytes, decoded with `surrogateescape`, so line endings (CRLF stays CRLF), a
byte-order mark, a missing final newline and even invalid UTF-8 come back unchanged.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from pathlib import Path

from reviewloop.errors import SpecError
from reviewloop.spec import markdown as md
from reviewloop.spec.model import Task, TaskStatus

_OPEN_MARKS = {TaskStatus.OPEN: " ", TaskStatus.IN_PROGRESS: "-", TaskStatus.QUEUED: "~"}
_UPPER_DONE = re.compile(r"^[ \t]*[-*+][ \t]+\[X\]", re.MULTILINE)
_LEADING_ID = re.compile(r"^[*_`\[]*(?:task\s+)?T?\d+[a-z]?(?:\.\d+)*(?!\w)", re.IGNORECASE)


def set_mark(text: str, task: Task, status: TaskStatus) -> str:
    """Return `text` with the checkbox on `task.line` set to `status`.

    Raises SpecError naming file:line when that line no longer holds the task's checkbox.
    """
    lines = text.split("\n")
    index = task.line - 1
    line = lines[index] if 0 <= index < len(lines) else ""
    box = md.parse_checkbox(line.rstrip("\r"))
    if box is None or not _names_task(box.rest, task):
        raise SpecError(
            f"line no longer holds the checkbox of task {task.id}",
            where=f"{task.file}:{task.line}",
            fix="the file changed since it was read; run the command again",
        )
    lines[index] = line[:box.mark_col] + mark_for(text, status) + line[box.mark_col + 1:]
    return "\n".join(lines)


def _with_mark(text: str, task: Task, mark: str) -> str:
    """`text` with `mark` in the box of `task`'s line (the line already checked to hold it)."""
    lines = text.split("\n")
    line = lines[task.line - 1]
    box = md.parse_checkbox(line.rstrip("\r"))
    if box is None:
        return text
    lines[task.line - 1] = line[:box.mark_col] + mark + line[box.mark_col + 1:]
    return "\n".join(lines)


def mark_for(text: str, status: TaskStatus) -> str:
    """The mark character for `status`, following the file's `[X]` / `[x]` convention."""
    if status is TaskStatus.DONE:
        return "X" if _UPPER_DONE.search(text) else "x"
    return _OPEN_MARKS[status]


def mark_done(path: Path, tasks: Sequence[Task], task_id: str) -> list[str]:
    """Mark `task_id` done, then close each parent all of whose required children are done,
    as Kiro does: a task a human ticked already still closes the parent it completes.

    Returns the ids whose marks changed (empty when the task and its parents were done).
    """
    statuses = {t.id: t.status for t in tasks}
    task = _require({t.id: t for t in tasks}, task_id)
    open_kids = [t.id for t in tasks if t.parent == task_id and not t.optional
                 and statuses[t.id] is not TaskStatus.DONE]
    if open_kids and statuses[task_id] is not TaskStatus.DONE:
        raise SpecError(  # Kiro never writes it: a parent closes with its last sub-task
            f"task {task_id} has open sub-tasks ({', '.join(open_kids)}): it is not ticked "
            "over them", where=f"{task.file}:{task.line}",
            fix=f"run its sub-tasks (`reviewloop run {open_kids[0]}`); it closes with the last")
    changes = _plan_done(tasks, statuses, task_id)
    return _apply(path, tasks, changes)


def mark_in_progress(path: Path, tasks: Sequence[Task], task_id: str) -> list[str]:
    """Mark `task_id` in progress, and its open ancestors too (as Kiro does)."""
    by_id = {t.id: t for t in tasks}
    changes: dict[str, TaskStatus] = {}
    current = _require(by_id, task_id)
    if current.status is not TaskStatus.DONE:
        changes[current.id] = TaskStatus.IN_PROGRESS
    while current.parent is not None and current.parent in by_id:
        current = by_id[current.parent]
        if current.status in (TaskStatus.OPEN, TaskStatus.QUEUED):
            changes[current.id] = TaskStatus.IN_PROGRESS
    return _apply(path, tasks, changes)


def closed_by(tasks: Sequence[Task], task_id: str) -> set[str]:
    """`task_id` and the parents `mark_done` closes with it: the marks a run of it owns."""
    return {task_id, *_plan_done(tasks, {t.id: t.status for t in tasks}, task_id)}


def _plan_done(tasks: Sequence[Task], statuses: dict[str, TaskStatus],
               task_id: str) -> dict[str, TaskStatus]:
    """The marks `task_id` done changes: its own and its parents', up to the first parent
    a required child of which is still open. A task already done (a human's tick) does not
    stop the walk: the parent it completes closes with the run's tick."""
    by_id = {t.id: t for t in tasks}
    current = _require(by_id, task_id)
    changes: dict[str, TaskStatus] = {}
    seen: set[str] = set()
    while current.id not in seen:
        seen.add(current.id)
        if statuses[current.id] is not TaskStatus.DONE:
            changes[current.id] = statuses[current.id] = TaskStatus.DONE
        if current.optional or current.parent not in by_id:
            break
        parent = by_id[current.parent]
        required = [c for c in by_id.values() if c.parent == parent.id and not c.optional]
        if not all(statuses[c.id] is TaskStatus.DONE for c in required):
            break
        current = parent
    return changes


def done_bytes(data: bytes, tasks: Sequence[Task], task_id: str) -> bytes:
    """`data` (a tasks file's bytes, `tasks` read from it) as `mark_done` would leave it."""
    statuses = {t.id: t.status for t in tasks}
    return _marked(data, tasks, _plan_done(tasks, statuses, task_id))[0]


def done_spellings(data: bytes, tasks: Sequence[Task], task_id: str) -> set[bytes]:
    """Every way a human may tick `task_id` in `data` that is the same tick as landing's:
    its box alone or with the parents `mark_done` closes with it (the chain from the task
    up, cut anywhere above it), each box `[x]` or `[X]`; `done_bytes` among them."""
    chain = list(_plan_done(tasks, {t.id: t.status for t in tasks}, task_id))
    by_id = {t.id: t for t in tasks}
    text = data.decode("utf-8", errors="surrogateescape")
    found = {done_bytes(data, tasks, task_id)}
    for size in range(1, len(chain) + 1):
        for marks in itertools.product("xX", repeat=size):
            edited = text
            for tid, mark in zip(chain[:size], marks, strict=True):
                edited = _with_mark(edited, by_id[tid], mark)
            found.add(edited.encode("utf-8", errors="surrogateescape"))
    return found


def _apply(path: Path, tasks: Sequence[Task], changes: dict[str, TaskStatus]) -> list[str]:
    if not any(t.id in changes and t.status is not changes[t.id] for t in tasks):
        return []
    data, changed = _marked(path.read_bytes(), tasks, changes)
    path.write_bytes(data)
    return changed


def _marked(data: bytes, tasks: Sequence[Task], changes: dict[str, TaskStatus]
            ) -> tuple[bytes, list[str]]:
    by_id = {t.id: t for t in tasks}
    changed = [tid for tid, status in changes.items() if by_id[tid].status is not status]
    text = data.decode("utf-8", errors="surrogateescape")
    for tid in changed:  # all edits happen in memory first: a stale line writes nothing
        text = set_mark(text, by_id[tid], changes[tid])
    return text.encode("utf-8", errors="surrogateescape"), changed


def _require(by_id: dict[str, Task], task_id: str) -> Task:
    try:
        return by_id[task_id]
    except KeyError:
        raise SpecError(f"no task {task_id} in the spec",
                        fix="list the tasks with `reviewloop tasks`") from None


def _names_task(rest: str, task: Task) -> bool:
    """Does a checkbox's text still name `task`: its id as a token, or its title?"""
    # in any case, as the reader reads it (Spec Kit's `t008` is task T008)
    id_token = re.compile(rf"(?<![\w.]){re.escape(task.id)}(?![\w]|\.\d)", re.IGNORECASE)
    if id_token.search(rest[: len(task.id) + 16]):
        return True
    if _LEADING_ID.match(rest):
        return False  # the line names another task
    plain = " ".join(md.strip_emphasis(rest).split())
    return bool(task.title) and plain.startswith(task.title[:40])
