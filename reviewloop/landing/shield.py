"""Landing's critical section shielded from Ctrl-C and the stopping signals.

Landing moves the user's branch, then its index, then its files: cut between two of those
steps, the checkout holds the new commit with the old tree staged, and a plain `git commit`
would record the revert of the task. So while a landing writes, SIGINT, SIGTERM and SIGHUP
wait: they are blocked in the landing's thread (the git processes it starts inherit the
mask, so Ctrl-C at a terminal, sent to the whole process group, does not kill them
halfway), and in the main thread their handlers only note them. When the section ends the
signal is delivered as it would have been — the command stops right after the landing,
with the checkout whole.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

DEFERRED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

Handler = Callable[[int, FrameType | None], object] | int | signal.Handlers | None


@contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP until the block ends, then deliver each one heard."""
    heard: list[int] = []
    main = threading.current_thread() is threading.main_thread()
    previous: dict[int, Handler] = {}
    if main:  # a handler set outside Python (getsignal: None) cannot be put back: left so
        for signum in DEFERRED:
            if signal.getsignal(signum) is not None:
                previous[signum] = signal.signal(signum, lambda n, _f: heard.append(n))
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, DEFERRED)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # a pending one is noted now
        for held, handler in previous.items():
            signal.signal(held, handler)
        for number in dict.fromkeys(heard):  # once each, as the handlers in place take it
            signal.raise_signal(number)
