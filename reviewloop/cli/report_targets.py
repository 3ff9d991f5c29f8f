"""Where a report file may be written: never over a file of the repository that is not a
report, and never through a symlink of the repository. `review --output app.py` (or
`--sarif`, `report --output`) put the report where the user's uncommitted code was, exit 0:
the code was gone (fz2 D11); a change under review that commits `reviewloop-report.md` as a
link to `../outside/victim` had the report written there, through the link.

* A symlink on the report's path that lies inside the repository — the file itself or a
  folder on the way — is refused (exit 2), whatever it points at: the repository's content
  (often the change's) chose where it leads, not the user. The fix names the link; a link
  outside the repository (`/tmp` a link on the host) is the user's own and is followed.
* Inside the repository, an existing file is written over only when it is empty or holds a
  report reviewloop wrote, recognised by its own exact shape (`holds_report`): the JSON
  summary's leading `"verdict"` then `"task"` object, SARIF opening with its schema, version
  2.1.0 and the `reviewloop` driver,
  the HTML page's `Written by reviewloop` footer, the Markdown report's heading, verdict and
  facts list, the ruff format's finding lines, count and closing `verdict:` line, GitHub
  commands each naming reviewloop. Any other file there is refused (exit 2), tracked or
  untracked, ignored too: an ignored `.env` or a notes file ending `verdict: yes` is as much
  lost. A new path, or any path outside the repository, is written as before."""

from __future__ import annotations

import os
import re
from pathlib import Path

from reviewloop.errors import UserInputError
from reviewloop.git.names import printable

_READ = 1 << 24  # a report past 16 MB is read as its first 16 MB (its markers lead or end)
_STRING = rb'"(?:[^"\\]|\\.)*"'
_JSON = re.compile(rb'\A\s*\{\s*"verdict"\s*:\s*' + _STRING + rb'\s*,\s*"task"\s*:\s*\{\s*"id"\s*:')
# `reports.sarif.to_sarif`: its document opens with these keys, its one run's driver first
_SARIF = re.compile(rb'\A\s*\{\s*"\$schema"\s*:\s*' + _STRING + rb'\s*,\s*"version"\s*:\s*"2\.1\.0"'
                    rb'\s*,\s*"runs"\s*:\s*\[\s*\{\s*"tool"\s*:\s*\{\s*"driver"\s*:\s*\{\s*'
                    rb'"name"\s*:\s*"reviewloop"')
_HTML = re.compile(rb'<footer>Written by reviewloop [^<]*</footer>')
# `reports.render.to_markdown`: its heading, verdict and first facts, in this order
_MARKDOWN = re.compile(rb"\A## [^\n]*\n\n\*\*Verdict:\*\* [^\n]*\n\n(?:> [^\n]*\n\n)?"
                       rb"- Files: [^\n]*\n- Tests passing: [^\n]*\n")
# `reports.lines.to_ruff`: a line a finding, then the count and the verdict
_RUFF_FINDING = re.compile(rb"[^\n]+:[0-9]+:1: [^ \n]+ [^\n]*")
_RUFF_COUNT = re.compile(rb"Found [0-9]+ findings?(?: \([0-9]+ blocking: [a-z_]+ or worse\))?\."
                         rb"|No open findings\.")
_RUFF_CLEAN = b"All checks passed!\n"
# `reports.lines.to_github`: workflow commands, each of reviewloop's (a title or message)
_GITHUB = re.compile(rb"::(?:error|warning|notice)(?: [^\n]*?)?::[^\n]*")


def refuse_overwrite(flag: str, path: Path, root: Path | None, ext: str = ".md") -> None:
    """Exit 2 naming `flag` and the file when `path` leads through a symlink of the
    repository at `root`, or is an existing file inside it that is neither empty nor a
    report reviewloop wrote."""
    if root is None:
        return
    top = os.path.realpath(root)
    if (link := _link_inside(path, top)) is not None:
        shown = printable(Path(link).relative_to(top).as_posix())
        raise UserInputError(  # the link's target is the repository's text: made printable
            f"{flag} {path} leads through {shown}, a symlink in the repository (to "
            f"{printable(os.readlink(link))}): a report is never written through one; nothing was "
            "written", where=str(path),
            fix=f"give {flag} another path: a new file (e.g. reviewloop-report{ext}) or one "
                f"outside the repository, or remove the link {shown} first if it is not "
                "yours")
    if not os.path.isfile(path):
        return
    real = Path(os.path.realpath(path))
    try:
        shown = real.relative_to(top).as_posix()
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


def _link_inside(path: Path, top: str) -> str | None:
    """The first symlink on `path` (a folder on the way, or the file itself) that lies
    inside the repository whose real root is `top`, as a real path; None when none does."""
    parts = Path(os.path.abspath(path)).parts
    current = parts[0]
    for part in parts[1:]:
        current = os.path.join(current, part)
        if os.path.islink(current):
            here = os.path.join(os.path.realpath(os.path.dirname(current)), part)
            if here.startswith(top + os.sep):
                return here
    return None


def holds_report(data: bytes) -> bool:
    """Whether `data` is a report in one of the built-in formats, by the exact shape each
    writes (see the module): a file that merely ends `verdict: …` or holds a `**Verdict:**`
    line is none."""
    head = data[:4096]
    if _JSON.match(head) or _SARIF.match(head) or _MARKDOWN.match(head):
        return True
    if data.startswith(b"<!DOCTYPE html>") and _HTML.search(data[-4096:]):
        return True
    if data == _RUFF_CLEAN:
        return True
    lines = data.split(b"\n")
    if lines[-1] != b"" or len(lines) < 2:
        return False  # each format ends its last line
    lines = lines[:-1]
    if len(lines) >= 2 and lines[-1].startswith(b"verdict: ") and _RUFF_COUNT.fullmatch(
            lines[-2]):
        return all(_RUFF_FINDING.fullmatch(line) for line in lines[:-2])
    return all(_GITHUB.fullmatch(line) and b"reviewloop" in line for line in lines)
