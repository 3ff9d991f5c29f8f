"""One run of a tool for several reviewers: the reviewers run in parallel, and each asks for
its own view (its rule category) of the same report. The first to ask runs the tool; the
others wait for that run and read its report, keyed by the tree, the files and their
content, so a file changed by a fix is looked at afresh. A run that failed is an answer too:
the other views get its error, never a run of their own on the same tree."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Generic, TypeVar

from reviewloop.checks.analyzers.base import AnalyzerError
from reviewloop.git.names import under
from reviewloop.memo import TextMemo

T = TypeVar("T")


class SharedRuns(Generic[T]):
    """The reports (or errors) of the last few runs of one tool (shared: never mutate one)."""

    def __init__(self, keep: int = 4):
        self._memo: TextMemo[T | AnalyzerError] = TextMemo(keep=keep, from_chars=0)

    def get(self, root: Path, files: Sequence[str], run: Callable[[], T], *,
            salt: str = "") -> T:
        """`run`'s report for `files` of the tree at `root` as they are now, and what else
        changes it (`salt`: a setting), from the first to ask."""
        key = "\0".join([salt, str(root),
                          *(f"{f}:{_digest(under(root, f))}" for f in sorted(files))])
        outcome = self._memo.get(key, lambda: _outcome(run))
        if isinstance(outcome, AnalyzerError):
            raise AnalyzerError(str(outcome))  # a fresh one per view: they raise side by side
        return outcome


def _outcome(run: Callable[[], T]) -> T | AnalyzerError:
    try:
        return run()
    except AnalyzerError as error:
        return error


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        return "unreadable"
