"""Text that holds the line breaks git does not count (a lone CR, VT, FF, the file/group/
record separators, NEL, U+2028, U+2029) above a line that matters, drawn by hypothesis:
`str.splitlines` and universal-newline reading end a line at each, git only at LF, so a
reader of the former puts every later line one further down than the diff and the findings.
"""

from __future__ import annotations

from hypothesis import strategies as st

# every break str.splitlines knows beyond LF and CRLF
ODD = ["\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
# the ones a YAML reader takes (it refuses VT, FF and the separators as unprintable)
YAML_ODD = ["\r", "\x85", "\u2028", "\u2029"]


def broken_lines(prefix: str, suffix: str = "", breaks: list[str] | None = None,
                 max_size: int = 5) -> st.SearchStrategy[str]:
    """Lines, each `prefix` (a comment's or a string's start) then words with one or more
    odd breaks inside, then `suffix`, each ending at LF: what stands above the line a test
    looks for."""
    piece = st.tuples(st.sampled_from(breaks or ODD), st.sampled_from(["a", "b c", ""]))
    line = st.lists(piece, min_size=1, max_size=3).map(
        lambda parts: prefix + " x" + "".join(brk + word for brk, word in parts) + suffix + "\n")
    return st.lists(line, min_size=1, max_size=max_size).map("".join)


def git_line(text: str, needle: str) -> int:
    """The line (1-based) git numbers `needle`'s first occurrence in `text` on."""
    return text[:text.index(needle)].count("\n") + 1
