"""Baseline entries that matched nothing: `.reviewloop-baseline.json` lines a review could
have used and did not, named so that a stale baseline is cleaned up rather than kept.

An entry is judged only where the review looked: one naming a `file` the review covered (a
changed file in its scope), or a file the reviewed tree no longer has. Such an entry is stale
when no report of the review matches it (`suppressor.baseline_matches`, whichever suppression won:
an inline marker may have covered the finding first). A review of other files says nothing
of an entry, and an entry with a fingerprint and no `file` cannot be placed: it is judged
only on its `file` when it has one. Naming one never fails the review.

An entry the review could not judge is said to be so, never called stale: one whose file an
analyzer did not analyse (it could not parse it, it was too large, the analyzer failed or is
not installed: the coverage matrix's gaps), or a fingerprint entry (it may be an accepted
model's finding) in a review with no LLM reviewer.

The reports are indexed by file and rule, and by fingerprint: a baseline of 20,000 entries costs one
look-up each, not a pass over every report.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from reviewloop.checks.suppressions.suppressor import BaselineEntry, Suppressor, baseline_matches
from reviewloop.findings.ledger import Ledger
from reviewloop.findings.rounds import Suppressor as Judge
from reviewloop.findings.schema import Finding

MAX_LISTED = 30  # entries printed in a view (terminal, Markdown, HTML); the JSON has them all


@dataclass(frozen=True)
class Judged:
    """The entries a review judged stale, and those it could not judge with why."""

    stale: list[BaselineEntry]
    unjudged: list[tuple[BaselineEntry, str]]


def stale_baseline(suppress: Judge, ledger: Ledger, reviewed: Collection[str],
                   exists: Callable[[str], bool], *, llm: bool = True) -> list[str]:
    """What to say of each stale entry of the baseline `suppress` judged by (none when it
    is no `Suppressor` with a baseline), and of each it could not judge: the reports are
    every entry's of `ledger`, `reviewed` the paths the review covered, `exists(path)`
    whether the tree has one; `llm` whether the LLM reviewers ran."""
    entries = suppress.baseline if isinstance(suppress, Suppressor) else ()
    if not entries:
        return []
    judged = judge(entries, [r for e in ledger.entries for r in e.reports], reviewed, exists,
                   unanalysed=_unanalysed(ledger), llm=llm)
    return [*map(described, judged.stale),
            *(unjudged(entry, why) for entry, why in judged.unjudged)]


def stale(entries: Sequence[BaselineEntry], reports: Sequence[Finding], reviewed: Collection[str],
          exists: Callable[[str], bool]) -> list[BaselineEntry]:
    """The `entries` a review covering `reviewed` could have matched and none of `reports`
    did."""
    return judge(entries, reports, reviewed, exists).stale


def judge(entries: Sequence[BaselineEntry], reports: Sequence[Finding],
          reviewed: Collection[str], exists: Callable[[str], bool], *,
          unanalysed: Mapping[str, str] | None = None, llm: bool = True) -> Judged:
    """`stale`, and the entries of covered files it could not judge: their file is in
    `unanalysed` (why, by path), or they name a fingerprint and `llm` is False."""
    covered = set(reviewed)
    gaps = unanalysed or {}
    by_rule: dict[tuple[str, str], list[Finding]] = {}  # as an entry names a rule: both forms
    fingerprints: set[str] = set()
    for report in reports:
        fingerprints.update(report.fingerprints)
        if report.rule:
            for rule in (report.rule, f"{report.source}/{report.rule}"):
                by_rule.setdefault((report.file, rule), []).append(report)
    found, unknown = [], []
    for entry in entries:
        if entry.file is None or (entry.file not in covered and exists(entry.file)):
            continue
        if entry.fingerprint:
            if entry.fingerprint in fingerprints:
                continue
            if not llm:
                unknown.append((entry, "no LLM reviewer ran, and it may name a model's "
                                       "finding"))
                continue
        elif entry.rule and any(baseline_matches(entry, r)
                                for r in by_rule.get((entry.file, entry.rule), ())):
            continue
        if entry.file in gaps:
            unknown.append((entry, f"{entry.file} was not analysed ({gaps[entry.file]})"))
        else:
            found.append(entry)
    return Judged(found, unknown)


def _unanalysed(ledger: Ledger) -> dict[str, str]:
    """Why each changed file an analyzer did not analyse was not: the coverage matrix's
    gaps, and the files of an analyzer that is not installed."""
    why = {path: "; ".join(reasons) for path, reasons in ledger.unanalysed().items()}
    for h in ledger.health:
        if h.kind == "analyzer" and h.status == "missing":
            for path in h.files:
                why.setdefault(path, f"{h.name} is not installed")
    return why


def described(entry: BaselineEntry) -> str:
    """`<source>: <what it names> matched no finding (…)`, the entry as its file has it."""
    return (f"{_named(entry)} matched no finding (stale: remove the entry, or fix what it "
            "names)")


def unjudged(entry: BaselineEntry, why: str) -> str:
    """`<source>: <what it names> could not be judged (<why>): kept`."""
    return f"{_named(entry)} could not be judged ({why}): not stale, keep it"


def _named(entry: BaselineEntry) -> str:
    what = f"fingerprint {entry.fingerprint[:12]}" if entry.fingerprint else \
        f"rule {entry.rule or '?'}"
    where = f"{entry.file}:{entry.line}" if entry.line is not None else entry.file
    by = f", by {entry.by}" if entry.by else ""
    return f"{entry.source}: {what} in {where}{by}"


def listed(said: Iterable[str]) -> list[str]:
    """What a view prints of the baseline's entries: up to `MAX_LISTED`, then how many
    more (the JSON's `stale_baseline` lists every one)."""
    every = list(said)
    if len(every) <= MAX_LISTED:
        return every
    return [*every[:MAX_LISTED], f"… and {len(every) - MAX_LISTED:,} more baseline entries "
                                 "(--format json lists every one)"]
