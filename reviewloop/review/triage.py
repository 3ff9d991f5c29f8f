"""Triage: keep findings on the changed lines, merge duplicates, decide what is actionable.

Pure functions over `Finding` values and plain mappings; nothing here reads files or state.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from reviewloop.findings import Finding, Severity, normalise_path, normalise_title

# Words that say nothing about *which* problem a title names.
_FILLER = frozenset(
    "a an the of in on at to for from by with via and or is are be may can could might "
    "possible possibly potential potentially missing".split())
_SIMILAR_TITLES = 0.6  # share of the shorter title's words the other title must contain


class Tally(BaseModel):
    """Counts of findings by severity (every level present) and by reporting agent."""

    model_config = ConfigDict(extra="forbid")

    by_severity: dict[Severity, int]
    by_agent: dict[str, int]

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Tally:
        """A merged finding counts once per severity and once for each agent that reported it."""
        severities: Counter[Severity] = Counter()
        agents: Counter[str] = Counter()
        for finding in findings:
            severities[finding.severity] += 1
            agents.update(set(finding.agents))
        return cls(by_severity={s: severities[s] for s in Severity},
                   by_agent=dict(sorted(agents.items())))

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())

    @property
    def actionable(self) -> int:
        return sum(n for s, n in self.by_severity.items() if s.actionable)


class TriageResult(BaseModel):
    """What one round of review leaves: what to fix, what to mention, what was out of scope."""

    model_config = ConfigDict(extra="forbid")

    actionable: list[Finding]  # must_fix + should_fix, for the fixer
    nits: list[Finding]  # for the report only
    outside: list[Finding]  # not on a changed line: dropped, kept for the log
    duplicates: int = 0  # findings folded into another one

    @property
    def dropped(self) -> int:
        """How many findings fell outside the changed lines."""
        return len(self.outside)

    @property
    def kept(self) -> list[Finding]:
        return [*self.actionable, *self.nits]

    @property
    def tally(self) -> Tally:
        return Tally.of(self.kept)


def triage(findings: Iterable[Finding], changed: Mapping[str, set[int]], *,
           floors: Mapping[str, Severity] | None = None) -> TriageResult:
    """Floors, then the change filter, then duplicate merging, in a deterministic order.

    `changed` maps repo-relative paths to the changed (added) line numbers of the new file.
    A finding is inside the change when its [start_line, end_line] range contains one of the
    changed lines of its file; findings on files outside the change are dropped too.
    `floors` maps an agent name to the lowest severity its findings may have: a finding below
    its agent's floor is raised to it (applied before merging, while agents are distinct).
    """
    lines = {normalise_path(path): frozenset(numbers) for path, numbers in changed.items()}
    inside: list[Finding] = []
    outside: list[Finding] = []
    for finding in findings:
        finding = apply_floor(finding, floors or {})
        (inside if touches(finding, lines.get(finding.file, frozenset())) else outside).append(
            finding)
    merged = sorted(merge_duplicates(inside), key=Finding.sort_key)
    return TriageResult(
        actionable=[f for f in merged if f.severity.actionable],
        nits=[f for f in merged if not f.severity.actionable],
        outside=sorted(outside, key=Finding.sort_key),
        duplicates=len(inside) - len(merged),
    )


def apply_floor(finding: Finding, floors: Mapping[str, Severity]) -> Finding:
    """Raise the finding to its agent's floor when it is below it."""
    floor = floors.get(finding.agent)
    if floor is None or finding.severity.at_least(floor):
        return finding
    return finding.model_copy(update={"severity": floor})


def touches(finding: Finding, changed_lines: Iterable[int]) -> bool:
    """True when the finding's line range contains a changed line."""
    return any(finding.start_line <= n <= finding.end_line for n in changed_lines)


def merge_duplicates(findings: Iterable[Finding]) -> list[Finding]:
    """Fold findings that name the same problem into one (see `same_problem`).

    Findings are visited most severe and most confident first, so the first of each group —
    whose text, range and replacement are kept — has the highest severity; the group's
    agents go to `also_reported_by`, its fingerprints to `merged_fingerprints`.
    """
    groups: list[list[Finding]] = []
    for finding in sorted(findings, key=_merge_order):
        group = next((g for g in groups if any(same_problem(finding, m) for m in g)), None)
        if group is None:
            groups.append([finding])
        else:
            group.append(finding)
    return [_fold(group) for group in groups]


def same_problem(a: Finding, b: Finding) -> bool:
    """A shared fingerprint (wherever the lines are now), or: same file, overlapping lines,
    and the same analyzer rule or similar titles."""
    if a.fingerprints & b.fingerprints:
        return True  # the fingerprint is built to survive line moves, so lines don't matter
    if a.file != b.file or a.end_line < b.start_line or b.end_line < a.start_line:
        return False
    if a.rule and a.rule == b.rule and a.source == b.source:
        return True
    return similar_titles(a.title, b.title)


def similar_titles(a: str, b: str) -> bool:
    """Most words of the shorter title, fillers aside, appear in the other one."""
    words_a, words_b = _words(a), _words(b)
    if not words_a or not words_b:
        return normalise_title(a) == normalise_title(b)
    shared = len(words_a & words_b)
    return shared / min(len(words_a), len(words_b)) >= _SIMILAR_TITLES


def still_open(previous_actionable: Iterable[Finding],
               new_findings: Iterable[Finding]) -> list[Finding]:
    """The new findings that re-report a previously actionable one (matched by fingerprint,
    merged duplicates included), in their current form and location."""
    before = _fingerprints(previous_actionable)
    return sorted((f for f in new_findings if f.fingerprints & before), key=Finding.sort_key)


def fixed(previous: Iterable[Finding], current: Iterable[Finding]) -> list[Finding]:
    """The previous findings that no current finding re-reports (matched by fingerprint)."""
    now = _fingerprints(current)
    return sorted((f for f in previous if not f.fingerprints & now), key=Finding.sort_key)


def _fingerprints(findings: Iterable[Finding]) -> frozenset[str]:
    return frozenset().union(*(f.fingerprints for f in findings))


def _words(title: str) -> frozenset[str]:
    return frozenset(w for w in normalise_title(title).split() if w not in _FILLER)


def _merge_order(finding: Finding) -> tuple[object, ...]:
    # Total order, so the grouping does not depend on the order reviewers finished in.
    return (finding.severity.rank, -finding.confidence, *finding.sort_key()[1:],
            finding.model_dump_json())


def _fold(group: Sequence[Finding]) -> Finding:
    first, rest = group[0], group[1:]
    if not rest:
        return first
    agents = {a for f in group for a in f.agents} - {first.agent}
    prints = {p for f in group for p in f.fingerprints} - {first.fingerprint}
    return first.model_copy(update={
        "severity": Severity.highest(f.severity for f in group),
        "confidence": max(f.confidence for f in group),
        "also_reported_by": sorted(agents),
        "merged_fingerprints": sorted(prints),
    })
