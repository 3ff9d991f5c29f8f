"""Whether Ctrl-C reached reviewloop itself, and what a stop does to the commands it waits on.

Every command reviewloop waits on (an analyzer, a gate, the tests, an implementer command)
leads a process group of its own (`sandbox.live`), so Ctrl-C at a terminal reaches
reviewloop alone: its handler kills each such group, and the thread waiting on one raises
the interrupt, never recording the kill as the command's result (`resume` runs it again).
A tool that ends by SIGINT or exits 130 while reviewloop heard Ctrl-C is the interrupt too;
one that does so on its own (a wrapper, `timeout -s INT`, a CI runner with no terminal) is
a tool's failure, never an interrupt: the review goes on and names it.

SIGTERM (`kill`, `timeout`, a CI runner cancelling a job, an editor stopping its MCP server)
and SIGHUP (the terminal closed) unwind reviewloop the way Ctrl-C does: Python's default for
them ends the process at once, leaving the review's exported copies of the change (in
`/dev/shm`, memory) and its other temporary folders behind, and a run marked as running.
The command exits 128 + the signal's number, as a process ended by it reads to a shell.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

from reviewloop.sandbox import live

_HEARD = threading.Event()


# what stops the command as Ctrl-C does, when nothing else handles it
STOPPING = (signal.SIGTERM, signal.SIGHUP)


class _Stopped(KeyboardInterrupt):
    """A stopping signal, raised in the main thread like Ctrl-C's `KeyboardInterrupt`."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def listen() -> None:
    """Note each Ctrl-C before Python's own handler raises `KeyboardInterrupt`, and make the
    stopping signals raise as it does (called by the command in its main thread; a signal
    the process handles or ignores already — `nohup`, an embedding program — is left so)."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _heard)
    for signum in STOPPING:
        if signal.getsignal(signum) is signal.SIG_DFL:
            signal.signal(signum, _stop)


def what(exc: KeyboardInterrupt) -> str:
    """What stopped the command: `Ctrl-C`, `SIGTERM` or `SIGHUP`."""
    return signal.Signals(exc.signum).name if isinstance(exc, _Stopped) else "Ctrl-C"


def exit_code(exc: KeyboardInterrupt) -> int:
    """128 + the signal's number: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP."""
    return 128 + (exc.signum if isinstance(exc, _Stopped) else signal.SIGINT)


def heard(wait: float = 1.0) -> bool:
    """Whether reviewloop heard Ctrl-C, waiting up to `wait` seconds for the main thread's
    handler (the signal reaches the tool and reviewloop at the same moment)."""
    return _HEARD.wait(wait)


def _heard(signum: int, frame: FrameType | None) -> None:
    _HEARD.set()
    live.stop()  # no command reviewloop waits on had the Ctrl-C: each has a group of its own
    signal.default_int_handler(signum, frame)


def _stop(signum: int, frame: FrameType | None) -> None:
    live.stop()
    raise _Stopped(signum)
