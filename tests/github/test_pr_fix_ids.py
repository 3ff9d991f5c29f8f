"""`/reviewloop fix <id>…`: every id that names no finding the fix can take — unknown (a
typo), naming several findings, a 🟢 nit, one fixed or ignored — is named in the reply with
why, never dropped without a word (`github/fix_targets.py`)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.findings.ledger import Entry, Ledger, Status
from reviewloop.findings.schema import Finding, Severity
from reviewloop.github.fix_targets import fix_targets
from reviewloop.github.posted import PostedState
from tests.support.commands import (
    MAINTAINER,
    SAFE,
    PullRequestWorld,
    app,
    clean_review,
    finding_ids,
    fixer_writes,
    replies,
    world,  # noqa: F401 (the fixture)
)
from tests.support.gitutil import git


def _entry(title: str, severity: Severity, status: Status, line: int = 3) -> Entry:
    finding = Finding(severity=severity, file="app.py", start_line=line, end_line=line,
                      title=title, rationale="why", confidence=0.9, agent="review-security")
    return Entry.single(finding, status, "test")


KINDS = {"open": (Severity.MUST_FIX, Status.OPEN), "nit": (Severity.NIT, Status.OPEN),
         "fixed": (Severity.MUST_FIX, Status.FIXED),
         "ignored": (Severity.SHOULD_FIX, Status.SUPPRESSED)}
SAID = {"nit": "only 🔴/🟡 findings are fixed", "fixed": "is fixed already",
        "ignored": "is ignored (suppressed)", "unknown": "names no finding on this pull request"}


@settings(max_examples=80, derandomize=True, deadline=None)
@given(asked=st.lists(st.sampled_from([*KINDS, "unknown"]), min_size=1, max_size=6),
       length=st.integers(6, 64))
def test_each_id_a_fix_cannot_take_is_named_with_why(asked: list[str], length: int) -> None:
    entries = {kind: _entry(f"finding {kind}", *KINDS[kind], line=n + 1)
               for n, kind in enumerate(KINDS)}
    ledger = Ledger(entries=list(entries.values()))
    unknown = next(f"{n:064x}" for n in range(99) if not any(
        e.id.startswith(f"{n:064x}"[:6]) for e in ledger.entries))
    ids = [(unknown if kind == "unknown" else entries[kind].id)[:length] for kind in asked]
    chosen = fix_targets(ledger, PostedState(), ids)
    assert [f.title for f in chosen.findings] == (["finding open"] if "open" in asked else [])
    named = {kind for kind in asked if kind != "open"}
    assert len(chosen.left_out) == len(named)  # once per id, however often it is given
    for kind in named:
        wanted = (unknown if kind == "unknown" else entries[kind].id)[:length]
        assert any(line.startswith(f"`{wanted}` ") and SAID[kind] in line
                   for line in chosen.left_out), (kind, chosen.left_out)


def test_an_id_naming_two_findings_is_refused_not_both_fixed() -> None:
    first = _entry("finding 0", Severity.MUST_FIX, Status.OPEN)
    other = "0" if first.id[8] != "0" else "1"  # an id sharing its first 8 hex digits
    second = first.model_copy(update={
        "id": first.id[:8] + other + first.id[9:],
        "finding": first.finding.model_copy(update={"title": "finding 1"})})
    ledger = Ledger(entries=[first, second])
    chosen = fix_targets(ledger, PostedState(), [first.id[:8]])
    assert chosen.findings == []
    assert chosen.left_out == [f"`{first.id[:8]}` names 2 findings: give more of it (the "
                               "12-hex id in a finding's comment)"]
    assert [f.title for f in fix_targets(ledger, PostedState(), [first.id[:9]]).findings] == \
        ["finding 0"]
    both = fix_targets(ledger, PostedState(), [])
    assert [f.title for f in both.findings] == ["finding 0", "finding 1"]
    assert both.left_out == []


@pytest.mark.timeout(900)
def test_a_fix_with_a_mistyped_id_fixes_the_other_and_names_the_typo(
        world: PullRequestWorld) -> None:  # noqa: F811
    world.bedrock.script("agents: ", clean_review(12))
    assert world.review().returncode == 1
    ids = finding_ids(world.github)
    world.bedrock.script(f"id {ids[0][:12]}", fixer_writes(app(first=SAFE, second=SAFE)))
    done = world.command(f"/reviewloop fix {ids[0][:12]} 0123456789ab", MAINTAINER)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert git(world.origin, "rev-list", "--count", f"{world.head}..feature") == "1\n"
    answer = replies(world.github)[-1]
    assert answer.startswith("Pushed ")
    assert "Not fixed:\n- `0123456789ab` names no finding on this pull request" in answer
    assert ids[1][:12] not in answer.split("Not fixed:")[1]
    assert world.github.violations == []
