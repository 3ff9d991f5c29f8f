"""Which markers of a reviewed file the trusted side carries, as their tools read them.

A marker counts only when the trusted side wrote it (`Trust.vouches`), but an unchanged line
is not enough: the change can edit the lines AROUND trusted text so that it reads otherwise.
The base's `x = \"\"\"` / `# noqa` / `\"\"\"` holds the `# noqa` as string text; a change that
deletes the quote lines leaves the marker's line alone and makes it a comment. Deleting a
line inside a spanning `/* global a,` … `*/` pulls the next line into it. So a marker on a
line the change left alone counts only when the base's copy of the file, read the same way
(its comments found by the same lexer), has the very same marker on that line: same text
(a spanning comment's whole text), same reach.

A tool whose config, as the trusted side has it, tells it to read no inline marker
(hadolint's `disable-ignore-pragma: true`: `tool_config.markers_off`) has none here.

A Python file this Python cannot parse has no markers here (`noqa_lines.parses`): its
tokenizer may take a Python 3.12 f-string's text (`f"{"# noqa"}"`) for a comment that ruff
reads as a string. What they would hide is reported (an over-report, never a hole).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from reviewloop.checks.suppressions.files import TrustedFiles, git_lines
from reviewloop.checks.suppressions.markers import file_language, line_markers
from reviewloop.checks.suppressions.noqa_lines import parses
from reviewloop.checks.suppressions.tool_config import markers_off
from reviewloop.git.languages import PYTHON
from reviewloop.policy.markers import Marker

Placed = list[tuple[int, Marker]]  # (line number, marker)


def file_markers(files: TrustedFiles, path: str) -> Placed:
    """The markers of the reviewed file `path` that may be honoured: its own (`line_markers`)
    that the base's copy has on the same line, as the same marker."""
    lines = files.lines(path)
    found = _switched_on(files, _readable(line_markers(lines, path), path, lines))
    trust = files.trust
    if not found or trust.file(path) or trust.base is None:
        return found  # untouched: the base's own; no base known (a `Trust` built by hand)
    read = base_of(files, path)
    if read is None:
        return []
    base_line, base = read
    # the base read as the reviewed file is: by its name (a rename keeps the lexer)
    at_base = set(_readable(line_markers(base, path), path, base))
    return [(number, marker) for number, marker in found
            if (old := base_line(number)) is not None and (old, marker) in at_base]


def base_of(files: TrustedFiles, path: str
            ) -> tuple[Callable[[int], int | None], list[str]] | None:
    """For the touched file `path`: where its unchanged lines were at the base, and the
    base's lines; None when either is not known."""
    trust = files.trust
    base_line = trust.base_lines(path)
    text = files.base_copies.read(trust.base_path(path)) if trust.base else None
    return None if base_line is None or text is None else (base_line, git_lines(text))


def _switched_on(files: TrustedFiles, found: Placed) -> Placed:
    """`found` without the markers of a tool its trusted config tells to read none."""
    off = {owner for owner in {marker.owner for _, marker in found}
           if markers_off(owner, files.trusted_text)}
    return [(number, marker) for number, marker in found if marker.owner not in off] \
        if off else found


def _readable(found: Placed, path: str, lines: Sequence[str]) -> Placed:
    """`found`, or none in a Python file this Python cannot parse."""
    if found and file_language(path, lines) == PYTHON and not parses(lines):
        return []
    return found
