"""The suppression markers a review knows: every registered analyzer's own syntaxes (each
silencing the findings of the analyzers that declared it), reviewloop's, and those of the
tools it does not run (`policy.markers.FOREIGN`), read where each tool reads them — in files
of its languages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache, partial
from typing import TypeVar

from reviewloop.checks.analyzers.registry import analyzers
from reviewloop.checks.suppressions.comments import reader
from reviewloop.checks.suppressions.script_comments import SPANNED
from reviewloop.git.languages import language
from reviewloop.policy.markers import FOREIGN, REVIEWLOOP, Marker, MarkerSyntax, MarkerTable

T = TypeVar("T")


@cache
def table() -> MarkerTable:
    """reviewloop's syntax first, then each analyzer's in registry order, then the rest."""
    declared: dict[MarkerSyntax, set[str]] = {REVIEWLOOP: set()}
    for name, analyzer in analyzers().items():
        for syntax in analyzer.markers:
            declared.setdefault(syntax, set()).add(name)
    for syntax in FOREIGN:
        declared.setdefault(syntax, set())
    return MarkerTable((syntax, frozenset(names)) for syntax, names in declared.items())


def file_language(path: str, lines: Sequence[str]) -> str | None:
    """The language of a file whose text is `lines`: by its name, or its `#!` line."""
    return language(path, lines[0].encode("utf-8", "replace") if lines else b"")


def markers(line: str, path: str | None = None,
            lines: Sequence[str] = ()) -> list[Marker]:
    """The markers in `line` of the file `path` (whose text is `lines`, for its shebang);
    with no path, every syntax's."""
    if path is None:
        return table().markers(line)
    return table().markers(line, file_language(path, lines or [line]))


def line_markers(lines: Sequence[str], path: str | None = None) -> list[tuple[int, Marker]]:
    """(line number, marker) for each marker in the file `path` whose text is `lines`; in a
    file whose comments are known (`comments.reader`: Python, JS/TS, shell), a marker its
    tool reads in comments only is taken from a comment only."""
    if path is None:
        return table().line_markers(lines)
    language = file_language(path, lines)
    view = reader(language)
    if view is None:
        return table().line_markers(lines, language)
    comments = _once(partial(view, lines))
    return table().line_markers(lines, language, _lines_of(comments),
                                _homes_of(_once(lambda: _homes(comments()))))


def _once(compute: Callable[[], T]) -> Callable[[], T]:
    """`compute()` at the first call, the same object after: a file's comments are read only
    if a marker's word is on one of its lines. Not `functools.cache`, which builds a wrapper
    and copies the function's attributes (`update_wrapper`, an AttributeError each for a
    `partial`): ~20 µs a file, twice, for the 216 files of a review with 1,500 findings."""
    held: list[T] = []

    def get() -> T:
        if not held:
            held.append(compute())
        return held[0]
    return get


def _lines_of(view: Callable[[], Sequence[str]]) -> Callable[[int], str]:
    """A line's comment by its index, from the file's comments read once (`view`)."""
    return lambda index: view()[index]


def _homes_of(homes: Callable[[], dict[int, int]]) -> Callable[[int], int]:
    """The index of the line a `/* */` comment holding a line starts on, or the line's."""
    return lambda index: homes().get(index, index)


def _homes(comments: Sequence[str]) -> dict[int, int]:
    """Each line inside a comment read whole from an earlier line (`script_comments.SPANNED`
    marks its breaks there) → that line's index."""
    return {inner: index for index, text in enumerate(comments) if SPANNED in text
            for inner in range(index + 1, index + 1 + text.count(SPANNED))}
