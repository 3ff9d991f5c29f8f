"""A run's pull request: the title and body drawn from the run summary (pure), and opening or
updating it against the GitHub fake, which checks every request against GitHub's REST
description."""

from __future__ import annotations

from reviewloop.findings.ledger import Entry, Ledger, Status
from reviewloop.findings.schema import Finding
from reviewloop.github.client import GitHubClient
from reviewloop.github.run_pr import (
    ATTENTION_LABEL,
    findings_by_agent,
    pr_body,
    pr_title,
    publish,
    spend_text,
)
from reviewloop.reports.report import ReviewerOutcome, RunSummary
from tests.support.github import GitHubFake

REPO = "octo/tasks"
SECRET = "AKIA" + "Q3EGZ7M2XL5RT4NB"  # an AWS access key id the scanner knows


def finding(severity: str, agent: str, title: str = "a problem", line: int = 1) -> Finding:
    return Finding(severity=severity, file="calc.py", start_line=line, end_line=line,
                   title=title, rationale="because", confidence=0.9, agent=agent)


def summary(**extra) -> RunSummary:
    ledger = Ledger(round=2, entries=[
        Entry.single(finding("must_fix", "review-security", "SQL from a string"),
                     Status.FIXED, "fixed in round 2"),
        Entry.single(finding("should_fix", "review-security", "no timeout", 2),
                     Status.OPEN, "open"),
        Entry.single(finding("nit", "review-maintainability", "long name", 3),
                     Status.OPEN, "open"),
        Entry.single(finding("must_fix", "review-maintainability", "ignored", 4),
                     Status.SUPPRESSED, "suppressed")])
    data = {"task_id": "2.1", "task_title": "Add the calculator", "files_created": ["calc.py"],
            "rounds": 2, "ledger": ledger, "llm": True, "input_tokens": 12_345,
            "output_tokens": 678, "cost_usd": 0.0472,
            "reviewers": [ReviewerOutcome(agent=a, status="ok", findings_count=2)
                          for a in ("review-security", "review-maintainability")]}
    return RunSummary(**{**data, **extra})


def test_title_is_the_task():
    assert pr_title(summary()) == "2.1: Add the calculator"
    assert pr_title(summary(task_title="")) == "2.1"


def test_body_names_the_task_spend_findings_by_agent_and_the_report():
    body = pr_body(summary(), spec="specs/calc/tasks.md", run_id="2.1-20261123-1", budget_usd=0.5)
    assert body.startswith("Implements task **2.1: Add the calculator** from "
                           "`specs/calc/tasks.md`")
    assert "**Spend:** $0.0472 (12,345 tokens in / 678 out) of budget_usd $0.50" in body
    assert "Escalated" not in body
    assert "| review-security | ok | 1 | 1 | 0 | 1 |" in body  # the suppressed one not counted
    assert "| review-maintainability | ok | 0 | 0 | 1 | 0 |" in body
    assert "## Task 2.1: Add the calculator" in body  # the full report follows
    assert "SQL from a string" in body and "### Fixed" in body
    assert body.rstrip().endswith("a new run of the task updates this pull request.</sub>")
    assert "run `2.1-20261123-1`" in body


def test_escalations_come_first_redacted_and_unable_to_open_a_comment():
    body = pr_body(summary(escalations=[f"gate printed {SECRET} <!-- hidden"]), spec="t.md",
                   run_id="r")
    warning = body.index("> [!WARNING]")
    assert warning < body.index("**Spend:**")
    assert SECRET not in body
    assert "<!-- hidden" not in body


def test_spend_without_a_budget_or_a_price():
    assert spend_text(summary(), None) == "$0.0472 (12,345 tokens in / 678 out)"
    assert spend_text(summary(cost_usd=None), 1.0).startswith("unknown (")


def test_no_reviewer_no_table():
    assert findings_by_agent(summary(reviewers=[], ledger=Ledger())) == []


def test_opens_then_updates_never_a_second(github_fake: GitHubFake):
    with GitHubClient("t", base_url=github_fake.url, sleep=github_fake.sleeps.append) as gh:
        first = publish(gh, REPO, branch="reviewloop/2.1", base="main", title="2.1: A",
                        body="one", escalated=False)
        again = publish(gh, REPO, branch="reviewloop/2.1", base="main", title="2.1: B",
                        body="two", escalated=False)

    assert (first.created, again.created) == (True, False)
    assert first.number == again.number and first.draft is False
    [pull] = github_fake.pulls_of(REPO)
    assert (pull["title"], pull["body"], pull["head"]["label"]) == ("2.1: B", "two",
                                                                    "octo:reviewloop/2.1")
    assert len(github_fake.calls_to("pulls/create")) == 1


def test_escalated_opens_a_draft_with_the_label_which_a_clean_rerun_takes_off(
        github_fake: GitHubFake):
    with GitHubClient("t", base_url=github_fake.url, sleep=github_fake.sleeps.append) as gh:
        opened = publish(gh, REPO, branch="reviewloop/3", base="main", title="3", body="x",
                         escalated=True)
        publish(gh, REPO, branch="reviewloop/3", base="main", title="3", body="x",
                escalated=True)  # labelled already: nothing added twice
        assert [x["name"] for x in github_fake.pulls_of(REPO)[0]["labels"]] == [
            ATTENTION_LABEL]
        publish(gh, REPO, branch="reviewloop/3", base="main", title="3", body="y",
                escalated=False)

    assert opened.draft is True and opened.escalated is True
    assert github_fake.pulls_of(REPO)[0]["labels"] == []
    label = github_fake.labels[REPO][ATTENTION_LABEL]
    assert label["color"] == "d93f0b" and label["description"].startswith("A reviewloop run")
    assert len(github_fake.calls_to("issues/create-label")) == 1
    assert len(github_fake.calls_to("issues/add-labels")) == 1
    assert len(github_fake.calls_to("issues/remove-label")) == 1


def test_an_existing_label_is_used_as_it_is(github_fake: GitHubFake):
    github_fake.labels[REPO] = {ATTENTION_LABEL: {"name": ATTENTION_LABEL, "color": "000000"}}
    with GitHubClient("t", base_url=github_fake.url, sleep=github_fake.sleeps.append) as gh:
        publish(gh, REPO, branch="b", base="main", title="t", body="b", escalated=True)
    assert github_fake.calls_to("issues/create-label") == []
    assert github_fake.labels[REPO][ATTENTION_LABEL]["color"] == "000000"


def test_another_runner_opening_it_first_is_read_back_and_updated(
        github_fake: GitHubFake):
    with GitHubClient("t", base_url=github_fake.url, sleep=github_fake.sleeps.append) as gh:
        publish(gh, REPO, branch="b", base="main", title="t", body="theirs", escalated=False)
        # our list ran before theirs was opened: it saw nothing
        github_fake.fail_next(200, body=[], match="GET /repos/octo/tasks/pulls")
        ours = publish(gh, REPO, branch="b", base="main", title="t", body="ours",
                       escalated=False)

    assert ours.created is False
    assert [p["body"] for p in github_fake.pulls_of(REPO)] == ["ours"]
    assert len(github_fake.calls_to("pulls/create")) == 2  # the second was refused (422)


def test_a_create_github_did_but_did_not_answer_is_not_repeated(
        github_fake: GitHubFake):
    with GitHubClient("t", base_url=github_fake.url, sleep=github_fake.sleeps.append) as gh:
        publish(gh, REPO, branch="a", base="main", title="t", body="a", escalated=False)
        github_fake.fail_after_writes(2)  # the next write is carried out, then 502
        ref = publish(gh, REPO, branch="b", base="main", title="t", body="b",
                      escalated=False)
    assert github_fake.faults_after_write == ["POST /repos/octo/tasks/pulls"]
    assert [p["head"]["ref"] for p in github_fake.pulls_of(REPO)] == ["a", "b"]
    assert (ref.number, ref.created) == (2, False)
