"""A reviewer's line over a run's rounds (`reports.summary.reviewer_outcomes`).

A fix round re-reviews only the fix: a reviewer that read the change in round 1 may have no
file of the fix in its scope and be skipped in round 2. That is not what it did over the
run (the report said "skipped — no changed file is in this reviewer's scope" of a reviewer
that had read the Dockerfile), and a finding reported again in round 2 is the same finding
(it was counted twice: "review-security: ok, 2 finding(s)" for one B101).

Generated (hypothesis, derandomized): a reviewer's rounds, each ok, skipped or failed,
reporting findings drawn from a small pool so that rounds repeat each other's.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.agent.models import UsageRecord
from reviewloop.findings.schema import Finding, Severity
from reviewloop.reports.summary import reviewer_outcomes
from reviewloop.review.reviewer import ReviewerOutcome as ReviewerRound

SCOPE = "no changed file is in this reviewer's scope"
POOL = [Finding(severity=Severity.SHOULD_FIX, file=name, start_line=line, end_line=line,
                title=f"{rule} here", rationale="r", confidence=0.9,
                agent="review-infrastructure", rule=rule, source="checkov")
        for name, line, rule in (("Dockerfile", 1, "CKV_DOCKER_7"),
                                 ("Dockerfile", 3, "CKV_DOCKER_8"),
                                 ("main.tf", 3, "CKV_AWS_20"), ("main.tf", 1, "CKV_AWS_18"))]


def round_of(no: int, status: str, findings: list[Finding], *, seconds: float = 1.0
             ) -> ReviewerRound:
    return ReviewerRound(agent="review-infrastructure", round=no, status=status,
                         findings=findings, duration_s=seconds,
                         summary=SCOPE if status == "skipped" else None,
                         error="timed out" if status == "failed" else None)


def test_a_reviewer_that_ran_in_round_one_and_had_nothing_in_the_fix_is_ok():
    rounds = [round_of(1, "ok", POOL), round_of(2, "skipped", POOL[:2])]
    [outcome] = reviewer_outcomes(rounds, [])
    assert (outcome.status, outcome.reason, outcome.error) == ("ok", None, None)
    assert outcome.findings_count == len(POOL)
    assert outcome.duration_s == 2.0


def test_a_finding_reported_in_every_round_is_counted_once():
    rounds = [round_of(n, "ok", POOL[:1]) for n in (1, 2, 3)]
    [outcome] = reviewer_outcomes(rounds, [])
    assert outcome.findings_count == 1


def test_a_reviewer_skipped_in_every_round_says_why():
    [outcome] = reviewer_outcomes([round_of(1, "skipped", []), round_of(2, "skipped", [])], [])
    assert (outcome.status, outcome.reason) == ("skipped", SCOPE)


def test_a_failure_in_any_round_is_the_run_s_and_keeps_its_error():
    rounds = [round_of(1, "failed", []), round_of(2, "ok", POOL), round_of(3, "skipped", [])]
    [outcome] = reviewer_outcomes(rounds, [])
    assert (outcome.status, outcome.error) == ("failed", "timed out")


def test_tokens_are_the_reviewer_s_own_review_calls():
    usage = [UsageRecord(agent="review-infrastructure", role="review", model="m",
                         input_tokens=10, output_tokens=2),
             UsageRecord(agent="review-infrastructure", role="fix", model="m",
                         input_tokens=99, output_tokens=99),
             UsageRecord(agent="review-security", role="review", model="m",
                         input_tokens=7, output_tokens=7)]
    [outcome] = reviewer_outcomes([round_of(1, "ok", []), round_of(2, "ok", [])], usage)
    assert (outcome.input_tokens, outcome.output_tokens) == (10, 2)


ROUNDS = st.lists(st.tuples(st.sampled_from(["ok", "skipped", "failed"]),
                            st.lists(st.sampled_from(POOL), max_size=4)),
                  min_size=1, max_size=5)


@settings(max_examples=120, derandomize=True, deadline=None)
@given(rounds=ROUNDS)
def test_over_any_rounds_status_and_count_are_the_run_s(rounds) -> None:
    built = [round_of(n, status, found) for n, (status, found) in enumerate(rounds, 1)]
    [outcome] = reviewer_outcomes(built, [])
    statuses = [status for status, _ in rounds]
    expected = ("failed" if "failed" in statuses else "ok" if "ok" in statuses else "skipped")
    assert outcome.status == expected
    assert (outcome.reason == SCOPE) == (expected == "skipped")
    distinct = {(f.file, f.rule) for _, found in rounds for f in found}
    assert outcome.findings_count == len(distinct)
    # metamorphic: a later round that skips the reviewer and re-reports what it found
    # changes nothing about a reviewer that ran
    again = [f for _, found in rounds for f in found]
    [later] = reviewer_outcomes([*built, round_of(len(built) + 1, "skipped", again)], [])
    if expected != "skipped":
        assert (later.status, later.findings_count) == (outcome.status, outcome.findings_count)
