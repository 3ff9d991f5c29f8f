"""What the new-code coverage check speaks of in every language: a function's span in the new
file, the finder that yields them, and the lines a test run executed."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol

# repo-relative path → line numbers a test run executed in that file
ExecutedLines = Mapping[str, Collection[int]]


@dataclass(frozen=True)
class FunctionSpan:
    """A function or method in the new file: `start` is its first decorator or `def` line,
    `end` its last line; `body_start..end` are the lines whose execution means it ran."""

    path: str
    name: str
    qualname: str
    start: int
    end: int
    body_start: int
    # (line, UTF-8 byte column) where the function itself starts, for a runner that says
    # per function whether it ran (V8); None: judged by its body lines alone
    at: tuple[int, int] | None = None
    # why a test run cannot tell whether it ran (a one-line lambda's line runs at import):
    # named "not checked", never called untested or tested; None: measured
    not_checked: str | None = None

    @property
    def body(self) -> range:
        return range(self.body_start, self.end + 1)


class FunctionFinder(Protocol):
    """Finds the public functions of one language that a change added or edited."""

    @property
    def language(self) -> str: ...

    @property
    def suffixes(self) -> tuple[str, ...]: ...

    def new_public_functions(self, path: str, new_source: str,
                             changed_lines: Collection[int]) -> list[FunctionSpan]: ...
