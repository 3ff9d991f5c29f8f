"""Progress of a running graph on stderr, so that nothing is silent for long.

On a terminal the live view (cli/live.py) draws each step as it runs; this module then
only hands it what a step reports while it works (each gate). Off a terminal (CI logs,
pipes, pre-commit) it prints a line as each step starts, its outcome as it ends, each gate
as it starts and ends, and, while steps run without a word, a "still running" line: the
first after 2 s of silence, then after 4, 8, 16 and every 30 s (a CI log stays short).
`REVIEWLOOP_HEARTBEAT_S` changes the first wait (0: no such lines).
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from reviewloop.cli import ui

_MOST_WAIT_S = 30.0
_NAMES = {"gates": "guard-rails", "prepare": "review round", "implement": "implement",
          "triage": "triage", "snapshot": "fix point", "fix": "fix",
          "escalate": "escalation", "present": "summary", "commit": "commit", "land": "land"}


def label(node: str, inputs: dict[str, Any]) -> str:
    """What a step is called on screen: a reviewer's name for its branch (those asked in
    one call, `together`, each named), `review round N`."""
    if node == "review" and inputs.get("review_agent"):
        chunk = inputs.get("review_chunk", 0)
        names = [inputs["review_agent"], *(inputs.get("together") or [])]
        return " + ".join(names) + (f" (part {chunk + 1})" if chunk else "")
    text = _NAMES.get(node, node)
    if node == "prepare" and inputs.get("round"):
        text += f" {inputs['round']}"
    return text


def gate_text(data: dict[str, Any]) -> str:
    """A gate event as words: `test …` while it runs, `test: passed in 4s · summary` after."""
    if data.get("status") == "running":
        return f"{data.get('gate', '?')} …"
    return (f"{data.get('gate', '?')}: {data.get('status', '?')} in "
            f"{float(data.get('duration_s') or 0):.0f}s · {data.get('summary', '')}")


def _first_wait() -> float:
    try:
        wait = float(os.environ.get("REVIEWLOOP_HEARTBEAT_S", "2"))
    except ValueError:
        return 2.0
    return max(wait, 0.0) if math.isfinite(wait) else 2.0


class Steps:
    """The `Listener` the commands give the graph (see reviewloop.runs.streaming).

    `clock` and `background` are for tests: they call `tick()` themselves on a fake clock."""

    reads_lazily = True  # a step's update as `runs.streaming`'s views: read as far as needed

    def __init__(self, clock: Callable[[], float] = time.monotonic, *,
                 background: bool = True) -> None:
        self.clock, self.background = clock, background
        self.running: dict[str, tuple[str, float]] = {}  # task id -> (label, started)
        self.lock = threading.Lock()
        self.beat: threading.Thread | None = None
        self.wait = _first_wait()  # silence before the next "still running" line
        self.heard = (ui.spoken(), clock())  # (lines printed so far, when that was seen)

    # -- Listener --------------------------------------------------------------------------

    def started(self, task_id: str, node: str, inputs: dict[str, Any]) -> None:
        if node.startswith("__") or not self._plain():
            return
        name = label(node, inputs)
        with self.lock:
            self.running[task_id] = (name, self.clock())
        self._say(f"{name} …")
        self._keep_beating()

    def ended(self, task_id: str) -> None:
        with self.lock:
            self.running.pop(task_id, None)

    def finished(self, node: str, update: Mapping[str, Any]) -> None:
        ui.progress(node, update)

    def event(self, data: dict[str, Any]) -> None:
        if data.get("kind") != "gate" or ui.quiet():
            return
        view = ui.live_view()
        if view is not None:
            view.gate(data)
        else:
            self._say(f"guard-rails · {gate_text(data)}")

    # -- off a terminal ------------------------------------------------------------------------

    def tick(self) -> bool:
        """One look at the silence: print a "still running" line when it has lasted `wait`
        seconds (then wait twice as long, up to 30 s; any other line starts the count again).
        False when no step runs."""
        with self.lock:
            running = list(self.running.values())
        if not running:
            return False
        now, spoken = self.clock(), ui.spoken()
        if spoken != self.heard[0]:  # someone spoke: count afresh
            self.wait, self.heard = _first_wait(), (spoken, now)
        elif now - self.heard[1] >= self.wait:
            self._say("still running: " + ", ".join(
                f"{name} {now - since:.0f}s" for name, since in running))
            self.wait, self.heard = min(self.wait * 2, _MOST_WAIT_S), (ui.spoken(), now)
        return True

    def _plain(self) -> bool:
        return not ui.quiet() and ui.live_view() is None

    def _say(self, text: str) -> None:
        ui.console(stderr=True).print(ui.bullet(text), highlight=False)
        ui.spoke()

    def _keep_beating(self) -> None:
        if not self.background or _first_wait() == 0:
            return
        with self.lock:
            if self.beat is not None:
                return
            self.beat = threading.Thread(target=self._beat, daemon=True,
                                         name="reviewloop-heartbeat")
        self.beat.start()

    def _beat(self) -> None:
        """Ticks while steps run; ends with the last one (the next start begins another)."""
        while True:
            time.sleep(min(0.25, _first_wait()))
            with self.lock:
                if not self.running:
                    self.beat = None  # under the lock: a start now begins a new beat
                    return
            self.tick()


STEPS = Steps()  # one per process: the heartbeat thread is shared by every run in it
