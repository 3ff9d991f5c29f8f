"""Kiro's file references in steering (`#[[file:api/openapi.yaml]]`): the referenced file's
text is included where the reference stands, as Kiro includes it, the path read from the
workspace (repository) root.

A reference that cannot be included is refused, never dropped or left as literal text the
agents would not understand: a missing file, one that resolves outside the repository
(`../`, an absolute path, a symlink out), a sensitive file (it may hold secrets; the caller
says which are, `policy.sensitive`), one over `MAX_FILE_BYTES` or not UTF-8 text. The
refusal is the steering file's diagnostic (its line, the fix), which a run or a review
refuses before any work (`steering_set.check_steering`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from reviewloop.git.sizes import MAX_FILE_BYTES
from reviewloop.spec import documents
from reviewloop.spec.steering import SteeringFile, refused

# Kiro's syntax: `#[[file:<path from the workspace root>]]`, ended by the first `]]` on its
# line, so a path may hold a single `]` (`api/a]b.md`)
_REFERENCE = re.compile(r"#\[\[file:([^\n]*?)\]\]")
_OPENED = "#[[file:"
_FIX = ("point the reference at a text file inside the repository, written from its root "
        "(`#[[file:api/openapi.yaml]]`), or remove it")


def include_references(item: SteeringFile, root: Path,
                       sensitive: Callable[[str], bool]) -> SteeringFile:
    """`item` with each `#[[file:…]]` replaced by the file's text; a refused reference gives
    the file a diagnostic instead (the first one)."""
    if item.diagnostic is not None or _OPENED not in item.body:
        return item
    problems: list[tuple[str, str]] = []  # (the reference, why it is refused)
    unclosed = _unclosed(item.body)
    if unclosed is not None:
        problems.append((unclosed, "never closed with `]]` on its line, so Kiro would not "
                                   "include it and the agents would read it as text"))

    def included(match: re.Match[str]) -> str:
        text, problem = _read(match[1].strip(), root, sensitive)
        if problem is not None:
            problems.append((match[0], problem))
            return match[0]
        fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
        return f"{match[0]} ({match[1].strip()}):\n{fence}\n{text.rstrip()}\n{fence}"

    body = _REFERENCE.sub(included, item.body)
    if problems:
        reference, problem = problems[0]
        return refused(item, _line(item.path, reference),
                       f"file reference {reference}: {problem}", fix=_FIX)
    return replace(item, body=body)


def _unclosed(body: str) -> str | None:
    """The first `#[[file:` that no `]]` on its line ends (up to its line's end), if any."""
    spans = [m.span() for m in _REFERENCE.finditer(body)]
    start = body.find(_OPENED)
    while start != -1:
        if not any(a <= start < b for a, b in spans):
            return body[start:].split("\n", 1)[0]
        start = body.find(_OPENED, start + 1)
    return None


def _read(name: str, root: Path, sensitive: Callable[[str], bool]) -> tuple[str, str | None]:
    """(the text, None) or ("", why it cannot be included)."""
    base = root.resolve()
    target = Path(name)
    if not name or target.is_absolute():
        return "", "not a path from the repository's root"
    real = (base / target).resolve()
    if not real.is_relative_to(base):
        return "", f"resolves outside the repository: {real}"
    rel = real.relative_to(base).as_posix()
    if sensitive(rel):
        return "", f"{rel} is a sensitive file (it may hold secrets), never put into a prompt"
    kind = documents.unreadable(real)  # a folder or a FIFO there: named, never opened
    if kind is not None:
        return "", f"{rel} {kind}"
    if not real.is_file():
        return "", f"no such file in the repository: {rel}"
    if real.stat().st_size > MAX_FILE_BYTES:
        return "", f"{rel} is over {MAX_FILE_BYTES:,} bytes"
    try:
        return real.read_bytes().decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return "", f"{rel} is not UTF-8 text"


def _line(path: Path, needle: str) -> int:
    """The 1-based line of `path` holding `needle` (1 when it cannot be read)."""
    try:
        lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
    except OSError:
        return 1
    return next((n for n, line in enumerate(lines, start=1) if needle in line), 1)
