"""Where a report file may be written: never over a file of the repository that is not a
report. `review --output app.py` (or `--sarif`, `report --output`) put the report where
the user's uncommitted code was, exit 0: the code was gone (fz2 D11).

Inside the repository under review, an existing file is written over only when it is empty
or already holds a report reviewloop writes (its own output of an earlier run, read by its
content: a Markdown report's `**Verdict:**`, the JSON summary's leading `"verdict"`, SARIF
from the `reviewloop` driver, the HTML page's footer, the ruff format's closing `verdict:`
line, GitHub commands naming reviewloop). Any other file there is refused (exit 2), tracked
or untracked, ignored too: an ignored `.env` or local setting is as much lost. A new path,
or any path outside the repository, is written as before."""

from __future__ import annotations

import os
import re
from pathlib import Path

from reviewloop.errors import UserInputError

_READ = 1 << 24  # a report past 16 MB is read as its first 16 MB (its markers lead or end)
_JSON = re.compile(rb'\A\s*\{\s*"verdict"\s*:')
_SARIF = re.compile(rb'"driver"\s*:\s*\{\s*"name"\s*:\s*"reviewloop"')


def refuse_overwrite(flag: str, path: Path, root: Path | None, ext: str = ".md") -> None:
    """Exit 2 naming `flag` and the file when `path` is an existing file inside the
    repository at `root` that is neither empty nor a report reviewloop wrote."""
    if root is None or not os.path.isfile(path):
        return
    real = Path(os.path.realpath(path))
    try:
        shown = real.relative_to(os.path.realpath(root)).as_posix()
    except ValueError:
        return  # outside the repository: the user's own choice of place
    try:
        with open(real, "rb") as file:
            data = file.read(_READ)
    except OSError:
        return  # not readable: the write says why, as before
    if not data.strip() or holds_report(data):
        return
    raise UserInputError(
        f"{flag} {path} would overwrite {shown}, a file of the repository that is not a "
        "reviewloop report; nothing was written", where=str(path),
        fix=f"give {flag} another path: a new file (e.g. reviewloop-report{ext}), one "
            f"outside the repository, or remove {shown} first if it is no longer wanted")


def holds_report(data: bytes) -> bool:
    """Whether `data` is a report in one of the built-in formats (see the module)."""
    head = data[:4096]
    if _JSON.match(head) or _SARIF.search(head):
        return True
    if head.startswith(b"## ") and b"\n**Verdict:** " in head:
        return True
    if b"<footer>Written by reviewloop " in data[-4096:]:
        return True
    lines = [line for line in data.splitlines() if line.strip()]
    if lines and lines[-1].startswith(b"verdict: "):
        return True
    return bool(lines) and all(line.startswith(b"::") for line in lines) \
        and b"reviewloop" in data
