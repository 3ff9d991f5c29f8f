"""How a reviewloop process collects garbage: set once, at the CLI's edge."""

from __future__ import annotations

import atexit
import gc

# CPython's default (700, 10, 10) ran ~700 young and several full collections in a review of
# 5,000 findings, each full one walking every finding, ledger entry and import-time object
# again: ~0.33 s of the review's 2.1 s of CPU, for almost no garbage (reviewloop's data has
# few reference cycles; they are freed later, not never). A young generation of 200,000
# objects keeps the collector on, and rare: more than an offline review's start-up makes
# (its modules, classes and functions: ~72,000 objects, alive until exit), which a young
# generation of 50,000 walked once at ~14 ms to find ~500 objects of garbage (an offline
# review of flask's sources: twice, 28 ms of its ~0.8 s). One young collection in five is an
# older one (five of 200,000 = twenty of 50,000), the full one as rare as before.
THRESHOLDS = (200_000, 5, 100)


def tune_collector() -> None:
    """Collect garbage less often than CPython's default (see THRESHOLDS), and not at all
    once the process is exiting (`_skip_the_last_collection`)."""
    gc.set_threshold(*THRESHOLDS)
    atexit.unregister(_skip_the_last_collection)  # once, however often main() runs
    atexit.register(_skip_the_last_collection)


def _skip_the_last_collection() -> None:
    """At exit, move every object out of the collector's reach. The interpreter's shutdown
    otherwise runs a full collection over everything the command built: ~0.15 s of the 2.4 s
    of a review of 5,000 findings, to free memory the operating system is about to take
    back. What this gives up is running `__del__` on a reference cycle still alive at exit,
    which CPython never promises: reviewloop closes its files with `with`, `logging`'s exit
    handler flushes its logs and `weakref.finalize` removes its temporary folders, and none
    of them waits for the collector."""
    gc.freeze()
