"""Whether Ctrl-C reached reviewloop itself: a tool that ends by SIGINT (or exits 130, as a
shell or npx that traps it does) is the user's interrupt only then.

Ctrl-C at a terminal reaches the whole foreground process group, reviewloop and the tools
it runs alike; a reviewer's thread sees its tool end before the main thread raises
`KeyboardInterrupt`. A tool that exits 130 on its own (a wrapper, `timeout -s INT`, a CI
runner with no terminal) is a tool's failure, never an interrupt: the review goes on and
names it.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

_HEARD = threading.Event()


def listen() -> None:
    """Note each Ctrl-C before Python's own handler raises `KeyboardInterrupt` (called by the
    command in its main thread; a process that set its own handler keeps it)."""
    if threading.current_thread() is threading.main_thread() \
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _heard)


def heard(wait: float = 1.0) -> bool:
    """Whether reviewloop heard Ctrl-C, waiting up to `wait` seconds for the main thread's
    handler (the signal reaches the tool and reviewloop at the same moment)."""
    return _HEARD.wait(wait)


def _heard(signum: int, frame: FrameType | None) -> None:
    _HEARD.set()
    signal.default_int_handler(signum, frame)
