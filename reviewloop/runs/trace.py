"""A run's timeline as it happens: each step, gate and fix group, with the wall-clock time.

`TraceRecorder` is a `Listener` (`runs.streaming`) that appends one JSON line per event to
`<run folder>/trace.jsonl`: a step started or ended (a node, or one reviewer's branch), what a
finished step reported of its model usage and reviewer outcomes, and what a step said while
it worked (each gate as it starts and ends, each fix group as it ends). Nothing here judges
anything; `reports.timeline` reads the lines back into bars. A resumed run appends to the same
file, so the wait for approval shows as a gap. A trace that cannot be written (a full disk)
stops being written: the run itself goes on, and the report says its timeline is partial.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from reviewloop.checks.gates.base import GateResult, gate_event

TRACE = "trace.jsonl"
Clock = Callable[[], float]


class TraceRecorder:
    """Appends the run's events to `folder/trace.jsonl` (see the module docstring)."""

    reads_lazily = True  # a step's update as `runs.streaming`'s views: read as far as needed

    def __init__(self, folder: Path, clock: Clock = time.time) -> None:
        self.path = folder / TRACE
        self.clock = clock
        self.broken = False

    # -- Listener ------------------------------------------------------------------------

    def started(self, task_id: str, node: str, inputs: dict[str, Any]) -> None:
        if node.startswith("__"):
            return
        step: dict[str, Any] = {"ev": "start", "id": task_id, "node": node}
        for key, name in (("round", "round"), ("review_agent", "agent"),
                          ("review_chunk", "chunk")):
            value = inputs.get(key)
            if isinstance(value, int | str) and not isinstance(value, bool):
                step[name] = value
        together = inputs.get("together")  # the reviewers asked in the same call
        if isinstance(together, list) and together and all(isinstance(n, str) for n in together):
            step["together"] = together
        self._write(step)

    def ended(self, task_id: str) -> None:
        self._write({"ev": "end", "id": task_id})

    def finished(self, node: str, update: Mapping[str, Any]) -> None:
        done: dict[str, Any] = {"ev": "done", "node": node}
        usage = [u for u in update.get("usage") or [] if isinstance(u, Mapping)]
        if usage:
            done["usage"] = usage
        reviews = [_review(r) for r in update.get("reviews") or [] if isinstance(r, Mapping)]
        if reviews:
            done["reviews"] = reviews
        self._write(done)

    def event(self, data: dict[str, Any]) -> None:
        if data.get("kind") in ("gate", "fix_group"):
            self._write({"ev": data["kind"], **{k: v for k, v in data.items() if k != "kind"}})

    # -- for what runs outside the graph (a review's own gates) ---------------------------

    def gate(self, name: str, result: GateResult | None) -> None:
        self.event(gate_event(name, result))

    def _write(self, data: dict[str, Any]) -> None:
        if self.broken:
            return
        line = json.dumps({"t": round(self.clock(), 3), **data}, ensure_ascii=False,
                          default=_jsonable)
        try:
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        except OSError:
            self.broken = True  # the run goes on; its report says the timeline is partial


def _review(outcome: Mapping[str, Any]) -> dict[str, Any]:
    """What the timeline shows of a reviewer's outcome (its findings counted, not copied)."""
    return {"agent": outcome.get("agent"), "round": outcome.get("round"),
            "status": outcome.get("status"), "findings": len(outcome.get("findings") or []),
            "error": outcome.get("error")}


def _jsonable(value: object) -> object:
    """A value `json` cannot write: a sequence (a list of models read item by item,
    `streaming.PlainItems`, in a usage record's field) as its list, anything else as text."""
    return list(value) if isinstance(value, Sequence) and not isinstance(
        value, bytes | bytearray) else str(value)


def read_trace(folder: Path) -> str:
    """The trace's text ("" when the run recorded none: a run of an older version)."""
    try:
        return (folder / TRACE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
