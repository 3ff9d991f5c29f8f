"""A batch tool's failure narrowed to the files it failed on: the others keep their results.

ruff and shellcheck are given many files a run (ruff in `git.argv.batches`: a 5,000-file
change is one run). One file can make the tool itself fail — ruff overflows its stack on
`x = [[[…]]]` nested 6,000 deep and exits -6 with no report — and the run's failure would
take every other file's findings with it. (bandit, in process or its CLI, reports a file it
fails on in its own `errors`, RecursionError included: its batch stands.) A batch whose
tool failed (an exit code it never gives on findings, output that is not its report:
`AnalyzerError.exited`) is split in halves and each half run again, until each file that
fails is alone: that file is named with the tool's message, the others keep their findings.
The work is bounded: at most `runs_for(n)` more runs (a tool that fails on every file, a
broken config, spends them and fails as a whole, as before); a timeout or a tool that
cannot start is never split.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import TypeVar

from reviewloop.checks.analyzers.base import AnalyzerError

T = TypeVar("T")
R = TypeVar("R")

FILES_ISOLATED = 4  # failing files a batch's split can name each, before it gives up


def runs_for(files: int) -> int:
    """The most extra runs splitting a failed batch of `files` may take: enough to bring
    `FILES_ISOLATED` failing files down to one each (two runs a level of halving each)."""
    return 2 * FILES_ISOLATED * max(1, (files - 1).bit_length())


def isolated(run: Callable[[list[T]], R], items: Sequence[T]
             ) -> tuple[list[R], dict[T, AnalyzerError]]:
    """(the results of `run` on parts of `items` that together hold all the items that did
    not fail, {item: the failure of the run that held it alone}); `run` of all of `items`
    first. A failure not `exited`, a single item's, or one no part escapes (every run of the
    split failed, or its runs ran out with none passing) is raised as it was."""
    try:
        return [run(list(items))], {}
    except AnalyzerError as error:
        if not error.exited or len(items) < 2:
            raise
        first = error
    results: list[R] = []
    failed: dict[T, AnalyzerError] = {}
    parts: deque[list[T]] = deque(_halves(list(items)))
    budget = runs_for(len(items))
    while parts:
        part = parts.popleft()
        if budget <= 0:  # what is left is named with the batch's failure
            failed.update(dict.fromkeys(part, first))
            continue
        budget -= 1
        try:
            results.append(run(part))
        except AnalyzerError as error:
            if not error.exited:
                raise
            if len(part) == 1:
                failed[part[0]] = error
            else:
                parts.extend(_halves(part))
    if not results:
        raise first
    return results, failed


def _halves(part: list[T]) -> tuple[list[T], list[T]]:
    middle = len(part) // 2
    return part[:middle], part[middle:]
