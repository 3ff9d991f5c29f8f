"""Which findings a `/reviewloop fix` fixes: the pull request's open 🔴/🟡 findings, or those
its ids name — and, for each id that names none of them, why, so the reply can say it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reviewloop.findings.ledger import Entry, Ledger, Status
from reviewloop.findings.schema import Finding
from reviewloop.github.markers import strip_marker
from reviewloop.github.posted import PostedState

_NOT_OPEN = {Status.FIXED: "is fixed already", Status.SUPPRESSED: "is ignored (suppressed)",
             Status.ESCALATED: "is escalated: reviewloop gave up on it",
             Status.OUT_OF_SCOPE: "is outside this pull request's change"}


@dataclass(frozen=True)
class Targets:
    """The findings to fix (each with its comment's text as its rationale) and, one line
    each, the ids left out and why."""

    findings: list[Finding] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


def fix_targets(ledger: Ledger, state: PostedState, ids: Sequence[str]) -> Targets:
    """The open must/should-fix findings, or those `ids` (prefixes of fingerprints) name;
    an id naming no finding, several, a 🟢 nit or a finding not open is left out, said."""
    entries = ledger.with_status(*Status)
    chosen: set[str] = set()
    left_out: list[str] = []
    for wanted in dict.fromkeys(ids):
        why = _left_out([e for e in entries if e.id.startswith(wanted)], chosen)
        if why:
            left_out.append(f"`{wanted}` {why}")
    findings = [_with_rationale(e, state) for e in entries
                if e.status is Status.OPEN and e.severity.actionable
                and (not ids or e.id in chosen)]
    return Targets(findings, left_out)


def _left_out(found: list[Entry], chosen: set[str]) -> str | None:
    if not found:
        return "names no finding on this pull request"
    if len(found) > 1:
        return (f"names {len(found)} findings: give more of it (the 12-hex id in a finding's "
                "comment)")
    entry = found[0]
    if entry.status is not Status.OPEN:
        return _NOT_OPEN.get(entry.status, f"is {entry.status.value}")
    if not entry.severity.actionable:
        return f"is a {entry.severity.emoji} {entry.severity.label}: only 🔴/🟡 findings are fixed"
    chosen.add(entry.id)
    return None


def _with_rationale(entry: Entry, state: PostedState) -> Finding:
    """The fixer needs the why: the text of the finding's comment, when it has one."""
    posted = state.findings.get(entry.id)
    why = strip_marker(posted.body).strip()[:4000] if posted is not None and posted.body \
        else None
    return entry.finding.model_copy(update={"rationale": why}) if why else entry.finding
