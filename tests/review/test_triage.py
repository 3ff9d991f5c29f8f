"""Triage: the change filter, duplicate merging, floors, and carrying findings across rounds."""

from __future__ import annotations

from itertools import permutations

import pytest

from reviewloop.findings import Finding, Severity
from reviewloop.review.triage import (
    Tally,
    TriageResult,
    apply_floor,
    fixed,
    merge_duplicates,
    same_problem,
    similar_titles,
    still_open,
    touches,
    triage,
)

CODE = [
    "import sqlite3",                                                   # 1
    "",                                                                 # 2
    "def load(db, name):",                                              # 3
    "    return db.execute(f'select * from t where n = {name}')",       # 4
    "",                                                                 # 5
    "def save(db, rows):",                                              # 6
    "    for row in rows:",                                             # 7
    "        db.execute('insert into t values (?)', (row,))",           # 8
]


def make(agent: str = "security", severity: str = "should_fix", *, file: str = "app/db.py",
         lines: tuple[int, int] = (4, 4), title: str = "SQL built with an f-string",
         confidence: float = 0.8, code: list[str] | None = CODE, **extra) -> Finding:
    found = Finding(agent=agent, severity=severity, file=file, start_line=lines[0],
                    end_line=lines[1], title=title, rationale="because", confidence=confidence,
                    **extra)
    return found.with_code(code) if code is not None else found


CHANGED = {"app/db.py": {3, 4, 6, 7, 8}}


# --- duplicates --------------------------------------------------------------------------


def test_duplicates_across_agents_become_one_finding_at_the_highest_severity():
    security = make("security", "must_fix", lines=(3, 4), confidence=0.6)
    maintain = make("maintainability", "should_fix", title="Possible SQL injection: f-string "
                    "built query", confidence=0.9)
    result = triage([maintain, security], CHANGED)
    assert result.duplicates == 1
    [merged] = result.actionable
    assert merged.severity is Severity.MUST_FIX
    assert merged.agent == "security"  # the most severe report leads; its text is kept
    assert (merged.start_line, merged.end_line) == (3, 4)
    assert merged.also_reported_by == ["maintainability"]
    assert merged.agents == ("security", "maintainability")
    assert merged.confidence == 0.9
    assert merged.merged_fingerprints == [maintain.fingerprint]
    assert merged.fingerprints == {security.fingerprint, maintain.fingerprint}


def test_three_reports_of_one_problem_fold_into_one():
    reports = [make("security", "should_fix"), make("performance", "nit", lines=(3, 4)),
               make("maintainability", "must_fix", title="f-string SQL")]
    [merged] = merge_duplicates(reports)
    assert merged.severity is Severity.MUST_FIX
    assert merged.agent == "maintainability"
    assert merged.also_reported_by == ["performance", "security"]
    assert len(merged.merged_fingerprints) == 2


def test_the_same_agent_twice_is_folded_without_listing_itself():
    [merged] = merge_duplicates([make(lines=(3, 4)), make(lines=(4, 4), confidence=0.3)])
    assert merged.agent == "security" and merged.also_reported_by == []


def test_merging_does_not_depend_on_the_order_reviewers_finished_in():
    reports = [make("security", "must_fix"), make("maintainability", title="f-string SQL"),
               make("performance", "nit", title="Unbatched inserts", lines=(7, 8)),
               make("tests", "should_fix", title="No test for load()", lines=(3, 3))]
    results = {tuple(f.model_dump_json() for f in merge_duplicates(order))
               for order in permutations(reports)}
    assert len(results) == 1


@pytest.mark.parametrize("other", [
    make("performance", file="app/other.py"),
    make("performance", lines=(6, 8)),
    make("performance", title="Connection never closed"),
], ids=["other file", "no overlap", "different problem"])
def test_different_problems_stay_apart(other):
    one = make("security")
    assert not same_problem(one, other)
    assert len(merge_duplicates([one, other])) == 2
    assert triage([one, other], {"app/db.py": {4, 6}, "app/other.py": {4}}).duplicates == 0


def test_same_analyzer_rule_on_overlapping_lines_merges_whatever_the_titles():
    one = make("security", source="bandit", rule="B608", title="Possible SQL injection")
    two = make("maintainability", source="bandit", rule="B608", lines=(3, 4),
               title="hardcoded_sql_expressions")
    assert same_problem(one, two)
    assert len(merge_duplicates([one, two])) == 1
    other_tool = make("maintainability", source="semgrep", rule="B608", title="raw query")
    assert not same_problem(one, other_tool)


def test_a_shared_fingerprint_merges_even_when_the_lines_moved():
    # Round 1 flagged line 4; after a fix added lines above it the same code is on line 6.
    moved = ["# header", "# more", *CODE]
    before = make(lines=(4, 4))
    after = make(lines=(6, 6), code=moved)
    assert before.fingerprint == after.fingerprint
    assert same_problem(before, after)
    assert len(merge_duplicates([before, after])) == 1


def test_overlap_is_inclusive_at_the_edges():
    assert same_problem(make(lines=(3, 4)), make("performance", lines=(4, 7), code=None))
    assert not same_problem(make(lines=(3, 3)), make("performance", lines=(4, 7), code=None))


@pytest.mark.parametrize(("a", "b", "similar"), [
    ("SQL injection", "Possible SQL injection in query", True),
    ("Unused import", "unused import!", True),
    ("Unused import", "Unused variable", False),
    ("Missing tests", "Missing docs", False),
    ("Potential issue", "Possible issue", True),
    ("Missing", "Missing", True),
    ("The", "A", False),
    ("N+1 queries in loop", "n+1 query in the loop", True),  # 3 of 4 words shared
    ("N+1 queries in loop", "N+2 queries inside loop", True),
])
def test_similar_titles(a, b, similar):
    assert similar_titles(a, b) is similar
    assert similar_titles(b, a) is similar


# --- the change filter -------------------------------------------------------------------


def test_findings_outside_the_changed_lines_are_dropped_and_counted():
    inside = make(lines=(4, 4))
    before_change = make("performance", title="Module import is slow", lines=(1, 1))
    other_file = make("maintainability", file="app/untouched.py", lines=(4, 4))
    result = triage([inside, before_change, other_file], CHANGED)
    assert result.actionable == [inside]
    assert result.dropped == 2
    assert [f.file for f in result.outside] == ["app/db.py", "app/untouched.py"]
    assert inside not in result.outside


def test_a_range_that_spans_a_changed_line_is_kept():
    spanning = make(lines=(1, 3), title="Loader has no docstring")
    assert touches(spanning, {3})
    assert not touches(spanning, {4, 5})
    assert triage([spanning], {"app/db.py": {3}}).actionable == [spanning]


def test_changed_paths_are_normalised_before_matching():
    found = make(lines=(4, 4))
    assert triage([found], {"./app//db.py": {4}}).actionable == [found]


def test_a_file_in_the_diff_with_no_added_lines_keeps_nothing():
    assert triage([make()], {"app/db.py": set()}).dropped == 1


def test_dropped_findings_are_not_merged_into_kept_ones():
    kept = make("security", lines=(4, 4))
    outside = make("performance", lines=(4, 5))  # same problem, but line 5 is not changed
    result = triage([kept, outside], {"app/db.py": {4}})
    assert result.actionable[0].also_reported_by == ["performance"]
    result = triage([kept, make("performance", lines=(5, 5), code=None)], {"app/db.py": {4}})
    assert result.actionable[0].also_reported_by == [] and result.dropped == 1


# --- nits and actionable -----------------------------------------------------------------


def test_nits_are_kept_for_the_report_but_never_actionable():
    nit = make("maintainability", "nit", title="Name the query constant", lines=(8, 8))
    must = make("security", "must_fix")
    should = make("performance", "should_fix", title="Insert rows one by one", lines=(7, 8))
    result = triage([nit, should, must], CHANGED)
    assert result.actionable == [must, should]  # most severe first
    assert result.nits == [nit]
    assert result.kept == [must, should, nit]
    assert result.tally.actionable == 2 and result.tally.total == 3


def test_an_empty_review_is_an_empty_result():
    result = triage([], CHANGED)
    assert result == TriageResult(actionable=[], nits=[], outside=[], duplicates=0)
    assert result.tally.total == 0 and result.dropped == 0


def test_output_is_sorted_deterministically():
    findings = [make("a", "should_fix", file="b.py", code=None),
                make("b", "must_fix", file="z.py", code=None),
                make("c", "should_fix", file="a.py", lines=(9, 9), code=None),
                make("d", "should_fix", file="a.py", lines=(2, 2), code=None)]
    changed = {"a.py": set(range(1, 20)), "b.py": {4}, "z.py": {4}}
    result = triage(findings, changed)
    assert [f.location for f in result.actionable] == ["z.py:4", "a.py:2", "a.py:9", "b.py:4"]


# --- floors ------------------------------------------------------------------------------


def test_apply_floor_raises_but_never_lowers():
    floor = {"security": Severity.SHOULD_FIX}
    assert apply_floor(make("security", "nit"), floor).severity is Severity.SHOULD_FIX
    assert apply_floor(make("security", "must_fix"), floor).severity is Severity.MUST_FIX
    unchanged = make("performance", "nit")
    assert apply_floor(unchanged, floor) is unchanged


def test_floors_make_an_agents_nits_actionable_in_triage():
    nit = make("security", "nit", title="Secret compared with ==")
    other_nit = make("performance", "nit", title="Extra loop", lines=(7, 7))
    result = triage([nit, other_nit], CHANGED, floors={"security": Severity.MUST_FIX})
    assert [(f.agent, f.severity) for f in result.actionable] == [
        ("security", Severity.MUST_FIX)]
    assert [f.agent for f in result.nits] == ["performance"]
    assert result.actionable[0].fingerprint == nit.fingerprint  # a floor keeps the identity


def test_floors_apply_before_merging():
    security_nit = make("security", "nit")
    perf_should = make("performance", "should_fix", title="f-string SQL")
    [merged] = triage([security_nit, perf_should], CHANGED,
                      floors={"security": Severity.MUST_FIX}).actionable
    assert merged.severity is Severity.MUST_FIX and merged.agent == "security"


def test_floors_also_apply_to_dropped_findings():
    result = triage([make("security", "nit", lines=(1, 1))], CHANGED,
                    floors={"security": Severity.SHOULD_FIX})
    assert result.outside[0].severity is Severity.SHOULD_FIX


# --- across rounds -----------------------------------------------------------------------


FIXED_CODE = [
    "import sqlite3",
    "",
    "# Parameterised: names come from the request.",
    "def load(db, name):",
    "    return db.execute('select * from t where n = ?', (name,))",
    "",
    "def save(db, rows):",
    "    for row in rows:",
    "        db.execute('insert into t values (?)', (row,))",
]


def test_still_open_and_fixed_across_rounds():
    sql = make("security", "must_fix", lines=(4, 4))
    loop = make("performance", "should_fix", title="Insert rows one by one", lines=(7, 8))
    round_one = triage([sql, loop], CHANGED).actionable
    # Round 2: the SQL line changed; the loop is untouched but moved down a line.
    loop_again = make("performance", "should_fix", title="Insert rows one by one",
                      lines=(8, 9), code=FIXED_CODE)
    sql_again = make("security", "must_fix", lines=(5, 5), code=FIXED_CODE)
    assert sql_again.fingerprint != sql.fingerprint  # the flagged code is different now
    round_two = [loop_again]
    assert still_open(round_one, round_two) == [loop_again]
    assert fixed(round_one, round_two) == [sql]
    assert still_open(round_one, [sql_again]) == []


def test_a_merged_finding_stays_open_when_any_of_its_reporters_repeats_it():
    security = make("security", "must_fix")
    maintain = make("maintainability", title="f-string SQL")
    [merged] = triage([security, maintain], CHANGED).actionable
    repeated = make("maintainability", title="f-string SQL", lines=(6, 6),
                    code=["#", "#", *CODE])
    assert still_open([merged], [repeated]) == [repeated]
    assert fixed([merged], [repeated]) == []


def test_everything_is_fixed_when_nothing_is_reported_again():
    previous = [make("security", "must_fix"),
                make("performance", title="Insert rows one by one", lines=(7, 8))]
    assert fixed(previous, []) == sorted(previous, key=Finding.sort_key)
    assert still_open(previous, []) == []


# --- Tally -------------------------------------------------------------------------------


def test_tally_counts_every_level_and_every_reporting_agent():
    merged = make("security", "must_fix", also_reported_by=["maintainability"])
    findings = [merged, make("performance", "should_fix"), make("performance", "nit"),
                make("tests", "nit")]
    tally = Tally.of(findings)
    assert tally.by_severity == {Severity.MUST_FIX: 1, Severity.SHOULD_FIX: 1,
                                 Severity.NIT: 2}
    assert tally.by_agent == {"maintainability": 1, "performance": 2, "security": 1,
                              "tests": 1}
    assert list(tally.by_agent) == sorted(tally.by_agent)
    assert tally.total == 4 and tally.actionable == 2


def test_an_empty_tally_still_lists_every_severity():
    tally = Tally.of([])
    assert tally.by_severity == {s: 0 for s in Severity}
    assert tally.by_agent == {} and tally.total == 0 and tally.actionable == 0


def test_tally_serialises_with_severity_values():
    data = Tally.of([make(severity="nit")]).model_dump(mode="json")
    assert data == {"by_severity": {"must_fix": 0, "should_fix": 0, "nit": 1},
                    "by_agent": {"security": 1}}


def test_triage_tally_counts_merged_findings_once():
    result = triage([make("security", "must_fix"), make("maintainability",
                                                         title="f-string SQL")], CHANGED)
    assert result.tally.total == 1
    assert result.tally.by_agent == {"maintainability": 1, "security": 1}
