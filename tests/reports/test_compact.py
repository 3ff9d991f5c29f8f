"""The compact summary an agent reads first (the MCP server's answer): bounded however many
findings, files and reasons the review has, and still saying what matters — the verdict, the
counts of everything, the most severe findings first with their file:line, and every kind of
incompleteness."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.findings.ledger import Entry, Health, Ledger, Status
from reviewloop.findings.schema import Finding, Severity
from reviewloop.reports.compact import LISTED, MAX_BYTES, TOP, compact
from reviewloop.reports.report import CLEAN, ReviewerOutcome, RunSummary, to_json, verdict

BOUND = 8_000  # bytes of JSON, whatever the review holds
assert MAX_BYTES <= BOUND

NAME = st.text(alphabet="abcdefghij_/", min_size=1, max_size=300).map(
    lambda s: "d/" + s.strip("/").replace("//", "/") + ".py")
TITLE = st.text(min_size=1, max_size=120).filter(str.strip)


@st.composite
def findings(draw: st.DrawFn) -> list[Finding]:
    count = draw(st.integers(0, 400))
    severities = draw(st.lists(st.sampled_from(list(Severity)), min_size=count,
                               max_size=count))
    file, title = draw(NAME), draw(TITLE)
    return [Finding(severity=s, file=file, start_line=i + 1, end_line=i + 1,
                    title=title, rationale="why " * 200, confidence=0.9, agent="security",
                    rule=f"R{i}") for i, s in enumerate(severities)]


def summary(found: list[Finding], *, health: list[Health] = (), skipped: list[str] = (),
            llm: bool = True) -> RunSummary:
    ledger = Ledger(round=1, entries=[Entry.single(f, Status.OPEN, "test") for f in found],
                    health=list(health))
    return RunSummary(task_id="review", run_id="review-1", ledger=ledger, llm=llm,
                      skipped=list(skipped),
                      reviewers=[ReviewerOutcome(agent="security", status="ok",
                                                 findings_count=len(found))])


@settings(max_examples=25, deadline=None)
@given(found=findings(), files=st.lists(NAME, max_size=200, unique=True),
       reason=st.text(min_size=1, max_size=2000).filter(str.strip))
def test_the_compact_form_is_bounded_and_counts_everything(found, files, reason):
    health = [Health(kind="analyzer", name="bandit", agent="security", status="ok",
                     files=tuple(files), unread=dict.fromkeys(files, reason))]
    broken = [Health(kind="analyzer", name=f"tool{i}", status="failed", reason=reason)
              for i in range(30)]
    full = summary(found, health=health + broken, skipped=[f"{f}: {reason}" for f in files])

    small = compact(full)

    assert len(json.dumps(small, ensure_ascii=False).encode()) <= BOUND
    assert sum(sum(by.values()) for by in small["counts"].values()) == len(found)
    ranked = sorted(found, key=Finding.sort_key)[:TOP]
    assert [f["where"] for f in small["top_findings"]] == [
        f"{f.file}:{f.start_line}" for f in ranked]
    assert small["findings_not_shown"] == max(0, len(found) - TOP)
    gaps = small["incomplete"]
    assert gaps["files_not_analysed_total"] == len(files)
    # listed as far as they fit: the files not analysed before what did not run
    assert len(gaps["files_not_analysed"]) <= min(len(files), LISTED)
    assert gaps["not_run_total"] == 30 and len(gaps["not_run"]) <= LISTED
    assert not gaps["not_run"] or len(gaps["files_not_analysed"]) == min(len(files), LISTED)
    assert gaps["not_read_total"] == len(files) and not gaps["complete"]
    said = small["verdict"]  # whole, or its start
    assert said == verdict(full) or (said.endswith("…") and " ".join(
        verdict(full).split()).startswith(said[:-1]))


def test_a_clean_review_says_so_and_is_complete():
    small = compact(summary([]))
    assert small["verdict"] == CLEAN and small["clean"]
    assert small["incomplete"]["complete"] and small["top_findings"] == []


def test_the_compact_form_is_a_small_part_of_the_whole_report():
    found = [Finding(severity="must_fix", file=f"pkg/m{i}.py", start_line=3, end_line=3,
                     title="subprocess call with shell=True", rationale="why " * 50,
                     confidence=0.9, agent="security", rule="B602") for i in range(300)]
    full = summary(found, llm=False)
    whole = json.dumps(to_json(full))
    small = json.dumps(compact(full))
    assert len(small) * 20 < len(whole)
    assert compact(full)["top_findings"][0] == {
        "severity": "must_fix", "where": "pkg/m0.py:3", "rule": "B602",
        "title": "subprocess call with shell=True", "agent": "security"}
