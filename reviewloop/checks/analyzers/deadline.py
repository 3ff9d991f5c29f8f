"""A plugin analyzer's calls, each within a deadline: its `reads`, `wants`, `available`, `run`.

A built-in bounds each of its tool's runs itself (`base.run_tool`); a plugin's own Python code
may loop or wait forever in any of its methods, which would hold the review with it. Each of
its calls runs on a thread of its own, joined for at most the context's `timeout`: past it,
the analyzer failed (`AnalyzerError`), and the thread, a daemon, is left to end with the
process. What the call raised is raised again as it was, for the caller's boundary to record.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from reviewloop.checks.analyzers.base import AnalyzerError

T = TypeVar("T")


def within(name: str, call: str, timeout: float, work: Callable[[], T]) -> T:
    """`work()` (the analyzer `name`'s `call`, as its failure names it) if it returns within
    `timeout` seconds; AnalyzerError if it does not."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller as it was raised
            box["raised"] = exc

    thread = threading.Thread(target=run, name=f"analyzer {name} {call}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise AnalyzerError(f"{name}: its {call} did not finish within {timeout:g}s; it is "
                            "left running until reviewloop exits")
    if "raised" in box:
        raise box["raised"]
    value: T = box["value"]
    return value
