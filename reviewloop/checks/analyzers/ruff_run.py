"""Starting ruff: its binary, and one check of a list of files, in batches under ARG_MAX."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext, AnalyzerError, parse_json, run_tool
from reviewloop.checks.analyzers.batch_failures import isolated
from reviewloop.git.argv import batches


@cache
def ruff_command() -> tuple[str, ...]:
    """How to start ruff: the binary of the installed ruff package, the one `python -m ruff`
    would exec (the same version; a Python process started only to exec it costs ten times
    ruff's own run on a small change), else `python -m ruff` where the package has no binary
    to give."""
    try:
        from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
        return (os.fsdecode(find_ruff_bin()),)
    except (ImportError, OSError):  # not installed (`available` says so), or no binary
        return (sys.executable, "-m", "ruff")


def check(ctx: AnalyzerContext, selection: list[str], given: list[str],
          failed: Callable[[str, AnalyzerError], None], cwd: Path | None = None) -> Any:
    """ruff's parsed JSON report on the files `given`, with the rules `selection` names, run
    in `cwd` (the root by default); in batches under ARG_MAX (`git.argv`: 7,000 deep names
    do not start ruff), their reports one list (a report that is none: as ruff gave it). A
    file ruff itself fails on (a stack overflow) is told to `failed` with ruff's failure,
    the batch's other files reported still (`batch_failures`)."""
    argv = [*ruff_command(), "check", *selection, "--no-cache", "--ignore-noqa",
            "--exit-zero", "--output-format", "json", "--"]
    runs: list[Any] = []
    for batch in batches(given):
        reports, failures = isolated(
            lambda part: parse_json(run_tool([*argv, *part], cwd or ctx.root, ctx.timeout),
                                    "ruff"), batch)
        runs += reports
        for path, error in failures.items():
            failed(path, error)
    return next((r for r in runs if not isinstance(r, list)), [d for r in runs for d in r])


def failed_on(ctx: AnalyzerContext, files: list[str], given: list[str],
              rules: str) -> Callable[[str, AnalyzerError], None]:
    """`check`'s `failed`: names as not read the one of `files` (as ruff was `given` it) that
    ruff itself failed on, with what of reviewloop's failed (`rules`) and ruff's message."""
    named = dict(zip(given, files, strict=True))
    return lambda path, error: ctx.not_read(named.get(path, path),
                                            f"{rules} failed on it ({error})")
