"""The processes code starts, as Python's own audit events report them (`subprocess.Popen`):
what a test sees is the command line the operating system was asked to run, whoever in the
package built it and whichever thread started it; and whether a process is still alive."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_watching: list[list[list[str]]] = []
_lock = threading.Lock()


def _heard(event: str, args: tuple[Any, ...]) -> None:
    if event != "subprocess.Popen" or not _watching:
        return
    command = args[1]  # (executable, args, cwd, env); args a string with shell=True
    argv = [os.fsdecode(command)] if isinstance(command, (str, bytes)) else \
        [os.fsdecode(part) for part in command]
    with _lock:
        for seen in _watching:
            seen.append(argv)


sys.addaudithook(_heard)  # an audit hook stays for the process: installed once, on import


@contextmanager
def started() -> Iterator[list[list[str]]]:
    """The argv of every process started inside the block, in order."""
    seen: list[list[str]] = []
    with _lock:
        _watching.append(seen)
    try:
        yield seen
    finally:
        with _lock:
            _watching.remove(seen)


def alive(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie (ended, not yet reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"
