"""Terminal rendering with rich. Everything that draws on the terminal lives here."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from reviewloop.spec.model import Diagnostic, Spec, TaskStatus

_STATUS_STYLE = {
    TaskStatus.DONE: ("done", "green"),
    TaskStatus.IN_PROGRESS: ("in progress", "yellow"),
    TaskStatus.QUEUED: ("queued", "cyan"),
    TaskStatus.OPEN: ("open", "default"),
}


def console(stderr: bool = False) -> Console:
    """A console that stays readable when piped (no colour, wide enough)."""
    width = None if os.isatty(2 if stderr else 1) else 120
    return Console(stderr=stderr, width=width, highlight=False, soft_wrap=False)


def tasks_table(spec: Spec, wave_of: Mapping[str, int]) -> Table:
    done, total = spec.progress()
    table = Table(title=f"{spec.tasks_file.name} ({spec.format.value}) — {done}/{total} done",
                  title_justify="left", show_lines=False, expand=False)
    for name, kwargs in (("id", {"no_wrap": True}), ("status", {"no_wrap": True}),
                         ("title", {"ratio": 1}), ("wave", {"justify": "right"}),
                         ("depends on", {}), ("requirements", {}), ("optional", {})):
        table.add_column(name, **kwargs)
    for task in spec.tasks:
        label, style = _STATUS_STYLE[task.status]
        indent = "  " * _depth(task.id, task.parent, spec)
        wave = wave_of.get(task.id)
        table.add_row(
            indent + task.id, Text(label, style=style), task.title,
            "" if wave is None else str(wave), _short(task.depends_on),
            _short(task.requirements), "yes" if task.optional else "",
        )
    return table


def diagnostics(items: Iterable[Diagnostic]) -> Text:
    text = Text()
    for item in items:
        text.append(f"{item.file}:{item.line}: ", style="bold")
        text.append(f"{item.message}\n", style="yellow")
    return text


def _depth(task_id: str, parent: str | None, spec: Spec) -> int:
    depth, seen = 0, {task_id}
    while parent is not None and parent not in seen and depth < 8:
        seen.add(parent)
        depth += 1
        found = spec.task(parent)
        parent = found.parent if found else None
    return depth


def _short(values: Sequence[str], limit: int = 6) -> str:
    if len(values) <= limit:
        return ", ".join(values)
    return ", ".join(values[:limit]) + f" +{len(values) - limit}"
