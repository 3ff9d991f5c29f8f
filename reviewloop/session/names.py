"""File names as a handoff shows them: one line each, as Markdown code, whatever they hold.

Names come from git as they are (`-z`), so a name may hold a newline, an escape sequence,
backticks or bytes that are not UTF-8 (surrogate-escaped). Shown as-is they would start a
section of their own or colour the terminal; shown as git quotes them they would be another
name. Here each such character is written as an escape (`\\n`, `\\x1b`, `\\xff` for a byte,
`\\u202e`), a backslash as `\\\\`, so the shown text reads back to exactly one name.
"""

from __future__ import annotations

import re
import unicodedata

_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\\": "\\\\"}
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|!~])")


def printable(name: str) -> str:
    """`name` on one line: control and format characters and undecodable bytes escaped."""
    return "".join(_escaped(ch) for ch in name)


def _escaped(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}" if code <= 0xFFFF \
            else f"\\U{code:08x}"
    return ch


def code(name: str) -> str:
    """`name` as a Markdown code span: fenced by more backticks than it holds in a row."""
    text = printable(name)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text[:1] == "`" or text[-1:] == "`" or \
        (text[:1] == text[-1:] == " " and text.strip()) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def text(name: str) -> str:
    """`name` as Markdown text (a folder's heading): escaped, its Markdown characters too."""
    return _MARKDOWN.sub(r"\\\1", printable(name))
