"""Baseline entries that matched nothing: `.reviewloop-baseline.json` lines a review could
have used and did not, named so that a stale baseline is cleaned up rather than kept.

An entry is judged only where the review looked: one naming a `file` the review covered (a
changed file in its scope), or a file the reviewed tree no longer has. Such an entry is stale
when no report of the review matches it (`suppressor.baseline_matches`, whichever suppression won:
an inline marker may have covered the finding first). A review of other files says nothing
of an entry, and an entry with a fingerprint and no `file` cannot be placed: it is judged
only on its `file` when it has one. Naming one never fails the review.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from reviewloop.checks.suppressions.suppressor import BaselineEntry, Suppressor, baseline_matches
from reviewloop.findings.ledger import Ledger
from reviewloop.findings.rounds import Suppressor as Judge
from reviewloop.findings.schema import Finding


def stale_baseline(suppress: Judge, ledger: Ledger, reviewed: Collection[str],
                   exists: Callable[[str], bool]) -> list[str]:
    """What to say of each stale entry of the baseline `suppress` judged by (none when it
    is no `Suppressor` with a baseline): the reports are every entry's of `ledger`,
    `reviewed` the paths the review covered, `exists(path)` whether the tree has one."""
    entries = suppress.baseline if isinstance(suppress, Suppressor) else ()
    return [described(e) for e in stale(entries, [r for e in ledger.entries for r in e.reports],
                                        reviewed, exists)]


def stale(entries: Sequence[BaselineEntry], reports: Sequence[Finding], reviewed: Collection[str],
          exists: Callable[[str], bool]) -> list[BaselineEntry]:
    """The `entries` a review covering `reviewed` could have matched and none of `reports`
    did."""
    covered = set(reviewed)
    return [entry for entry in entries
            if entry.file is not None and (entry.file in covered or not exists(entry.file))
            and not any(baseline_matches(entry, report) for report in reports)]


def described(entry: BaselineEntry) -> str:
    """`<source>: <what it names> matched no finding (…)`, the entry as its file has it."""
    what = f"fingerprint {entry.fingerprint[:12]}" if entry.fingerprint else \
        f"rule {entry.rule or '?'}"
    where = f"{entry.file}:{entry.line}" if entry.line is not None else entry.file
    by = f", by {entry.by}" if entry.by else ""
    return (f"{entry.source}: {what} in {where}{by} matched no finding (stale: remove the "
            "entry, or fix what it names)")
