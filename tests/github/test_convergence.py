"""Publishing against the fake GitHub API across pushes: no duplicates, fixed findings
resolved, one summary edited in place, 422s and rate limits survived with nothing lost."""

from __future__ import annotations

import pytest

from reviewloop.diff import parse_diff
from reviewloop.findings import Finding, Severity
from reviewloop.github.client import GitHubClient, GitHubError
from reviewloop.github.publish import (
    RESOLVED_MARKER,
    SUMMARY_MARKER,
    fp_marker,
    plan_review,
    publish,
    review_pull_request,
)
from tests.fakes import github as fakes
from tests.github.test_publish import DIFF

REPO, PR = "octo/hello", 7
SHA1, SHA2, SHA3 = "1" * 40, "2" * 40, "3" * 40
CHANGES = parse_diff(DIFF)
github_fake = fakes.github_fake  # the fixture


def make(file: str, start: int, end: int | None = None, title: str = "problem",
         **kw) -> Finding:
    base = {"agent": "review-security", "severity": Severity.MUST_FIX, "file": file,
                "start_line": start, "end_line": end or start, "title": title,
                "rationale": "It breaks.", "confidence": 0.9}
    return Finding(**{**base, **kw})


SHELL = make("src/app.py", 5, title="shell injection")
RENAME = make("new.py", 1, 2, title="unclear name", severity=Severity.SHOULD_FIX,
              replacement="def first() -> int:\n    return 1\n")
FAR = make("src/app.py", 10, title="far from the diff")


@pytest.fixture
def gh(github_fake):
    github_fake.open_pr(REPO, PR, DIFF, head_sha=SHA1)
    with GitHubClient("tok", base_url=github_fake.url, sleep=github_fake.sleeps.append) as c:
        yield c


def run(gh, findings, head, report="## reviewloop report\n", **kw):
    return review_pull_request(gh, REPO, PR, head, findings, CHANGES, report, **kw)


def summaries(fake):
    return [c for c in fake.state.issue_comments if SUMMARY_MARKER in c["body"]]


def test_first_push_posts_one_review_with_inline_comments_and_a_summary(gh, github_fake):
    result = run(gh, [SHELL, RENAME, FAR], SHA1)
    (review,) = github_fake.calls_to("pulls/create-review")
    assert review.body["event"] == "COMMENT" and review.body["commit_id"] == SHA1
    anchors = [(c["path"], c.get("start_line"), c["line"]) for c in review.body["comments"]]
    assert anchors == [("src/app.py", None, 5), ("new.py", 1, 2)]
    assert "```suggestion\ndef first() -> int:" in review.body["comments"][1]["body"]
    assert fp_marker(FAR.fingerprint) in review.body["body"]  # unanchorable: in the body
    assert result.inline_posted == 2 and result.moved_to_body == []
    (summary,) = summaries(github_fake)
    assert summary["id"] == result.summary_comment_id
    assert f"<!-- reviewloop:head={SHA1} -->" in summary["body"]


def test_second_run_with_the_same_findings_posts_nothing_new(gh, github_fake):
    run(gh, [SHELL, RENAME, FAR], SHA1)
    github_fake.push(REPO, PR, DIFF, head_sha=SHA2)
    result = run(gh, [SHELL, RENAME, FAR], SHA2, report="## second report\n")
    assert len(github_fake.calls_to("pulls/create-review")) == 1
    assert len(github_fake.state.review_comments) == 2
    assert result.skipped_already_posted == 3 and result.resolved == 0
    (summary,) = summaries(github_fake)  # edited in place, still exactly one
    assert "## second report" in summary["body"] and SHA2 in summary["body"]
    assert len(github_fake.calls_to("issues/update-comment")) == 1
    assert len(github_fake.calls_to("issues/create-comment")) == 1


def test_a_fixed_finding_is_marked_resolved_and_a_new_one_posted(gh, github_fake):
    run(gh, [SHELL, RENAME], SHA1)
    github_fake.push(REPO, PR, DIFF, head_sha=SHA2)
    added = make("src/app.py", 24, title="unused variable", severity=Severity.NIT)
    result = run(gh, [RENAME, added], SHA2)
    assert result.resolved == 1 and result.inline_posted == 1
    bodies = {c["path"] + str(c["line"]): c["body"] for c in github_fake.state.review_comments}
    assert bodies["src/app.py5"].startswith(f"✅ **Resolved** in {SHA2[:12]}")
    assert RESOLVED_MARKER not in bodies["new.py2"]
    assert fp_marker(added.fingerprint) in bodies["src/app.py24"]
    # a third run neither resolves again nor reposts the resolved one
    result = run(gh, [RENAME, added], SHA3)
    assert result.resolved == 0 and result.inline_posted == 0
    assert len(github_fake.calls_to("pulls/update-review-comment")) == 1


def test_a_finding_that_comes_back_after_being_resolved_is_posted_again(gh, github_fake):
    run(gh, [SHELL], SHA1)
    run(gh, [], SHA2)
    result = run(gh, [SHELL], SHA3)
    assert result.inline_posted == 1
    assert len(github_fake.state.review_comments) == 2


def test_incremental_review_does_not_resolve_untouched_findings(gh, github_fake):
    run(gh, [SHELL, RENAME], SHA1)
    github_fake.push(REPO, PR, DIFF, head_sha=SHA2)
    only_new_py = CHANGES.filter(["new.py"])  # the commits since SHA1 touched new.py only
    result = run(gh, [], SHA2, reviewed=only_new_py)
    assert result.resolved == 1  # RENAME, on the re-reviewed lines; SHELL left alone
    resolved = [c["path"] for c in github_fake.state.review_comments
                if RESOLVED_MARKER in c["body"]]
    assert resolved == ["new.py"]


def test_outdated_comments_count_as_fixed(gh, github_fake):
    run(gh, [SHELL], SHA1)
    # the new head's diff no longer shows src/app.py: GitHub marks the comment outdated
    github_fake.push(REPO, PR, _only_new_py(), head_sha=SHA2)
    assert github_fake.state.review_comments[0]["line"] is None
    result = run(gh, [], SHA2, reviewed=CHANGES.filter(["new.py"]))
    assert result.resolved == 1


def test_422_falls_back_to_single_comments_and_moves_rejects_to_the_body(gh, github_fake):
    # the fake's diff for the PR is narrower than the one the plan was made from, as when
    # the branch moved on between computing the diff and posting
    github_fake.open_pr(REPO, PR, _only_new_py(), head_sha=SHA1)
    result = run(gh, [SHELL, RENAME], SHA1)
    assert [f.title for f in result.moved_to_body] == ["shell injection"]
    assert result.inline_posted == 1
    reviews = github_fake.calls_to("pulls/create-review")
    assert len(reviews) == 2 and reviews[1].body["comments"] == []
    assert fp_marker(SHELL.fingerprint) in reviews[1].body["body"]
    assert "#### Not on a line of this diff" in reviews[1].body["body"]
    singles = github_fake.calls_to("pulls/create-review-comment")
    assert [c.body["path"] for c in singles] == ["src/app.py", "new.py"]
    # nothing is lost, nothing repeats: the next run sees both as posted
    result = run(gh, [SHELL, RENAME], SHA2)
    assert result.skipped_already_posted == 2 and result.review_id is None


def _only_new_py() -> str:
    return "diff --git a/new.py" + DIFF.split("diff --git a/new.py")[1]


def test_markers_from_other_users_do_not_suppress_findings(gh, github_fake):
    github_fake.add_review_comment(REPO, PR, path="src/app.py", line=5,
                                   body=f"lgtm {fp_marker(SHELL.fingerprint)}",
                                   user={"login": "mallory", "id": 6, "type": "User"})
    github_fake.add_issue_comment(REPO, PR, f"fake summary {SUMMARY_MARKER}",
                                  user={"login": "mallory", "id": 6, "type": "User"})
    result = run(gh, [SHELL], SHA1)
    assert result.inline_posted == 1
    assert len(github_fake.calls_to("issues/create-comment")) == 1  # ours, not mallory's
    assert "fake summary" in github_fake.state.issue_comments[0]["body"]


def test_rate_limits_and_5xx_during_publishing_are_retried(gh, github_fake):
    github_fake.fail_next(403, headers={"Retry-After": "5"}, match="POST /repos/octo/hello/pulls/7/reviews",
                          body={"message": "You have exceeded a secondary rate limit."})
    github_fake.fail_next(502, match="POST /repos/octo/hello/issues/")
    result = run(gh, [SHELL], SHA1)
    assert result.inline_posted == 1 and result.summary_comment_id is not None
    assert 5.0 in github_fake.sleeps
    assert len(github_fake.state.reviews) == 1 and len(summaries(github_fake)) == 1


def test_a_read_only_token_raises_forbidden_for_the_caller_to_fall_back(gh, github_fake):
    github_fake.fail_next(403, match="POST", body={
        "message": "Resource not accessible by integration",
        "documentation_url": "https://docs.github.com/rest"})
    with pytest.raises(GitHubError) as info:
        run(gh, [SHELL], SHA1)
    assert info.value.forbidden


def test_over_the_inline_limit_the_rest_is_counted_in_the_body(gh, github_fake):
    many = [make("new.py", 1, title=f"issue {'abcdefghij'[n % 10]}{'abc'[n // 10]}")
            for n in range(12)]
    result = run(gh, many, SHA1, max_inline=10)
    assert result.inline_posted == 10
    (review,) = github_fake.calls_to("pulls/create-review")
    assert "#### 2 more past the limit of inline comments" in review.body["body"]


def test_publish_with_an_empty_plan_only_updates_the_summary(gh, github_fake):
    plan = plan_review([], CHANGES)
    result = publish(gh, REPO, PR, SHA1, plan, "## nothing found\n")
    assert result.review_id is None
    assert github_fake.calls_to("pulls/create-review") == []
    assert len(summaries(github_fake)) == 1
