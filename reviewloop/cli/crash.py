"""The one top-level error handler: known errors exit 1/2 (a full disk, a path it may not
write and a name too long too), bugs exit 3 with a log, Ctrl-C 130."""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from reviewloop import __version__
from reviewloop.checks import interrupts
from reviewloop.errors import (
    ExitCode,
    ReviewloopError,
    disk_full,
    is_disk_full,
    name_too_long,
    not_writable,
    write_refused,
)


def log_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "reviewloop"


def redacted(text: str) -> str:
    """`text` with every secret the scanner knows replaced: an error's text may quote a
    credential (an HTTP client quotes a malformed header), and the log is made to be shared."""
    # Loaded only when something went wrong: the scanner's rule table costs every command
    # a fifth of a second to start.
    from reviewloop.checks.secrets.scanner import redact

    return redact(text)


def write_crash_log(exc: BaseException) -> Path:
    """Write what a bug report needs; fall back to the temp dir when the cache is read-only."""
    text = redacted(
        f"reviewloop {__version__} on Python {platform.python_version()} ({platform.platform()})\n"
        f"argv: {sys.argv!r}\ncwd: {os.getcwd()}\n\n"
        + "".join(traceback.format_exception(exc))
    )
    name = f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    for folder in (log_dir(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / name
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    raise OSError("no writable folder for the crash log")


def guarded(call: Callable[[], int | None], echo_err: Callable[[str], None]) -> int:
    """Run `call` and turn whatever happens into an exit code."""
    interrupts.listen()
    try:
        return int(call() or ExitCode.OK)
    except KeyboardInterrupt as exc:
        stopped = interrupts.what(exc)
        echo_err("interrupted" if stopped == "Ctrl-C" else f"stopped by {stopped}")
        return interrupts.exit_code(exc)
    except ReviewloopError as exc:
        label = "internal error" if exc.exit_code == ExitCode.INTERNAL else "error"
        echo_err(redacted(f"{label}: {exc}"))
        return int(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - the top-level boundary: anything else is a bug
        if is_disk_full(exc):  # not a bug: the user's error, like a read-only store
            full = disk_full(exc)
            echo_err(redacted(f"error: {full}"))
            return int(full.exit_code)
        if (too_long := name_too_long(exc)) is not None:  # a path given: bad input
            echo_err(redacted(f"error: {too_long}"))
            return int(too_long.exit_code)
        if write_refused(exc) is not None:  # a read-only checkout or store: the user's too
            refused = not_writable(exc)
            echo_err(redacted(f"error: {refused}"))
            return int(refused.exit_code)
        path = write_crash_log(exc)
        echo_err(redacted(f"internal error: {type(exc).__name__}: {exc}\n"
                          f"  a log for the bug report was written to {path}"))
        return int(ExitCode.INTERNAL)
