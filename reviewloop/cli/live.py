"""The live view of a running graph on a terminal: one line per node or reviewer at work.

Each line shows a spinner, the seconds elapsed and the tokens used so far, then its outcome.
Lines that run side by side (the reviewers of a round) stay together until the last one
ends; then they are printed for good and the view holds only what runs next.

How the events arrive (the least invasive way: no graph or node code knows about it):
a LangChain callback handler, registered once through `register_configure_hook` and set
in a context variable for the command's duration, sees every node start and end
(`on_chain_start` with LangGraph's `langgraph_node` metadata; a `Send` branch has its
input, so the reviewer's name) and every model reply (`on_llm_end`, with its usage),
tied to its node by `langgraph_checkpoint_ns`. Off a terminal nothing here runs and
`ui.progress` prints one line per finished step, as before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.tracers.context import register_configure_hook
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.spinner import Spinner
from rich.table import Table
from rich.text import Text

from reviewloop.cli import ui
from reviewloop.cli.progress import gate_text, label
from reviewloop.runs.streaming import plain, step_inputs

_handler: ContextVar[BaseCallbackHandler | None] = ContextVar("reviewloop_live", default=None)
register_configure_hook(_handler, inheritable=True)

_WAITING: dict = {}  # the outputs of a node stopped at `interrupt()`
Describe = Callable[[str, dict], "str | None"]  # (node, update) -> the outcome line


@dataclass
class Row:
    label: str
    started: float = field(default_factory=time.monotonic)
    tokens: int = 0
    ended: float | None = None
    outcome: str | None = None
    failed: bool = False
    details: list[Text] = field(default_factory=list)  # printed under it (each gate's result)
    note: str = ""  # what it is doing now (the gate that runs)

    def elapsed(self) -> float:
        return (self.ended or time.monotonic()) - self.started


class View:
    """The rows at work and their rendering; thread-safe (branches run in a thread pool)."""

    def __init__(self, console: Console, describe: Describe):
        self.console = console
        self.describe = describe
        self.rows: dict[str, Row] = {}  # checkpoint namespace -> row, in start order
        self.lock = threading.RLock()
        self.live: Live | None = None

    # -- events (never call into rich while holding the lock: its refresh thread renders
    # the view under its own lock and then takes ours) -----------------------------------

    def started(self, key: str, label: str) -> None:
        if ui.quiet():  # a subcommand's own -q, parsed after the view was opened
            return
        with self.lock:
            self.rows[key] = Row(label)
            live, start = self.live, self.live is None
            if start:
                live = self.live = self._new_live()
        if start and live is not None:
            live.start()

    def tokens(self, key: str, count: int) -> None:
        with self.lock:
            if key in self.rows:
                self.rows[key].tokens += count

    def gate(self, data: dict) -> None:
        """A gate started or ended: shown on the running guard-rails row."""
        text = gate_text(data) if data.get("status") == "running" else ""
        with self.lock:
            for row in self.rows.values():
                if row.label == "guard-rails" and row.ended is None:
                    row.note = text

    def ended(self, key: str, node: str, update: Any, error: BaseException | None = None) -> None:
        with self.lock:
            row = self.rows.get(key)
            if row is None:
                return
            row.ended = time.monotonic()
            if error is not None:
                row.failed = True
                row.outcome = f"failed: {type(error).__name__}: {error}"[:200]
            else:
                text = self.describe(node, update) if isinstance(update, dict) else None
                row.outcome = "waiting for approval" if update is _WAITING else (
                    _outcome(row.label, text) or "done")
                row.details = gate_lines(update) if node == "gates" else []
            done = self._take_group() if all(
                r.ended is not None for r in self.rows.values()) else []
        self._print(done)

    def stop(self) -> None:
        with self.lock:
            done, live, self.live = self._take_group(), self.live, None
        self._print(done, live)
        if live is not None:
            live.stop()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """The terminal to the caller (a question while other runs still work), then back."""
        with self.lock:
            live, self.live = self.live, None
        if live is not None:
            live.stop()
        try:
            yield
        finally:
            with self.lock:
                restart = self.live is None and bool(self.rows)
                if restart:
                    self.live = self._new_live()
                live = self.live
            if restart and live is not None:
                live.start()

    # -- rendering ------------------------------------------------------------------------

    def _new_live(self) -> Live:
        return Live(self, console=self.console, refresh_per_second=8, transient=True,
                    redirect_stdout=True, redirect_stderr=True)

    def _take_group(self) -> list[Text]:
        lines = [line for row in self.rows.values() for line in (self._line(row), *row.details)]
        self.rows.clear()
        return lines

    def _print(self, lines: list[Text], live: Live | None = None) -> None:
        """The finished group printed for good, above the live area."""
        target = live or self.live
        for line in lines:
            (target.console if target is not None else self.console).print(line)

    def __rich__(self) -> RenderableType:
        with self.lock:
            rows = [(r, self._status(r)) for r in self.rows.values()]
        grid = Table.grid(padding=(0, 1))
        for _ in range(2):
            grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for row, status in rows:
            mark: RenderableType = Spinner("dots", style="cyan") if row.ended is None else \
                Text("✗" if row.failed else "✓", style="red" if row.failed else "green")
            grid.add_row(mark, Text(row.label, style="bold"), status)
        return Group(grid)

    def _status(self, row: Row) -> Text:
        spent = f"{row.elapsed():.0f}s" + (f" · {row.tokens:,} tokens" if row.tokens else "")
        if row.ended is None:
            return Text(f"{spent} · {row.note}" if row.note else f"{spent} …", style="dim")
        return Text(f"{spent} · {row.outcome}")

    def _line(self, row: Row) -> Text:
        mark = Text("✗ " if row.failed else "✓ ", style="red" if row.failed else "green")
        return mark + Text(f"{row.label}: ", style="bold") + self._status(row)


class _Events(BaseCallbackHandler):
    """LangChain callbacks -> view events, for nodes only (not their inner runnables)."""

    run_inline = True  # called in the thread that runs the node

    def __init__(self, view: View):
        self.view = view
        self.nodes: dict[UUID, tuple[str, str]] = {}  # run id -> (namespace, node)
        self.models: dict[UUID, str] = {}  # model run id -> namespace
        self.roots = 0

    def on_chain_start(self, serialized: Any, inputs: Any, *, run_id: UUID,
                       parent_run_id: UUID | None = None, metadata: dict | None = None,
                       **kwargs: Any) -> None:
        if parent_run_id is None:
            self.roots += 1
            return
        meta = metadata or {}
        node, key = meta.get("langgraph_node"), meta.get("langgraph_checkpoint_ns", "")
        if not node or kwargs.get("name") != node or "|" in key:
            return  # a routing function, an inner runnable, or a subgraph
        self.nodes[run_id] = (key, node)
        self.view.started(key, label(node, step_inputs(inputs)))

    def on_chain_end(self, outputs: Any, *, run_id: UUID, parent_run_id: UUID | None = None,
                     **kwargs: Any) -> None:
        self._ended(run_id, parent_run_id, outputs, None)

    def on_chain_error(self, error: BaseException, *, run_id: UUID,
                       parent_run_id: UUID | None = None, **kwargs: Any) -> None:
        if type(error).__name__ == "GraphInterrupt":  # the approval question, not a failure
            self._ended(run_id, parent_run_id, _WAITING, None)
            return
        self._ended(run_id, parent_run_id, {}, error)

    def on_chat_model_start(self, serialized: Any, messages: Any, *, run_id: UUID,
                            metadata: dict | None = None, **kwargs: Any) -> None:
        self.models[run_id] = (metadata or {}).get("langgraph_checkpoint_ns", "")

    def on_llm_end(self, response: Any, *, run_id: UUID, **kwargs: Any) -> None:
        key = self.models.pop(run_id, None)
        if key is not None:
            self.view.tokens(key, _tokens(response))

    def _ended(self, run_id: UUID, parent_run_id: UUID | None, outputs: Any,
               error: BaseException | None) -> None:
        if parent_run_id is None:
            self.roots -= 1
            if self.roots <= 0:
                self.view.stop()  # the graph returned: the command prints on its own again
            return
        found = self.nodes.pop(run_id, None)
        if found is not None:
            self.view.ended(found[0], found[1], plain(outputs), error)


_active: View | None = None


def active() -> View | None:
    """The live view of this command, if one is on the terminal."""
    return _active


@contextmanager
def paused() -> Iterator[None]:
    """Stop drawing while the user is asked something; a no-op without a live view."""
    view = _active
    if view is None:
        yield
        return
    with view.paused():
        yield


@contextmanager
def session(describe: Describe, *, console: Console | None = None) -> Iterator[View | None]:
    """A live view for the command's duration when stderr is a terminal (or on `console`);
    else nothing."""
    global _active
    if console is None and not ui.live_terminal():
        yield None
        return
    view = View(console or Console(stderr=True, highlight=False), describe)
    token = _handler.set(_Events(view))
    _active = view
    try:
        yield view
    finally:
        _active = None
        _handler.reset(token)
        view.stop()


def _outcome(label: str, text: str | None) -> str | None:
    """The progress line without what the row's label already says."""
    if not text:
        return None
    if " · " in text:  # "review round N · agent: detail"
        text = text.split(" · ", 1)[1]
    for prefix in (f"{label}: ", label.split(" (")[0] + ": "):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


def gate_lines(update: Any) -> list[Text]:
    """One indented line per gate of a finished `gates` step: mark, name, seconds, summary."""
    results = ((update or {}).get("gate_report") or {}).get("results") or []
    lines = []
    for result in results:
        mark, style = (("-", "dim") if result.get("skipped") else
                       ("✓", "green") if result.get("passed") else ("✗", "red"))
        lines.append(Text(f"    {mark} ", style=style) + Text(
            f"{result.get('name', '?')}: {float(result.get('duration_s') or 0):.0f}s · "
            f"{result.get('summary', '')}"))
    return lines


def _tokens(response: Any) -> int:
    total = 0
    for generations in getattr(response, "generations", None) or []:
        for generation in generations:
            usage = getattr(getattr(generation, "message", None), "usage_metadata", None)
            if usage:
                total += int(usage.get("total_tokens") or 0)
    return total
