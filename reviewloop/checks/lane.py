"""One lane for the analyzers' own CPU-bound work in reviewloop's process: bandit run through
its API (`analyzers.bandit_api`) and the secrets scan (`secrets.analyzer`) take it in turn.

CPython runs one thread's Python at a time, so two such analyzers side by side end no sooner
than one after the other; interleaved, each hand-over of the interpreter lock between them
(at its switch interval, and at every call that lets it go: bandit's file reads, the secrets
filter's Aho-Corasick search) moves the work to a core whose caches hold the other's. A
5,000-file review spent ~0.1 s more CPU with them interleaved (`benchmarks/wide_changes.py`).
What waits on a process or the network (ruff, checkov, a model's call) and the review's own
steps run beside the lane as before.

Only leaf work takes it: work that, holding it, waits on no other thread that might be
waiting for it (a step that waits for the analyzers' results never takes it).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LANE = threading.RLock()  # re-entered by a scan that runs inside another's turn


@contextmanager
def cpu_lane() -> Iterator[None]:
    """Inside, this thread's turn in the lane: the other analyzers' CPU-bound work waits."""
    with _LANE:
        yield
