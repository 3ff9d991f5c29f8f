"""The ledger's lifecycle over rounds: open, fixed only when re-checked, reopened,
out of scope with a reason, suppressed, escalated; health makes a review incomplete."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.findings.ledger import Health, Ledger, Status, Suppression
from reviewloop.findings.rounds import RoundInput, rechecked_files, record
from reviewloop.findings.schema import Finding, Severity

CODE = ["import subprocess", "", "def run(cmd):", "    subprocess.call(cmd, shell=True)",
        "    subprocess.call(cmd, shell=True)", "    return 1"]


def bandit(line: int, code=CODE, agent="review-security", severity="must_fix") -> Finding:
    return Finding(agent=agent, source="bandit", rule="B602", severity=severity, file="run.py",
                   start_line=line, end_line=line, title="subprocess call with shell=True",
                   rationale="shell injection", confidence=0.9).with_code(code)


def llm(line: int, title="Unchecked return code", agent="review-security",
        severity="should_fix", code=CODE) -> Finding:
    return Finding(agent=agent, severity=severity, file="run.py", start_line=line,
                   end_line=line, title=title, rationale="r", confidence=0.7).with_code(code)


def ok(*agents: str, analyzers=("bandit",)) -> list[Health]:
    out = [Health(kind="reviewer", name=a, status="ok") for a in agents]
    out += [Health(kind="analyzer", name=n, agent=a, status="ok") for a in agents
            for n in analyzers]
    return out


SCOPE = {"run.py": {3, 4, 5, 6}}


def round_(n: int, reported, scope=SCOPE, health=None, **kw) -> RoundInput:
    return RoundInput(round=n, reported=reported, scope=scope,
                      health=ok("review-security") if health is None else health, **kw)


def test_a_re_review_leaves_analyzer_findings_in_files_the_fix_did_not_touch_open():
    # From round 2 the analyzers look only at the files the fix changed: silence about the
    # others is not a fix.
    first = record(Ledger(), round_(1, [bandit(4)]))
    again = record(first, round_(2, [], whole=False, fix_files=["other.py"]))
    assert [e.status for e in again] == [Status.OPEN]


def test_an_analyzer_finding_the_fix_targeted_is_rechecked_in_its_file_even_if_untouched():
    # A coverage finding in run.py is fixed by a test in test_run.py: the analyzers re-ran
    # on run.py because the fix targeted that finding, and no longer report it.
    first = record(Ledger(), round_(1, [bandit(4)]))
    targeted = first.entries[0].finding
    analyzed = rechecked_files(["test_run.py"], [targeted])
    assert analyzed == {"test_run.py", "run.py"}
    fixed = record(first, round_(2, [], whole=False, fix_files=["test_run.py"],
                                 analyzed_files=analyzed))
    assert [e.status for e in fixed] == [Status.FIXED]


def test_an_llm_finding_is_not_rechecked_where_only_an_analyzer_finding_was_targeted():
    first = record(Ledger(), round_(1, [bandit(4), llm(5)]))
    targeted = next(e.finding for e in first if e.finding.source == "bandit")
    analyzed = rechecked_files(["test_run.py"], [targeted])
    assert rechecked_files(["a.py"], [llm(5)]) == {"a.py"}  # a model's finding: its fix only
    second = record(first, round_(2, [], whole=False, fix_files=["test_run.py"],
                                  analyzed_files=analyzed, addressed={targeted.fingerprint}))
    by_source = {e.finding.source: e.status for e in second}
    assert by_source == {"bandit": Status.FIXED, "llm": Status.OPEN}


def test_two_identical_lines_are_two_open_entries():
    ledger = record(Ledger(), round_(1, [bandit(4), bandit(5)]))
    assert [e.status for e in ledger] == [Status.OPEN, Status.OPEN]
    assert len({e.id for e in ledger}) == 2
    assert ledger.blocking(Severity.MUST_FIX) == ledger.unresolved


def test_an_analyzer_finding_is_fixed_only_when_the_analyzer_ran_again_without_it():
    first = record(Ledger(), round_(1, [bandit(4), bandit(5)]))
    fixed_code = [*CODE[:3], "    subprocess.call(cmd)", *CODE[4:]]
    failed = [Health(kind="reviewer", name="review-security", status="ok"),
              Health(kind="analyzer", name="bandit", agent="review-security",
                     status="failed", reason="bandit exited with 2")]
    stale = record(first, round_(2, [], health=failed, whole=False))
    assert [e.status for e in stale] == [Status.OPEN, Status.OPEN]  # not judged: still open
    assert not stale.complete and stale.incomplete()[0].reason == "bandit exited with 2"
    again = record(first, round_(2, [bandit(5, fixed_code)], whole=False, fix_files=["run.py"]))
    statuses = {e.id: e.status for e in again}
    assert sorted(statuses.values()) == [Status.FIXED, Status.OPEN]
    fixed = again.with_status(Status.FIXED)[0]
    assert "no longer reports it" in fixed.reason and fixed.history[0].status is Status.OPEN


def test_a_fixed_finding_that_comes_back_is_reopened_not_duplicated():
    one = record(Ledger(), round_(1, [bandit(4)]))
    two = record(one, round_(2, []))
    three = record(two, round_(3, [bandit(4)]))
    assert len(three.entries) == 1
    entry = three.entries[0]
    assert [t.status for t in entry.history] == [Status.OPEN, Status.FIXED, Status.OPEN]
    assert entry.reason.startswith("reopened")


def test_moved_lines_keep_the_entry():
    one = record(Ledger(), round_(1, [bandit(4)]))
    moved = ["# header", "# more", *CODE]
    two = record(one, round_(2, [bandit(6, moved)], scope={"run.py": {5, 6}}))
    assert len(two.entries) == 1 and two.entries[0].finding.start_line == 6
    assert two.entries[0].status is Status.OPEN


def test_an_llm_finding_of_a_fix_round_is_fixed_only_when_addressed_and_its_file_changed():
    first = record(Ledger(), round_(1, [llm(4)]))
    entry_id = first.entries[0].id
    not_addressed = record(first, round_(2, [], whole=False, fix_files={"run.py"}))
    assert not_addressed.entries[0].status is Status.OPEN
    untouched = record(first, round_(2, [], whole=False, addressed={entry_id}))
    assert untouched.entries[0].status is Status.OPEN
    fixed = record(first, round_(2, [], whole=False, addressed={entry_id},
                                 fix_files={"run.py"}))
    assert fixed.entries[0].status is Status.FIXED


def test_a_reworded_llm_finding_on_the_same_lines_is_the_same_entry():
    first = record(Ledger(), round_(1, [llm(4, "Unchecked return code")]))
    second = record(first, round_(2, [llm(4, "Return code unchecked here")], whole=False))
    assert len(second.entries) == 1 and second.entries[0].status is Status.OPEN


def test_outside_the_change_is_kept_with_the_reason():
    ledger = record(Ledger(), round_(1, [bandit(4)], scope={"run.py": {6}}))
    entry = ledger.entries[0]
    assert entry.status is Status.OUT_OF_SCOPE
    assert "outside the change" in entry.reason and "nearest written line is 6" in entry.reason
    assert ledger.unresolved == []


def test_a_finding_around_a_removed_line_is_open_not_outside_the_change():
    # Lines removed after line 4 (the change wrote nothing in run.py): a finding on 3-6
    # spans the removal and counts; one on line 1 does not.
    spanning = bandit(4).model_copy(update={"start_line": 3, "end_line": 6})
    ledger = record(Ledger(), round_(1, [spanning, llm(1)], scope={"run.py": set()},
                                     removals={"run.py": {4}}))
    status = {e.finding.start_line: e.status for e in ledger}
    assert status == {3: Status.OPEN, 1: Status.OUT_OF_SCOPE}
    assert ledger.blocking(Severity.MUST_FIX)[0].finding.rule == "B602"


def test_suppressed_findings_are_listed_with_what_suppressed_them():
    def suppress(f: Finding):
        if f.start_line == 5:
            return Suppression(kind="inline", where="run.py:5", reason="trusted input")
        return None

    ledger = record(Ledger(), round_(1, [bandit(4), bandit(5)], suppress=suppress))
    (entry,) = ledger.with_status(Status.SUPPRESSED)
    assert entry.suppression.where == "run.py:5" and entry.reason == "suppressed by run.py:5"


def test_escalate_moves_open_actionable_entries_and_keeps_nits():
    ledger = record(Ledger(), round_(1, [bandit(4), llm(6, severity="nit")]))
    final = ledger.escalate("still open after 3 rounds", round_no=3)
    assert [e.status for e in final] == [Status.ESCALATED, Status.OPEN]
    assert final.blocking(Severity.MUST_FIX)[0].reason == "still open after 3 rounds"


def test_health_keeps_the_worst_status_per_reviewer_and_analyzer():
    bad = [Health(kind="analyzer", name="checkov", agent="review-infrastructure",
                  status="missing", reason="checkov is not installed")]
    ledger = record(record(Ledger(), round_(1, [], health=bad)), round_(2, []))
    assert [h.status for h in ledger.incomplete()] == ["missing"]
    assert ledger.incomplete()[0].round == 1


def test_the_ledger_survives_a_json_round_trip_and_stays_small():
    ledger = record(Ledger(), round_(1, [bandit(4), bandit(5), llm(6)]))
    text = ledger.model_dump_json()
    assert Ledger.model_validate_json(text) == ledger
    assert len(text) < 8000


def test_a_nosec_the_fixer_appended_leaves_the_same_finding_open_under_its_id():
    """The fixer appends `# nosec`: the untrusted marker is not honoured, so bandit reports
    B602 again, on code whose location hash (and so fingerprint) changed. That is the same
    problem, still open under its id — not "fixed 🔴 1" beside a new open one."""
    code = [*CODE[:4], "    return 1"]
    one = record(Ledger(), round_(1, [bandit(4, code)]))
    marked = [*code[:3], "    subprocess.call(cmd, shell=True)  # nosec", *code[4:]]
    again = bandit(4, marked)
    assert again.fingerprint != one.entries[0].id
    two = record(one, round_(2, [again], whole=False, fix_files=["run.py"]))
    assert [(e.id, e.status) for e in two] == [(one.entries[0].id, Status.OPEN)]
    assert again.fingerprint in two.entries[0].fingerprints  # either id finds it
    # with both identical lines flagged, one marked: two open, none fixed
    both = record(Ledger(), round_(1, [bandit(4), bandit(5)]))
    marked = [*CODE[:3], "    subprocess.call(cmd, shell=True)  # nosec", *CODE[4:]]
    after = record(both, round_(2, [bandit(4, marked), bandit(5, marked)], whole=False,
                                fix_files=["run.py"]))
    assert [e.status for e in after] == [Status.OPEN, Status.OPEN]


def test_a_finding_of_another_rule_or_far_away_is_not_the_same_problem():
    one = record(Ledger(), round_(1, [bandit(4)]))
    elsewhere = [*CODE[:3], "    pass", *CODE[4:], "", "", "", "x = subprocess.call(c, shell=1)"]
    far = bandit(10, elsewhere)
    other_rule = far.model_copy(update={"rule": "B605", "start_line": 4, "end_line": 4,
                                        "fingerprint": ""}).with_code(elsewhere)
    two = record(one, round_(2, [far, other_rule], whole=True))
    assert {(e.finding.rule, e.finding.start_line, e.status) for e in two} == {
        ("B602", 4, Status.FIXED), ("B605", 4, Status.OPEN), ("B602", 10, Status.OUT_OF_SCOPE)}


def test_two_new_reports_near_each_other_stay_two_findings():
    one = record(Ledger(), round_(1, []))
    two = record(one, round_(2, [bandit(4), bandit(5)]))
    assert len(two.entries) == 2


def test_an_entry_its_own_report_matched_is_no_other_reports_same_problem():
    """Round 2 reports the entry's finding again and, a line below, the same rule: the entry
    is the first one's, the second is a new finding, whichever was reported first; an entry
    already fixed is nobody's same problem (only its own report reopens it)."""
    one = record(Ledger(), round_(1, [bandit(4)]))
    for reported in ([bandit(4), bandit(5)], [bandit(5), bandit(4)]):
        two = record(one, round_(2, reported))
        assert [(e.id == one.entries[0].id, e.finding.start_line, e.status) for e in two] == [
            (True, 4, Status.OPEN), (False, 5, Status.OPEN)]
    fixed = record(one, round_(2, []))
    assert [e.status for e in fixed] == [Status.FIXED]
    three = record(fixed, round_(3, [bandit(5)]))
    assert {(e.id == one.entries[0].id, e.status) for e in three} == {
        (True, Status.FIXED), (False, Status.OPEN)}



def test_two_groups_of_a_round_on_one_entry_keep_both_reports():
    """Round 1 grouped bandit's finding and two wordings of an LLM's on one line into one
    entry; in round 2 the two wordings come alone, as two groups, both sharing the entry's
    fingerprints: the entry holds both reports (the second used to replace the first)."""
    health = ok("review-security", "review-performance")
    one = record(Ledger(), round_(1, [bandit(4), llm(4), llm(4, title="return code unchecked")],
                                  health=health))
    second = [llm(4), llm(4, title="return code unchecked")]
    for reported in (second, second[::-1]):
        two = record(one, round_(2, reported, health=health))
        assert [sorted(r.title for r in e.reports) for e in two.entries] == [
            ["Unchecked return code", "return code unchecked"]]

_TITLES = ("Unchecked return code", "return code unchecked", "Shell injection")


@st.composite
def _round(draw: st.DrawFn) -> list[Finding]:
    """A round's reports on `CODE`: bandit's rule and two agents' LLM findings on any line,
    some worded alike."""
    return [bandit(line) if kind == "bandit" else llm(line, title=title, agent=kind)
            for kind, line, title in draw(st.lists(st.tuples(
                st.sampled_from(("bandit", "review-security", "review-performance")),
                st.integers(1, len(CODE)), st.sampled_from(_TITLES)), max_size=8))]


@settings(max_examples=100, deadline=None)
@given(_round(), _round(), st.randoms(use_true_random=False))
def test_a_round_recorded_does_not_depend_on_the_order_of_its_reports(first, second, rng):
    health = ok("review-security", "review-performance")
    one = record(Ledger(), round_(1, first, health=health))
    two = record(one, round_(2, second, health=health))
    shuffled = list(second)
    rng.shuffle(shuffled)
    assert record(one, round_(2, shuffled, health=health)) == two
    # every report of the round is in one entry
    assert sum(r is s for e in two.entries for r in e.reports for s in second) == len(second)
