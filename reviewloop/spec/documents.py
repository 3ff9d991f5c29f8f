"""What stands at a Kiro document's path (steering, requirements, design, tasks, memory.md),
told without opening it, and why its bytes are not text a prompt can take.

A committed link into an uninitialised submodule, a folder or a FIFO named `*.md` cannot be
read: each is named (never taken for "no such file"), and a FIFO is never opened (reading
one waits for a writer forever). Text is UTF-8 (a BOM allowed); UTF-16 and other bytes are
refused by name, with the line and the `iconv` that fixes them, never decoded altered.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

ENTRY_FIX = ("make it a regular text file in the repository: restore the link's target "
             "(`git submodule update --init` when it lies in a submodule) or replace the link "
             "by the file itself; a folder or a pipe named *.md belongs elsewhere")


def unreadable(path: Path) -> str | None:
    """Why `path` cannot be read as a document ("is a folder", "is a symbolic link to x,
    which does not exist", …), looked at without opening it; None for a regular file (a
    link to one followed) or when nothing stands there (`os.path.lexists` tells which)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be looked at ({exc.strerror})"
    if not stat.S_ISLNK(info.st_mode):
        kind = _kind(info.st_mode)
        return None if kind is None else f"is {kind}"
    target = _target(path)
    try:
        followed = os.stat(path)
    except FileNotFoundError:
        return f"is a symbolic link to {target}, which does not exist (a dangling link)"
    except OSError as exc:
        return f"is a symbolic link to {target} that cannot be followed ({exc.strerror})"
    kind = _kind(followed.st_mode)
    return None if kind is None else f"is a symbolic link to {target}, which is {kind}"


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device, not a regular file"


def _target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


@dataclass(frozen=True)
class NotText:
    """Bytes that are not UTF-8 text: where (1-based line), what they are, and the fix."""

    line: int
    message: str
    fix: str


def decode(data: bytes) -> str | NotText:
    """`data` as UTF-8 text (a leading BOM dropped), or why it is not."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return not_text(data, exc.start)


def not_text(data: bytes, start: int) -> NotText:
    """The refusal of `data`, which is not UTF-8 from byte `start` on."""
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    what = ("is UTF-16 text (its byte-order mark says so), not UTF-8" if utf16 else
            f"is not UTF-8 text (byte 0x{data[start]:02x} at byte {start + 1})")
    return NotText(1 if utf16 else data.count(b"\n", 0, start) + 1,
                   f"the file {what}: its text would reach prompts altered",
                   "save it as UTF-8 (`iconv -f " + ("utf-16" if utf16 else "latin1")
                   + " -t utf-8`, or your editor's encoding setting)")
