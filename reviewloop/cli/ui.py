"""Terminal rendering with rich: consoles, task tables, diagnostics and progress text. What
draws on the terminal lives in `cli/`: here, the run summary panel in `panel.py`, the live view
in `live.py`."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:  # the live view loads LangChain's callbacks: only on a terminal
    from reviewloop.cli.live import View
    from reviewloop.spec.model import Diagnostic, Spec, Task, TaskStatus  # a spec's commands


def console(stderr: bool = False) -> Console:
    """A console that stays readable when piped (no colour, wide enough). One per stream,
    terminal and the variables rich reads when it starts (colour, size): making one reads
    them all and the terminal again (~0.4 ms), and a review prints a line per step."""
    tty = os.isatty(2 if stderr else 1)
    return _console(stderr, tty, sys.stderr if stderr else sys.stdout,
                    tuple(os.environ.get(name) for name in _CONSOLE_ENV))


# what rich's Console reads from the environment when it is made
_CONSOLE_ENV = ("FORCE_COLOR", "NO_COLOR", "TERM", "COLORTERM", "COLUMNS", "LINES",
                "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS", "JUPYTER_LINES")


@functools.lru_cache(maxsize=8)
def _console(stderr: bool, tty: bool, stream: object, env: tuple[str | None, ...]) -> Console:
    # no emoji codes: what it prints names files and quotes findings (`a:smile:b.py` is a
    # file's name, not `a😄b.py`); the severities' emoji are characters already
    return Console(stderr=stderr, width=None if tty else 120, highlight=False,
                   soft_wrap=False, emoji=False)


def tasks_table(spec: Spec, wave_of: Mapping[str, int]) -> Table:
    done, total = spec.progress()
    kind = spec.format.value + (f", {spec.dialect}" if spec.dialect else "")
    table = Table(title=Text(f"{spec.tasks_file.name} ({kind}) — {done}/{total} done"),
                  title_justify="left", show_lines=False, expand=False)
    columns: tuple[tuple[str, dict[str, Any]], ...] = (
        ("id", {"no_wrap": True}), ("status", {"no_wrap": True}),
                         ("title", {"ratio": 1, "min_width": 30}),
                         ("wave", {"justify": "right"}), ("depends on", {"max_width": 18}),
                         ("requirements", {"max_width": 18}), ("optional", {}))
    for name, kwargs in columns:
        table.add_column(name, **kwargs)
    for task in spec.tasks:
        label, style = _status_style(task.status)
        indent = "  " * _depth(task.id, task.parent, spec)
        wave = wave_of.get(task.id)
        table.add_row(
            Text(indent + task.id), Text(label, style=style), Text(task.title),
            "" if wave is None else str(wave), Text(_short(_explicit_dependencies(task))),
            Text(_short(task.requirements)), "yes" if task.optional else "",
        )
    return table


def _status_style(status: TaskStatus) -> tuple[str, str]:
    from reviewloop.spec.model import TaskStatus  # loaded with a spec: never by a review

    return {
        TaskStatus.DONE: ("done", "green"),
        TaskStatus.IN_PROGRESS: ("in progress", "yellow"),
        TaskStatus.QUEUED: ("queued", "cyan"),
        TaskStatus.OPEN: ("open", "default"),
    }[status]


def diagnostics(items: Iterable[Diagnostic]) -> Text:
    text = Text()
    for item in items:
        text.append(f"{item.file}:{item.line}: ", style="bold")
        text.append(f"{item.message}\n", style="yellow")
    return text


def _explicit_dependencies(task: Task) -> list[str]:
    """A parent's dependency on its own children goes without saying in an indented table."""
    return [d for d in task.depends_on if d not in task.children]


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


# -q / -v: one switch for every progress line and notice; errors print whatever it says.
QUIET, NORMAL, VERBOSE = "quiet", "normal", "verbose"
_verbosity = NORMAL


def set_verbosity(level: str) -> None:
    """Quiet drops progress and notices (and warnings logged by reviewloop); verbose adds
    the reviewloop loggers' debug output on stderr."""
    global _verbosity
    _verbosity = level
    import logging

    log = logging.getLogger("reviewloop")
    if level == VERBOSE and not log.handlers:
        handler = logging.StreamHandler()  # stderr
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
    log.setLevel({QUIET: logging.ERROR, VERBOSE: logging.DEBUG}.get(level, logging.NOTSET))


def quiet() -> bool:
    """`-q`: only errors and the command's own output."""
    return _verbosity == QUIET


_spoken = 0  # progress lines and notices printed so far (the heartbeat counts silence)


def spoke() -> None:
    """Record that a progress line or notice was just printed."""
    global _spoken
    _spoken += 1


def spoken() -> int:
    return _spoken


def notice(text: str) -> None:
    """A sentence the user should read (where a run works, what it carried over), on stderr."""
    if _verbosity == QUIET:
        return
    console(stderr=True).print(f"[bold]•[/] {text}", highlight=False)
    spoke()


def bullet(line: str) -> Text:
    """A progress line: a dim bullet, then `line` as text (rich's `escape` loses a
    backslash before a `[` that opens no tag, and doubles one at the end)."""
    return Text.assemble(("•", "dim"), " ", line)


def progress(node: str, update: Mapping[str, Any]) -> None:
    """One line on stderr as each step of the loop finishes (off a terminal: CI logs, pipes);
    on a terminal the live view (cli/live.py) shows the step instead, as it runs."""
    if _verbosity == QUIET or live_view() is not None:
        return
    # reviewers asked in one call: a line each, as when each had a call of its own
    lines: list[str | None] = [_review_text([r]) for r in (update.get("reviews") or [])
                               if node == "review"] or [_progress_text(node, update)]
    for line in lines:
        if line:
            console(stderr=True).print(bullet(line), highlight=False)
            spoke()


def live_terminal() -> bool:
    """Whether stderr is a terminal that can hold a live view (not a pipe, not TERM=dumb)."""
    return os.isatty(2) and os.environ.get("TERM", "") != "dumb"


def live_view() -> View | None:
    """The live view a command opened on the terminal (cli/live.py), or None."""
    live = sys.modules.get("reviewloop.cli.live")  # loaded only when a command opened a view
    return live.active() if live is not None else None


def progress_text(node: str, update: Mapping[str, Any]) -> str | None:
    """What a finished step says: the plain line, and a live view row's outcome."""
    return _progress_text(node, update)


def _progress_text(node: str, update: Mapping[str, Any]) -> str | None:
    if node == "implement":
        return f"implement: attempt {update.get('attempts', '?')} done"
    if node == "gates":
        report = update.get("gate_report") or {}
        return f"guard-rails: {report.get('headline', '?')}"
    if node == "prepare" and update.get("material_path"):
        from reviewloop.review.material import load_material

        material = load_material(update["material_path"])
        text = f"review round {material.round}: {material.estimate.describe()}"
        if material.skipped:
            text += f"; {len(material.skipped)} file(s) not reviewed (listed at the end)"
        return text + (f"; stopped: {material.stopped}" if material.stopped else "")
    if node == "review":
        return _review_text(update.get("reviews") or [{}])
    if node == "triage":
        return f"triage: {len(update.get('actionable', []))} actionable finding(s)"
    if node == "fix":  # a re-review follows only a fix that neither stopped nor overspent
        if update.get("fix_stopped"):
            return f"fix: stopped ({update['fix_stopped']}); no re-review"
        if update.get("over_budget"):
            return "fix: done; the budget is spent, no re-review"
        return f"fix: done, re-review round {update.get('round', '?')}"
    if node == "commit":
        return f"commit: {(update.get('commit') or '')[:12]} on the run's branch"
    if node == "land":
        return f"land: {(update.get('commit') or '')[:12]}"
    return None


def _review_text(outcomes: Sequence[Mapping[str, Any]]) -> str:
    """`review round N · agent: detail`, the details of reviewers asked in one call after
    one another."""
    said = []
    for outcome in outcomes:
        status = outcome.get("status", "?")
        detail = (f"{len(outcome.get('findings', []))} finding(s)" if status == "ok"
                  else outcome.get("error") or outcome.get("summary") or status)
        said.append(f"{outcome.get('agent')}: {detail}")
    return f"review round {outcomes[0].get('round', '?')} · " + "; ".join(said)
