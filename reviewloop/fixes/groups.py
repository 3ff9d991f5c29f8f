"""Which findings are fixed together: the unit that gets its own fix budget.

The rule: two findings are in one group when they share a fingerprint (the same problem
reported twice), or when they are in the same file and their line ranges overlap or lie at
most `ADJACENT_LINES` lines apart (a fix of one edits the lines of the other). The relation
is closed transitively, so a chain of neighbouring findings is one group. Everything else
is a group of its own and gets its own attempt and retries; a group that exhausts its budget
never takes another group's with it.

Groups keep the order of the work list (the first finding of a group decides its place),
so the fixer works in the order triage gave.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reviewloop.findings.schema import Finding

ADJACENT_LINES = 3  # a gap of up to three lines between two ranges still counts as one place


@dataclass(frozen=True)
class FixGroup:
    """Findings fixed in one conversation, with one budget."""

    findings: tuple[Finding, ...]

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.file for f in self.findings))

    @property
    def label(self) -> str:
        """How a report names the group: its findings' titles and short ids."""
        return "; ".join(f"{f.title} (id {f.short_id})" for f in self.findings)


def group_findings(findings: Sequence[Finding]) -> list[FixGroup]:
    """The findings in groups (see the module docstring), in work-list order."""
    parent = list(range(len(findings)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, first in enumerate(findings):
        for j in range(i + 1, len(findings)):
            if same_place(first, findings[j]):
                parent[root(j)] = root(i)
    members: dict[int, list[Finding]] = {}
    for index, finding in enumerate(findings):
        members.setdefault(root(index), []).append(finding)
    return [FixGroup(tuple(group)) for group in members.values()]


def same_place(a: Finding, b: Finding) -> bool:
    """Same problem (a shared fingerprint), or the same file with overlapping or adjacent
    line ranges."""
    if a.fingerprints & b.fingerprints:
        return True
    if a.file != b.file:
        return False
    return (a.start_line <= b.end_line + ADJACENT_LINES + 1
            and b.start_line <= a.end_line + ADJACENT_LINES + 1)
