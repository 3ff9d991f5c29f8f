"""A plugin analyzer's calls, each within a deadline: its `claims` (or `claimed`), `reads`,
`wants`, `available`, `run`.

A built-in bounds each of its tool's runs itself (`base.run_tool`); a plugin's own Python code
may loop or wait forever in any of its methods, which would hold the review with it. Each of
its calls runs on a thread of its own, joined for at most the context's `timeout`: past it,
the analyzer failed (`PastDeadline`, an `AnalyzerError`), and the thread, a daemon, is left
to end with the process. What the call raised is raised again as it was, for the caller's
boundary to record.

The limits of a thread: the join needs Python's interpreter lock to return, and code that
holds it without a break (a regular expression that backtracks, a C extension's loop) keeps
the review waiting until it lets go; such a call, once it returns, is still past its
deadline and failed (never `ok` because it ended at last). A process the plugin started is
not the thread's: nothing stops it, and it can outlive reviewloop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from reviewloop.checks.analyzers.base import AnalyzerError
from reviewloop.checks.analyzers.registry import ANALYZERS

T = TypeVar("T")


class PastDeadline(AnalyzerError):
    """A plugin analyzer's call did not return within its deadline, or returned after it:
    the plugin's failure (its row names its package), not its tool's."""


def bounded(name: str, call: str, timeout: float, work: Callable[[], T]) -> T:
    """`work()`, the analyzer `name`'s `call`: a plugin's `within` its deadline, a
    built-in's as it is (a built-in bounds each of its tool's runs itself, `base.run_tool`)."""
    return work() if name in ANALYZERS else within(name, call, timeout, work)


def within(name: str, call: str, timeout: float, work: Callable[[], T], *,
           clock: Callable[[], float] = time.monotonic) -> T:
    """`work()` (the analyzer `name`'s `call`, as its failure names it) if it returns within
    `timeout` seconds by `clock`; PastDeadline if it does not, or returns after that."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller as it was raised
            box["raised"] = exc

    thread = threading.Thread(target=run, name=f"analyzer {name} {call}", daemon=True)
    started = clock()
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise PastDeadline(f"{name}: its {call} did not finish within {timeout:g}s; its "
                            "thread is left running until reviewloop exits (a process it "
                            "started is not stopped)")
    took = clock() - started
    raised = box.get("raised")
    if took > timeout and (raised is None or isinstance(raised, Exception)):
        raise PastDeadline(f"{name}: its {call} took {took:.0f}s, over its deadline of "
                            f"{timeout:g}s (code that holds Python's interpreter lock, such "
                            "as a regular expression that backtracks, cannot be stopped at "
                            "its deadline)")
    if raised is not None:
        raise raised
    value: T = box["value"]
    return value
