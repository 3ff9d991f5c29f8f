"""Grouping without merging rules (findings.grouping), and the change filter
(findings.rounds.outside_reason)."""

from __future__ import annotations

from itertools import permutations
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.findings.grouping import group, representative, similar_titles
from reviewloop.findings.rounds import normalise_scope, outside_reason
from reviewloop.findings.schema import Finding, Severity

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


def analyzer(rule: str, lines=(4, 4), agent="security", source="bandit", **kw) -> Finding:
    return make(agent=agent, lines=lines, source=source, rule=rule, **kw)


def test_the_same_rule_from_two_agents_is_one_group_keeping_both_reports():
    one = analyzer("B608", agent="security", severity="must_fix")
    two = analyzer("B608", agent="performance")
    groups = group([two, one])
    assert groups == [[one, two]]
    rep = representative(groups[0])
    assert rep.severity is Severity.MUST_FIX and rep.also_reported_by == ["performance"]
    assert rep.merged_fingerprints == []  # the same identity: nothing else to answer to


def test_different_rules_on_the_same_lines_never_merge():
    # checkov checks on one resource all read "Ensure … enabled": every one stays.
    checks = [analyzer(f"CKV_AWS_{n}", lines=(3, 8), source="checkov",
                       title=f"Ensure the bucket has feature {n} enabled") for n in (18, 19, 21)]
    assert sorted(len(g) for g in group(checks)) == [1, 1, 1]


def test_identical_lines_stay_three_groups():
    code = ["import subprocess", "def run(cmd):", "    subprocess.call(cmd, shell=True)",
            "    subprocess.call(cmd, shell=True)", "    subprocess.call(cmd, shell=True)"]
    found = [analyzer("B602", lines=(n, n), code=code) for n in (3, 4, 5)]
    assert len(group(found)) == 3


def test_an_llm_finding_on_an_analyzer_finding_joins_it_and_the_analyzer_anchors():
    bandit = analyzer("B608", severity="should_fix")
    llm = make(agent="security", severity="must_fix", lines=(3, 4), title="Injection")
    groups = group([llm, bandit])
    assert groups == [[bandit, llm]]
    rep = representative(groups[0])
    assert rep.fingerprint == bandit.fingerprint and rep.severity is Severity.MUST_FIX
    assert rep.merged_fingerprints == [llm.fingerprint]


def test_an_llm_finding_joins_only_one_analyzer_group():
    a = analyzer("B608", lines=(4, 4))
    b = analyzer("B101", lines=(7, 8))
    llm = make(agent="maintainability", lines=(3, 8), title="Database code is tangled")
    groups = group([a, b, llm])
    assert sorted(len(g) for g in groups) == [1, 2]


def test_llm_findings_of_two_agents_on_the_same_code_with_similar_titles_group():
    one = make(agent="security", title="SQL built with an f-string")
    two = make(agent="performance", title="sql query built using f-string")
    other = make(agent="performance", title="Connection never closed")
    groups = group([one, two, other])
    assert sorted(len(g) for g in groups) == [1, 2]


def test_one_agent_reporting_the_same_thing_twice_is_one_group():
    assert len(group([make(), make(confidence=0.3)])) == 1


def test_grouping_does_not_depend_on_the_order_reviewers_finished_in():
    found = [analyzer("B608"), make(agent="performance", title="Injection", lines=(3, 4)),
             make(agent="security", title="Unclosed cursor", lines=(8, 8))]
    results = {tuple(tuple(f.fingerprint for f in g) for g in group(p))
               for p in permutations(found)}
    assert len(results) == 1


class Counted(Finding):
    """A report that counts how often it is asked for its order."""

    asked: ClassVar[list[str]] = []

    def sort_key(self) -> tuple[int, str, int, int, str, str, str]:
        Counted.asked.append(self.fingerprint)
        return super().sort_key()


def test_grouping_orders_each_report_once_and_takes_any_iterable():
    found = [Counted(**f.model_dump()) for f in (
        analyzer("B608"), make(agent="performance", title="Injection", lines=(3, 4)),
        make(agent="security", title="Unclosed cursor", lines=(8, 8)), make())]
    Counted.asked.clear()
    groups = group(iter(found))
    assert sorted(Counted.asked) == sorted(f.fingerprint for f in found)
    assert groups == group(list(reversed(found)))


@pytest.mark.parametrize(("a", "b", "similar"), [
    ("SQL built with an f-string", "sql built with f-strings from input", True),
    ("SQL built with an f-string", "Connection never closed", False),
    ("the", "the", True),
])
def test_similar_titles(a, b, similar):
    assert similar_titles(a, b) is similar


# --- the change filter -------------------------------------------------------------------


def test_outside_reason_names_the_file_or_the_nearest_written_line():
    scope = normalise_scope({"./app/db.py": {6, 7}})
    assert outside_reason(make(lines=(7, 8)), scope) is None
    assert "nearest written line is 6" in outside_reason(make(lines=(4, 4)), scope)
    assert "does not touch" in outside_reason(make(file="other.py", code=None), scope)


def test_a_file_level_finding_is_inside_when_its_file_was_written():
    scope = normalise_scope({"app/db.py": {8}})
    assert outside_reason(make(level="file", lines=(1, 1)), scope) is None
    assert outside_reason(make(level="file"), normalise_scope({"app/db.py": set()}))


def test_a_finding_spanning_a_removed_line_is_inside_the_change():
    # `encrypted = true` deleted between lines 5 and 6: the resource checkov reports (3-8)
    # is what the change did, as is a file-level finding of that file; a finding next to the
    # removal, or in a file the change did not touch, is not.
    written = normalise_scope({"app/db.py": set(), "other.py": {1}})
    removed = normalise_scope({"app/db.py": {5}})
    assert outside_reason(make(lines=(3, 8)), written, removed) is None
    assert outside_reason(make(lines=(5, 6)), written, removed) is None
    assert outside_reason(make(level="file"), written, removed) is None
    assert "only deletes from, and not around a removed line" in outside_reason(
        make(lines=(6, 8)), written, removed)
    assert "only deletes from" in outside_reason(make(lines=(3, 8)), written)
    assert "does not touch" in outside_reason(make(file="third.py", code=None), written, removed)


def test_a_finding_in_a_binary_or_renamed_file_is_not_said_to_be_in_a_deletion():
    """A modified binary file or a pure rename is in the change with no line written and
    none removed: it is not "a file this change only deletes from"."""
    written = normalise_scope({"data.bin": set(), "moved.py": set()})
    for name in ("data.bin", "moved.py"):
        said = outside_reason(make(file=name, lines=(1, 1)), written, normalise_scope({}))
        assert said is not None and "only deletes" not in said
        assert "wrote no text line of (a binary file, a rename or a mode change)" in said


_AGENTS = ("security", "performance", "maintainability")
_TITLES = ("SQL built with an f-string", "sql built from a string", "Unclosed cursor",
           "cursor never closed", "Injection")


@st.composite
def _reports(draw: st.DrawFn) -> list[Finding]:
    """Reports of a round on `CODE`: analyzer rules and LLM findings of several agents on
    overlapping or identical lines, some of them the same report twice."""
    found = []
    for _ in range(draw(st.integers(0, 12))):
        start = draw(st.integers(1, len(CODE)))
        lines = (start, draw(st.integers(start, len(CODE))))
        agent = draw(st.sampled_from(_AGENTS))
        severity = draw(st.sampled_from(list(Severity)))
        if draw(st.booleans()):
            found.append(analyzer(draw(st.sampled_from(("B608", "S608", "B101"))), lines=lines,
                                  agent=agent, severity=severity))
        else:
            found.append(make(agent=agent, severity=severity, lines=lines,
                              title=draw(st.sampled_from(_TITLES)),
                              confidence=draw(st.sampled_from((0.5, 0.8)))))
    return found + draw(st.lists(st.sampled_from(found), max_size=2)) if found else found


@settings(max_examples=150, deadline=None)
@given(_reports(), st.randoms(use_true_random=False))
def test_grouping_keeps_every_report_once_whatever_the_order(found, rng):
    groups = group(found)
    shuffled = list(found)
    rng.shuffle(shuffled)
    assert [[f.fingerprint for f in g] for g in group(shuffled)] == \
        [[f.fingerprint for f in g] for g in groups]
    assert sorted(id(f) for g in groups for f in g) == sorted(id(f) for f in found)
    for g in groups:  # an analyzer report anchors any group that has one
        assert g[0].source != "llm" or all(f.source == "llm" for f in g)


@settings(max_examples=300, deadline=None)
@given(st.sets(st.integers(1, 60), max_size=25), st.integers(1, 70), st.integers(0, 6))
def test_written_lines_answer_as_the_lines_themselves(lines, start, height):
    """`Written` asks its runs of lines what the lines would answer: one within the range,
    else the nearest one before it or after it (before on a tie)."""
    end = start + height
    written = normalise_scope({"a.py": lines})["a.py"]
    assert written.lines == tuple(sorted(lines))
    assert written.within(start, end) == any(start <= n <= end for n in lines)
    if lines and not written.within(start, end):
        before = [n for n in sorted(lines) if n < start][-1:]
        after = [n for n in sorted(lines) if n > end][:1]
        assert written.nearest(start, end) == min(
            [*before, *after], key=lambda n: min(abs(n - start), abs(n - end)))
