"""SARIF output: valid against the official 2.1.0 schema, mapped the way code scanning reads it."""

from __future__ import annotations

import json

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop import __version__
from reviewloop.findings.ledger import Entry, Ledger, Status
from reviewloop.findings.schema import Finding, Severity
from reviewloop.reports import sarif
from reviewloop.reports.formats import sarif_text
from reviewloop.reports.report import LLM_OFF, ReviewerOutcome, RunSummary
from reviewloop.reports.sarif import to_sarif
from tests.support.paths import FIXTURES as FIXTURES_ROOT

SCHEMA = json.loads((FIXTURES_ROOT / "schemas/sarif-2.1.0.json").read_text())


def validate(log: dict) -> None:
    validator = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def open_ledger(findings) -> Ledger:
    return Ledger(round=1, entries=[Entry.single(f, Status.OPEN, "reported") for f in findings])


def make(**kw) -> Finding:
    base = {"agent": "review-security", "severity": Severity.MUST_FIX, "file": "src/app.py",
                "start_line": 3, "end_line": 4, "title": "SQL built from request data",
                "rationale": "An attacker controls the query.", "confidence": 0.9}
    return Finding(**{**base, **kw})


FINDINGS = [
    make(),
    make(agent="review-maintainability", severity=Severity.SHOULD_FIX, title="Long function",
         start_line=10, end_line=10, suggestion="Split it."),
    make(agent="review-security", source="bandit", rule="B602", severity=Severity.NIT,
         file="dir with space/run.py", title="subprocess with shell=True"),
    make(agent="review-performance", source="bandit", rule="B602", severity=Severity.MUST_FIX,
         file="tools/x.py", title="subprocess with shell=True"),
]
OK = [ReviewerOutcome(agent="review-security", status="ok")]


def test_valid_against_the_official_schema():
    log = to_sarif(open_ledger(FINDINGS), tool_version="0.1.0", reviewers=OK, llm=True)
    validate(log)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    assert len(log["runs"]) == 1


def test_the_schema_rejects_a_broken_log():
    log = to_sarif(open_ledger(FINDINGS), tool_version="0.1.0", llm=True)
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(AssertionError, match="level"):
        validate(log)


def test_one_rule_per_agent_or_analyzer_check():
    run = to_sarif(open_ledger(FINDINGS), tool_version="1.2.3", llm=True)["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "reviewloop" and driver["version"] == "1.2.3"
    ids = [r["id"] for r in driver["rules"]]
    assert ids == ["review-security/llm", "bandit/B602", "review-maintainability/llm"]
    bandit = driver["rules"][1]
    assert bandit["defaultConfiguration"]["level"] == "error"  # the worst level seen
    assert bandit["name"] == "BanditB602"
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_levels_fingerprints_and_locations():
    results = to_sarif(open_ledger(FINDINGS), tool_version="0", llm=True)["runs"][0]["results"]
    by_title = {r["message"]["text"].split("\n")[0]: r for r in results}
    sql = by_title["SQL built from request data"]
    assert sql["level"] == "error"
    assert sql["partialFingerprints"] == {"reviewloop/v2": FINDINGS[0].fingerprint,
                                          "reviewloopLocationHash/v1": "L3-4"}
    location = sql["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "src/app.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 3, "endLine": 4}
    assert by_title["Long function"]["level"] == "warning"
    assert "Suggestion: Split it." in by_title["Long function"]["message"]["text"]
    levels = sorted(r["level"] for r in results)
    assert levels == ["error", "error", "note", "warning"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "dir%20with%20space/run.py" in uris


def test_results_are_ordered_most_severe_first_and_deterministic():
    one = to_sarif(open_ledger(FINDINGS), tool_version="0", llm=True)
    two = to_sarif(open_ledger(list(reversed(FINDINGS))), tool_version="0", llm=True)
    assert one == two
    assert [r["level"] for r in one["runs"][0]["results"]][:2] == ["error", "error"]


def test_clean_full_run_is_successful_with_no_notifications():
    invocation = to_sarif(open_ledger([]), tool_version="0", reviewers=OK,
        llm=True)["runs"][0]["invocations"][0]
    assert invocation == {"executionSuccessful": True, "toolExecutionNotifications": []}


def test_failed_reviewer_and_llm_off_are_notifications():
    reviewers = [ReviewerOutcome(agent="review-security", status="ok"),
                 ReviewerOutcome(agent="review-performance", status="failed", error="timeout"),
                 ReviewerOutcome(agent="review-tests", status="skipped", reason=SCOPE)]
    log = to_sarif(open_ledger([]), tool_version="0", reviewers=reviewers, llm=False)
    validate(log)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = [(n["descriptor"]["id"], n["level"], n["message"]["text"])
             for n in invocation["toolExecutionNotifications"]]
    assert notes == [
        ("reviewer-failed", "error", "reviewer review-performance failed: timeout"),
        ("reviewer-skipped", "note", f"reviewer review-tests skipped: {SCOPE}"),
        ("llm-off", "warning", LLM_OFF),
    ]
    descriptors = {d["id"] for d in log["runs"][0]["tool"]["driver"]["notifications"]}
    assert {n[0] for n in notes} <= descriptors


SCOPE = "no changed file is in this reviewer's scope"


@pytest.mark.parametrize("reason", [SCOPE, "turned off by .kiro/agents/review-tests.json"])
def test_a_reviewer_skipped_for_its_scope_leaves_the_run_successful_and_says_why(reason):
    """As a review's verdict stays clean (`verdict_reasons`), so does SARIF's invocation: a
    reviewer with no changed file in its scope is a note with that reason, never a failed
    run ("skipped: no detail" on almost every Python change, the infrastructure reviewer's)."""
    reviewers = [ReviewerOutcome(agent="review-security", status="ok"),
                 ReviewerOutcome(agent="review-infrastructure", status="skipped", reason=reason)]
    log = to_sarif(open_ledger([]), tool_version="0", reviewers=reviewers, llm=True)
    validate(log)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    assert [(n["level"], n["message"]["text"]) for n in invocation[
        "toolExecutionNotifications"]] == [
        ("note", f"reviewer review-infrastructure skipped: {reason}")]


def test_too_many_results_are_truncated_least_severe_first(monkeypatch):
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    many = [make(severity=Severity.NIT, title=f"nit {i}", start_line=i + 1, end_line=i + 1)
            for i in range(4)] + [make(title="real problem")]
    log = to_sarif(open_ledger(many), tool_version="0", llm=True)
    validate(log)
    run = log["runs"][0]
    assert len(run["results"]) == 3
    assert run["results"][0]["message"]["text"].startswith("real problem")
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["descriptor"]["id"] == "results-truncated"
    assert note["message"]["text"].startswith("2 of 5 results left out")


def test_rule_limit_keeps_results_of_known_rules(monkeypatch):
    monkeypatch.setattr(sarif, "MAX_RULES", 1)
    log = to_sarif(open_ledger(FINDINGS), tool_version="0", llm=True)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["review-security/llm"]
    assert len(log["runs"][0]["results"]) == 1


def test_secrets_in_messages_are_redacted():
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    finding = make(title="Token committed", rationale=f"The token {token} is live.")
    text = to_sarif(open_ledger([finding]), tool_version="0", llm=True)["runs"][0]["results"][0]
    assert token not in json.dumps(text)
    assert "[REDACTED:" in text["message"]["text"]


def test_long_messages_are_cut():
    finding = make(rationale="x " * 10_000)
    text = to_sarif(open_ledger([finding]), tool_version="0",
        llm=True)["runs"][0]["results"][0]["message"]
    assert len(text["text"]) == sarif.MAX_MESSAGE
    assert text["text"].startswith("SQL built from request data")


_TEXTS = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(
    str.strip)


@settings(derandomize=True, max_examples=40, deadline=None)
@given(st.lists(st.tuples(_TEXTS, _TEXTS, st.floats(0, 1), st.sampled_from(list(Severity)),
                          st.sampled_from(list(Status))), min_size=0, max_size=8),
       st.booleans())
def test_the_sarif_text_is_the_log_as_json_dumps_writes_it(rows, llm: bool) -> None:
    """`sarif_text` writes the log with pydantic-core (UTF-8, any float spelling), not
    `json.dumps` with an indent: read back, every log is the same document."""
    findings = [make(title=title, rationale=why, confidence=confidence, severity=severity,
                     start_line=n + 1, end_line=n + 1)
                for n, (title, why, confidence, severity, _) in enumerate(rows)]
    ledger = Ledger(round=1, entries=[Entry.single(f, status, f"reported: {f.title}")
                                      for f, (*_, status) in zip(findings, rows, strict=True)])
    summary = RunSummary(task_id="review", ledger=ledger, reviewers=OK, llm=llm)
    text = sarif_text(summary)
    assert json.loads(text) == json.loads(json.dumps(to_sarif(
        ledger, tool_version=__version__, reviewers=OK, llm=llm), indent=2))
