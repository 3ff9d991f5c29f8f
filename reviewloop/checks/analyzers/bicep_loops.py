"""Bicep resources declared in a loop or under a condition, in the form checkov checks.

checkov's Bicep parser (pycep) gives a resource declared `= [for x in xs: {…}]`, `= if (c)
{…}` or `= [for i in range(0, n): if (c) {…}]` as a wrapper — `{loop_type, condition, config}`
— and its resource checks read the wrapper as the resource's body: no `properties` there, so
CKV_AZURE_3 (`supportsHttpsTrafficOnly: false`) falls back to the API version and passes, as
in plain `checkov -d .`. So a Bicep file holding such a resource is given to checkov as a copy
(`unwrapped`) where the loop's head (`[for x in xs:`), the condition (`if (c)`) and the loop's
closing `]` are blanks: every line is where it is in the file, each resource's body is the
resource to checkov, and a finding is on the file's own lines. A child resource nested in a
body is unwrapped too: pycep cannot parse a looped one at all, and checkov read nothing of
the file. A loop inside a body (a property's `[for …]`) is an expression and stays. A
declaration whose head the copy cannot unwrap (a loop expression holding a bare `?:`) is
named with its line (`unchecked`).
"""

from __future__ import annotations

import re
from pathlib import Path

from reviewloop.checks.analyzers.template_strings import string_end
from reviewloop.git.names import under

KIND = "bicep"
_OPEN, _CLOSE = "([{", ")]}"
# a resource's declaration up to its `=` (in the masked text: strings' insides are `_`)
_DECLARED = re.compile(r"(?m)^[ \t]*resource[ \t]+([A-Za-z_]\w*)[ \t]+'[^'\n]*'"
                       r"(?:[ \t]+existing)?[ \t]*=[ \t]*")
_FOR = re.compile(r"\[\s*for\b")
_IF = re.compile(r"if\s*\(")


def unwrapped(text: str) -> str | None:
    """`text` with each looped or conditional resource's head and loop's closing `]`
    blanked, every line where it was; None when it declares none."""
    masked = _masked(text)
    spans = [span for found in _DECLARED.finditer(masked)
             if (span := _wrapping(masked, found.end())) is not None]
    if not spans:
        return None
    copy = list(text)
    for start, end in (piece for span in spans for piece in span):
        for at in range(start, end):
            if copy[at] not in "\r\n":
                copy[at] = " "
    return "".join(copy)


def unchecked(text: str) -> str | None:
    """The looped or conditional resources whose heads `unwrapped` cannot take apart, with
    their lines, as a reason (None: none)."""
    masked = _masked(text)
    found = [(name, masked.count("\n", 0, declared.start()) + 1)
             for declared in _DECLARED.finditer(masked)
             if _wraps(masked, declared.end()) and _wrapping(masked, declared.end()) is None
             for name in (declared[1],)]
    if not found:
        return None
    where = ", ".join(f"`{name}` (line {line})" for name, line in found[:5])
    return (f"checkov checks a Bicep resource declared in a loop or under a condition as its "
            f"wrapper, not its body, and the review could not unwrap {where}: not checked")


def unwrapped_files(given: dict[str, str], links: dict[str, str], targets: dict[str, str],
                    at: Path, view: Path) -> tuple[dict[str, str], dict[str, str]]:
    """`given` and `links` (the staged run's) with each Bicep file among `targets` that
    `unwrapped` rewrites given as its copy, under its own name in `view`, read as the file."""
    given, links = dict(given), dict(links)
    for index, path in enumerate(p for p, kind in targets.items() if kind == KIND):
        source = under(at, path)
        try:
            copy = unwrapped(source.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            copy = None  # unread as it is: `checkov_reads` tells
        if copy is None:
            continue
        made = view / str(index) / source.name
        made.parent.mkdir(parents=True, exist_ok=True)
        made.write_text(copy, encoding="utf-8")
        given.pop(path, None)
        given[str(made)], links[str(made)] = KIND, str(source)
    return given, links


def _wraps(masked: str, at: int) -> bool:
    """Whether the value declared at `at` is a loop or a condition."""
    return bool(_FOR.match(masked, at) or _IF.match(masked, at))


def _wrapping(masked: str, at: int) -> list[tuple[int, int]] | None:
    """The spans to blank for the value starting at `at`: the loop's head and its closing
    `]`, the condition; none for a plain body (None), and None too for one that does not
    take apart as Bicep's grammar says (`for` … `:` [`if (…)`] `{…}` `]`)."""
    spans: list[tuple[int, int]] = []
    looped = _FOR.match(masked, at)
    if looped:
        colon = _until(masked, looped.end(), ":")
        if colon is None:
            return None
        spans.append((at, colon + 1))
        at = _skip(masked, colon + 1)
    condition = _IF.match(masked, at)
    if condition:
        closed = _until(masked, condition.end(), ")")
        if closed is None:
            return None
        spans.append((at, closed + 1))
        at = _skip(masked, closed + 1)
    if not spans or masked[at:at + 1] != "{":
        return None
    body_end = _until(masked, at + 1, "}")
    if body_end is None:
        return None
    if looped:
        end = _skip(masked, body_end + 1)
        if masked[end:end + 1] != "]":
            return None
        spans.append((end, end + 1))
    return spans


def _until(masked: str, at: int, closing: str) -> int | None:
    """Where `closing` stands at the depth `at` is at (brackets between it balanced)."""
    depth = 0
    for index in range(at, len(masked)):
        char = masked[index]
        if depth == 0 and char == closing:
            return index
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth -= 1
            if depth < 0:
                return None
    return None


def _skip(masked: str, at: int) -> int:
    while at < len(masked) and masked[at].isspace():
        at += 1
    return at


def _masked(text: str) -> str:
    """`text` with comments blanked and strings' insides (interpolations too) as `_`, line
    breaks kept: its brackets and keywords are the code's."""
    out = list(text)
    at, size = 0, len(text)
    while at < size:
        if text.startswith("//", at):
            end = text.find("\n", at)
            end = size if end < 0 else end
            out[at:end] = " " * (end - at)
            at = end
        elif text.startswith("/*", at):
            end = text.find("*/", at + 2)
            end = size if end < 0 else end + 2
            out[at:end] = [c if c in "\r\n" else " " for c in text[at:end]]
            at = end
        elif text.startswith("'''", at):
            end = text.find("'''", at + 3)
            end = size if end < 0 else end
            out[at + 3:end] = [c if c in "\r\n" else "_" for c in text[at + 3:end]]
            at = end + 3
        elif text[at] == "'":
            end = string_end(text, at + 1, "'")
            out[at + 1:end] = [c if c in "\r\n" else "_" for c in text[at + 1:end]]
            at = end + 1
        else:
            at += 1
    return "".join(out)
