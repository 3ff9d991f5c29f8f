"""A baseline entry that matched nothing is named, in the terminal summary and the JSON, and
never fails the review: an entry for a file the review covered that no report matches, or
for a file that is gone, is stale; one for a file the review did not look at, or a
fingerprint with no file, is not judged. Generated: the judgement is monotone — a report
that matches an entry takes it off the list, and a file left out of the review's scope
takes its entries off unless the file is gone."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.suppressions.stale import MAX_LISTED, judge, listed, stale, unjudged
from reviewloop.checks.suppressions.suppressor import (
    BaselineEntry,
    baseline_matches,
    parse_baseline,
)
from reviewloop.findings.schema import Finding, Severity
from tests.support.gitutil import git
from tests.support.review_cli import repo, review

PASSWORD = "DB_PASSWORD=Zq8vN3rT6wLp2Kx9\n"
BASELINE = {"version": 1, "findings": [
    {"rule": "generic-password", "file": "conf/app.env", "by": "alice", "reason": "a test"},
    {"rule": "B602", "file": "conf/app.env", "by": "bob"},  # its file reviewed: stale
    {"rule": "generic-password", "file": "gone.env"},  # its file is gone: stale
    {"rule": "B602", "file": "app.py"},  # a file the review did not look at: not judged
    {"fingerprint": "ab" * 32, "reason": "no file: cannot be placed"},
]}
STALE = [".reviewloop-baseline.json: rule B602 in conf/app.env, by bob matched no finding "
         "(stale: remove the entry, or fix what it names)",
         ".reviewloop-baseline.json: rule generic-password in gone.env matched no finding "
         "(stale: remove the entry, or fix what it names)"]


def test_stale_baseline_entries_are_named_and_the_review_passes(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / ".reviewloop-baseline.json").write_text(json.dumps(BASELINE))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "baseline")
    (root / "conf").mkdir()
    (root / "conf" / "app.env").write_text(PASSWORD)

    done = review(root, "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(done.stdout)
    assert data["stale_baseline"] == STALE
    assert [f["rule"] for f in data["findings"]["suppressed"]] == ["generic-password"]
    assert data["findings"]["remaining"] == []

    shown = review(root)
    assert shown.returncode == 0, shown.stderr[-2000:]
    said = " ".join((shown.stdout + shown.stderr).replace("│", " ").split())  # unwrapped
    for text in STALE:
        assert f"⚠ baseline entry: {text}" in said, said[-3000:]


_FILES = st.sampled_from(("a.py", "b.py", "c/d.env"))
_RULES = st.sampled_from(("B602", "S105", "generic-password"))
_ENTRIES = st.lists(st.builds(lambda f, r: BaselineEntry(source="b.json", file=f, rule=r),
                              _FILES, _RULES), max_size=5)


def _report(file: str, rule: str) -> Finding:
    return Finding(severity=Severity.NIT, file=file, start_line=1, end_line=1, title="t",
                   rationale="r", confidence=1.0, agent="x", source="bandit", rule=rule)


@settings(max_examples=100, deadline=None)
@given(entries=_ENTRIES, reported=st.lists(st.tuples(_FILES, _RULES), max_size=4),
       reviewed=st.sets(_FILES), gone=st.sets(_FILES), extra=st.tuples(_FILES, _RULES))
def test_the_judgement_is_monotone(entries, reported, reviewed, gone, extra) -> None:
    def exists(path: str) -> bool:
        return path not in gone

    reports = [_report(*r) for r in reported]
    before = stale(entries, reports, reviewed, exists)
    assert all(e.file in reviewed or e.file in gone for e in before)
    after = stale(entries, [*reports, _report(*extra)], reviewed, exists)
    assert after == [e for e in before if (e.file, e.rule) != extra]
    narrower = stale(entries, reports, reviewed - {extra[0]}, exists)
    assert narrower == [e for e in before if e.file != extra[0] or e.file in gone]


_ANY_RULE = st.sampled_from(("B602", "S105", "bandit/B602", "ruff/S105"))
_ANY_ENTRIES = st.lists(st.builds(
    lambda f, r, line, fp: BaselineEntry(source="b.json", file=f, rule=None if fp else r,
                                         line=line, fingerprint=fp),
    _FILES, _ANY_RULE, st.none() | st.integers(1, 3), st.none() | st.sampled_from(("f1", "f2"))),
    max_size=8)


def _any_report(file: str, rule: str, line: int, source: str, fingerprint: str) -> Finding:
    return _report(file, rule).model_copy(update={"start_line": line, "end_line": line,
                                                  "source": source, "fingerprint": fingerprint})


@settings(max_examples=150, deadline=None)
@given(entries=_ANY_ENTRIES, reviewed=st.sets(_FILES), gone=st.sets(_FILES),
       reported=st.lists(st.builds(_any_report, _FILES, st.sampled_from(("B602", "S105")),
                                   st.integers(1, 3), st.sampled_from(("bandit", "ruff")),
                                   st.sampled_from(("f1", "f2", "f3"))), max_size=6))
def test_the_indexed_judgement_is_every_entry_against_every_report(entries, reviewed, gone,
                                                                   reported) -> None:
    """The reports indexed by file, rule and fingerprint judge as matching each entry
    against each report (`baseline_matches`) did."""
    def exists(path: str) -> bool:
        return path not in gone

    naive = [e for e in entries if (e.file in reviewed or not exists(e.file))
             and not any(baseline_matches(e, r) for r in reported)]
    assert stale(entries, reported, reviewed, exists) == naive


@settings(max_examples=50, deadline=None)
@given(entries=_ANY_ENTRIES, unread=st.sets(_FILES), llm=st.booleans())
def test_an_entry_the_review_could_not_judge_is_said_so_never_stale(entries, unread,
                                                                    llm) -> None:
    """One whose file an analyzer did not analyse, or a fingerprint with no LLM reviewer,
    is not judged: never stale, named as not judged with why."""
    judged = judge(entries, [], {"a.py", "b.py", "c/d.env"}, lambda path: True,
                   unanalysed=dict.fromkeys(unread, "bandit: too large"), llm=llm)
    for entry in entries:
        blind = entry.file in unread or (entry.fingerprint is not None and not llm)
        assert (entry in judged.stale) is not blind
        assert any(e is entry for e, _ in judged.unjudged) is blind
    said = [unjudged(e, why) for e, why in judged.unjudged]
    assert all("could not be judged" in s and "stale" not in s.split("):")[0] for s in said)


def test_a_long_list_is_capped_in_the_views_and_whole_in_the_json() -> None:
    said = [f"entry {i}" for i in range(MAX_LISTED + 7)]
    shown = listed(said)
    assert shown[:MAX_LISTED] == said[:MAX_LISTED]
    assert shown[MAX_LISTED:] == ["… and 7 more baseline entries (--format json lists every "
                                  "one)"]
    assert listed(said[:MAX_LISTED]) == said[:MAX_LISTED]


@given(name=st.sampled_from(("./a.py", "a.py", ".//a.py", "./sub/./a.py", "sub//a.py")))
def test_an_entrys_file_is_named_as_a_change_names_it(name) -> None:
    entry, = parse_baseline(json.dumps({"version": 1, "findings": [
        {"rule": "B307", "file": name}]}))
    assert entry.file == ("sub/a.py" if "sub" in name else "a.py")
