"""One lane for reviewloop's own CPU-bound work in its process: bandit run through its API
(`analyzers.bandit_api`), the secrets scan (`secrets.analyzer`) and each reviewer's scoping
of the change (`review.evidence`) take it in turn.

CPython runs one thread's Python at a time, so such work side by side ends no sooner than
one piece after the other; interleaved, each hand-over of the interpreter lock between them
(at its switch interval, and at every call that lets it go: bandit's file reads, a `stat`,
the secrets filter's Aho-Corasick search) moves the work to a core whose caches hold the
other's. A 5,000-file review spent ~0.1 s more CPU with bandit and the secrets scan
interleaved, and 0.06-0.1 s more with the reviewers' scoping beside them (A/B pairs of
`benchmarks/wide_changes.py`'s review). What waits on a process or the network (ruff, checkov, a
model's call) and the review's own steps run beside the lane as before.

A turn taken `first` (a reviewer's scoping, which starts that reviewer's tools) goes before
every other turn asked for meanwhile: the subprocess tools of all reviewers start before
bandit's second of Python holds the lane, and run beside it.

Only leaf work takes it: work that, in its turn, waits on no other thread that might be
waiting for a turn (a step that waits for the analyzers' results never takes one).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_STATE = threading.Condition()
_holder: int | None = None  # the thread whose turn it is
_depth = 0  # how many turns it has entered (its own work may enter again)
_first = 0  # turns asked for, or held, `first`


@contextmanager
def cpu_lane(*, first: bool = False) -> Iterator[None]:
    """Inside, this thread's turn in the lane: the other threads' CPU-bound work waits. A
    thread in its turn enters again at once; one asking `first` goes before those asking
    without it."""
    global _holder, _depth, _first
    me = threading.get_ident()
    with _STATE:
        if first:
            _first += 1
        try:
            while (_holder is not None and _holder != me) or (
                    _holder is None and not first and _first):
                _STATE.wait()
        except BaseException:  # Ctrl-C while waiting: no turn asked for is left behind
            if first:
                _first -= 1
                _STATE.notify_all()
            raise
        _holder, _depth = me, _depth + 1
    try:
        yield
    finally:
        with _STATE:
            _depth -= 1
            if not _depth:
                _holder = None
            if first:
                _first -= 1
            _STATE.notify_all()
