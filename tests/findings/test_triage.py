"""A review round's triage (findings.triage): floors, the suppressions the change adds, and
the round recorded in the ledger — the one triage, with no second one in review/."""

from __future__ import annotations

import importlib.util

from reviewloop.findings.ledger import Health, Ledger, Status
from reviewloop.findings.schema import Finding, Severity
from reviewloop.findings.triage import TriageAsk, apply_floor, triage_round


def make(agent: str = "security", severity: str = "should_fix", *, line: int = 4,
         title: str = "SQL built with an f-string", **extra) -> Finding:
    return Finding(agent=agent, severity=severity, file="app/db.py", start_line=line,
                   end_line=line, title=title, rationale="because", confidence=0.8, **extra)


def test_apply_floor_raises_but_never_lowers():
    floors = {"security": Severity.SHOULD_FIX}
    assert apply_floor(make(severity="nit"), floors).severity is Severity.SHOULD_FIX
    assert apply_floor(make(severity="must_fix"), floors).severity is Severity.MUST_FIX
    assert apply_floor(make(agent="other", severity="nit"), floors).severity is Severity.NIT


def test_a_round_is_recorded_at_its_floors_with_the_suppressions_the_change_adds():
    below = make(severity="nit")
    outside = make(line=40, title="Unclosed cursor")
    added = make(agent="suppressions", severity="should_fix", line=5, title="adds a nosec",
                 source="adds-suppression", rule="nosec")
    ledger = triage_round(Ledger(), TriageAsk(
        round=1, reported=[below, outside], added=[added],
        health=[Health(kind="reviewer", name="security", status="ok")],
        scope={"app/db.py": {4, 5}}, floors={"security": Severity.SHOULD_FIX,
                                               "suppressions": Severity.MUST_FIX}))
    by_line = {e.finding.start_line: e for e in ledger.entries}
    assert by_line[4].status is Status.OPEN
    assert by_line[4].finding.severity is Severity.SHOULD_FIX  # raised to its floor
    assert by_line[40].status is Status.OUT_OF_SCOPE
    assert by_line[5].finding.severity is Severity.SHOULD_FIX  # flagged as it is: no floor


def test_a_fix_round_rechecks_the_files_the_fix_changed():
    found = make()
    health = [Health(kind="reviewer", name="security", status="ok")]
    first = triage_round(Ledger(), TriageAsk(round=1, reported=[found], health=health,
                                             scope={"app/db.py": {4}}))
    elsewhere = triage_round(first, TriageAsk(round=2, reported=[], health=health,
                                              scope={"app/db.py": {4}},
                                              fix_files={"other.py"}, addressed=[found]))
    assert elsewhere.entries[0].status is Status.OPEN
    fixed = triage_round(first, TriageAsk(round=2, reported=[], health=health,
                                          scope={"app/db.py": {4}},
                                          fix_files={"app/db.py"}, addressed=[found]))
    assert fixed.entries[0].status is Status.FIXED


def test_there_is_one_triage():
    assert importlib.util.find_spec("reviewloop.review.triage") is None
