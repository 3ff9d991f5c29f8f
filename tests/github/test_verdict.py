"""The PR's verdict from one source: the summary comment's headline and its Verdict line both
count the PR's ledger, never one the push and the other the PR (issue #23: "3 open" next to
"Verdict: clean"). And what `Delivery` says about publishing."""

from __future__ import annotations

from reviewloop.findings.ledger import Entry, Health, Ledger, Status
from reviewloop.findings.schema import Finding
from reviewloop.github.client import GitHubError
from reviewloop.github.converge import converge
from reviewloop.github.markers import repository_key
from reviewloop.github.posted import PostedState
from reviewloop.github.render import summary_body
from reviewloop.github.verdict import PUBLISHED, Delivery, pr_summary
from reviewloop.reports.render import to_markdown
from reviewloop.reports.report import CLEAN, FINDINGS_REMAIN, ReviewerOutcome, RunSummary, verdict

KEY = repository_key(42)
HEAD = "ab" * 20


def finding(severity: str, line: int, title: str) -> Finding:
    return Finding(severity=severity, file="app.py", start_line=line, end_line=line,
                   title=title, rationale="because", confidence=0.9, agent="review-security")


def clean_push() -> RunSummary:
    """A push whose own review found nothing, with every reviewer ok and the LLM on."""
    health = [Health(kind="reviewer", name="review-security", status="ok")]
    aside = Entry.single(finding("should_fix", 30, "old code"), Status.OUT_OF_SCOPE,
                         "outside the change")
    return RunSummary(task_id="review", task_title="abc...def", llm=True,
                      ledger=Ledger(round=1, entries=[aside], health=health),
                      reviewers=[ReviewerOutcome(agent="review-security", status="ok")])


def earlier_findings() -> Ledger:
    """The PR's ledger: three findings an earlier push posted, still open at this head."""
    return converge(PostedState(), [finding("must_fix", 3, "shell=True"),
                                    finding("should_fix", 5, "slow loop"),
                                    finding("nit", 7, "a name")]).ledger(HEAD)


def test_a_clean_push_on_a_pr_with_open_findings_is_not_clean():
    push = clean_push()
    assert verdict(push) == CLEAN  # the push alone: what the comment used to say
    pr = pr_summary(push, earlier_findings())
    assert verdict(pr) == FINDINGS_REMAIN
    body = summary_body(to_markdown(pr), HEAD, KEY, open_counts=pr.ledger.counts()["open"],
                        fixed_count=0)
    assert body.startswith("**Open on this pull request: 3**")
    assert f"**Verdict:** {FINDINGS_REMAIN}" in body and "Verdict:** clean" not in body
    assert "shell=True" in body  # the open findings are listed under the same verdict


def test_the_pr_view_keeps_the_push_health_and_what_it_set_aside():
    push = clean_push()
    pr = pr_summary(push, earlier_findings())
    assert pr.ledger.health == push.ledger.health
    assert [e.finding.title for e in pr.ledger.with_status(Status.OUT_OF_SCOPE)] == ["old code"]
    assert len(pr.ledger.with_status(Status.OPEN)) == 3


def test_a_pr_with_nothing_open_stays_clean():
    pr = pr_summary(clean_push(), Ledger(round=1))
    assert verdict(pr) == CLEAN


def test_delivery_says_what_failed_on_one_line():
    error = GitHubError("fake outage 502\nafter 4 retries", status=502, method="PATCH",
                        url="https://api.github.com/repos/o/r/issues/comments/7")
    failed = Delivery.failed(error, "publishing to the pull request")
    assert not failed.published and failed.fault
    assert failed.error == ("publishing to the pull request: PATCH https://api.github.com/"
                            "repos/o/r/issues/comments/7: HTTP 502: fake outage 502 after 4 "
                            "retries")
    assert "Re-run this job" in failed.note
    moved = Delivery.fell_back("the head moved", "> note")
    assert not moved.published and not moved.fault  # a designed fallback: findings decide
    assert PUBLISHED.published and not PUBLISHED.fault and PUBLISHED.error == ""
