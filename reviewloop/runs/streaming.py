"""What a running graph tells its caller: LangGraph's stream turned into `Listener` calls.

One place for it, used by the loop's runner and by `review`: `tasks` says when a step (a
node, or a reviewer's `Send` branch) starts and ends, `updates` what each finished step
changed, and `custom` what a step reports itself while it works (each gate as it starts and
ends, `gate_events`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

MODES = ("updates", "tasks", "custom")


class Listener(Protocol):
    def started(self, task_id: str, node: str, inputs: dict[str, Any]) -> None:
        """A step started; `inputs` is its state, or a `Send` branch's own input."""

    def ended(self, task_id: str) -> None:
        """The step `task_id` ended (finished, failed, or stopped at a question)."""

    def finished(self, node: str, update: dict[str, Any]) -> None:
        """A step finished with this update."""

    def event(self, data: dict[str, Any]) -> None:
        """Something a step reported while it works (`{"kind": "gate", ...}`)."""


def relay(mode: str, data: Any, listener: Listener | None) -> None:
    """One chunk of `graph.stream(..., stream_mode=[*MODES, ...])` to `listener` (a stream's
    loop uses `relaying`)."""
    if listener is None:
        return
    if mode == "updates":
        for node, update in data.items():
            if not node.startswith("__"):  # __interrupt__, __metadata__ (a replayed step)
                listener.finished(node, update if isinstance(update, dict) else {})
    elif mode == "tasks":
        if "input" in data:
            inputs = data["input"]
            listener.started(data["id"], data["name"], inputs if isinstance(inputs, dict) else {})
        else:
            listener.ended(data["id"])
    elif mode == "custom" and isinstance(data, dict):
        listener.event(data)


@contextmanager
def relaying(listener: Listener | None) -> Iterator[Callable[[str, Any], None]]:
    """`relay` for one stream, which also ends every step it started and never ended, however
    the stream stops (a failure, Ctrl-C, the approval question; a resumed run replays the
    steps it had finished without ending them). Other streams' steps (a batch's other runs
    share the listener) are left alone."""
    open_steps: set[str] = set()

    def one(mode: str, data: Any) -> None:
        if mode == "tasks" and listener is not None:
            (open_steps.add if "input" in data else open_steps.discard)(data["id"])
        relay(mode, data, listener)
    try:
        yield one
    finally:
        if listener is not None:
            for task_id in open_steps:
                listener.ended(task_id)


def step_writer() -> Callable[[dict[str, Any]], None]:
    """The running step's writer to the `custom` stream; a no-op outside a graph run."""
    from langgraph.config import get_stream_writer

    try:
        return get_stream_writer()
    except RuntimeError:  # called outside a runnable context (a unit test, a direct call)
        return lambda data: None
