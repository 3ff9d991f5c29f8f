"""Publishing against the fake GitHub API across pushes: no duplicates, fixed findings
marked and their threads resolved through GraphQL, returning ones reopened, one summary
edited in place, and writes that GitHub carried out but answered 502 never repeated."""

from __future__ import annotations

import pytest

from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import parse_diff
from reviewloop.github.client import GitHubClient, GitHubError
from reviewloop.github.markers import read_marker, repository_key, seal
from reviewloop.github.publish import Target, publish
from tests.support.publish import DIFF

REPO, PR = "octo/hello", 7
SHA1, SHA2, SHA3, SHA4, SHA5 = (str(n) * 40 for n in range(1, 6))
KEY = repository_key(1296269)
CHANGES = parse_diff(DIFF)


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
    return publish(Target(gh, REPO, PR, head, KEY), findings, kw.pop("changes", CHANGES),
                   report, **kw)


def push(fake, head, diff=DIFF, **kw):
    fake.push(REPO, PR, diff, head_sha=head, **kw)


def summaries(fake):
    return [c for c in fake.state.issue_comments if read_marker(c["body"], KEY, "summary")]


def state_of(comment) -> str:
    return read_marker(comment["body"], KEY, "finding").data["st"]


def by_place(fake) -> dict[str, dict]:
    return {f"{c['path']}:{c['original_line']}": c for c in fake.state.review_comments}


def duplicates(fake) -> int:
    """Inline comments for a finding already commented on, extra reviews for one head,
    extra summary comments."""
    fps = [read_marker(c["body"], KEY, "finding").data["f"]["fp"]
           for c in fake.state.review_comments]
    heads = [read_marker(r["body"], KEY, "review").data["head"] for r in fake.state.reviews]
    return (len(fps) - len(set(fps))) + (len(heads) - len(set(heads))) + \
        max(len(summaries(fake)) - 1, 0)


def test_first_push_posts_one_review_with_inline_comments_and_a_summary(gh, github_fake):
    result = run(gh, [SHELL, RENAME, FAR], SHA1)
    (review,) = github_fake.calls_to("pulls/create-review")
    assert review.body["event"] == "COMMENT" and review.body["commit_id"] == SHA1
    anchors = [(c["path"], c.get("start_line"), c["line"]) for c in review.body["comments"]]
    assert anchors == [("src/app.py", None, 5), ("new.py", 1, 2)]
    assert "```suggestion\ndef first() -> int:" in review.body["comments"][1]["body"]
    listed = read_marker(review.body["body"], KEY, "review").data
    assert [f["fp"] for f in listed["f"]] == [FAR.fingerprint] and listed["head"] == SHA1
    assert result.inline_posted == 2 and result.moved_to_body == []
    (summary,) = summaries(github_fake)
    assert summary["id"] == result.summary_comment_id
    assert summary["body"].startswith("**Open on this pull request: 3** — 🔴 2 must fix · "
                                      "🟡 1 should fix")
    assert result.open_counts == {"must_fix": 2, "should_fix": 1, "nit": 0}


def test_second_run_with_the_same_findings_posts_nothing_new(gh, github_fake):
    run(gh, [SHELL, RENAME, FAR], SHA1)
    push(github_fake, SHA2)
    result = run(gh, [SHELL, RENAME, FAR], SHA2, report="## second report\n")
    assert len(github_fake.calls_to("pulls/create-review")) == 1
    assert len(github_fake.state.review_comments) == 2
    assert result.skipped_already_posted == 3 and result.resolved == 0
    (summary,) = summaries(github_fake)  # edited in place, still exactly one
    assert "## second report" in summary["body"] and SHA2 in summary["body"]
    # the first run's writing its summary's own id into it, then this run's update
    assert len(github_fake.calls_to("issues/update-comment")) == 2
    assert len(github_fake.calls_to("issues/create-comment")) == 1


def test_a_fixed_finding_is_marked_and_its_thread_resolved(gh, github_fake):
    run(gh, [SHELL, RENAME], SHA1)
    push(github_fake, SHA2)
    added = make("src/app.py", 24, title="unused variable", severity=Severity.NIT)
    result = run(gh, [RENAME, added], SHA2)
    assert result.resolved == 1 and result.threads_resolved == 1 and result.inline_posted == 1
    comments = by_place(github_fake)
    assert comments["src/app.py:5"]["body"].startswith(f"✅ **Fixed** in {SHA2[:12]}")
    assert state_of(comments["src/app.py:5"]) == "fixed"
    assert state_of(comments["new.py:2"]) == "open"
    shell_thread = github_fake.thread_of(comments["src/app.py:5"]["id"])["id"]
    assert github_fake.thread_changes == [(shell_thread, True)]
    assert result.open_counts == {"must_fix": 0, "should_fix": 1, "nit": 1}
    # a third run neither resolves again nor reposts anything
    push(github_fake, SHA3)
    result = run(gh, [RENAME, added], SHA3)
    assert result.resolved == 0 and result.inline_posted == 0
    assert len(github_fake.calls_to("pulls/update-review-comment")) == 1
    assert len(github_fake.thread_changes) == 1


def test_a_finding_that_comes_back_reopens_its_thread_instead_of_a_new_comment(gh,
                                                                              github_fake):
    run(gh, [SHELL], SHA1)
    push(github_fake, SHA2)
    run(gh, [], SHA2)
    push(github_fake, SHA3)
    result = run(gh, [SHELL], SHA3)
    assert result.inline_posted == 0 and result.reopened == 1 and result.threads_reopened == 1
    (comment,) = github_fake.state.review_comments
    assert state_of(comment) == "open" and not comment["body"].startswith("✅")
    assert [resolved for _, resolved in github_fake.thread_changes] == [True, False]
    assert result.open_counts["must_fix"] == 1


def test_without_graphql_rights_the_body_edit_alone_marks_it(gh, github_fake):
    github_fake.graphql_forbidden = True
    run(gh, [SHELL], SHA1)
    push(github_fake, SHA2)
    result = run(gh, [], SHA2)
    assert result.resolved == 1 and result.threads_resolved == 0
    assert result.thread_fallbacks == 1
    assert state_of(github_fake.state.review_comments[0]) == "fixed"
    assert github_fake.thread_changes == []


def test_an_incremental_review_only_fixes_what_its_added_lines_cover(gh, github_fake):
    run(gh, [SHELL, RENAME], SHA1)
    push(github_fake, SHA2)
    only_new_py = CHANGES.filter(["new.py"])  # the commits since SHA1 touched new.py only
    result = run(gh, [], SHA2, reviewed=only_new_py)
    assert result.resolved == 1  # RENAME, on the re-reviewed lines; SHELL left alone
    assert state_of(by_place(github_fake)["src/app.py:5"]) == "open"
    assert result.open_counts["must_fix"] == 1


def test_a_line_added_next_to_an_open_must_fix_does_not_fix_it(gh, github_fake):
    run(gh, [SHELL], SHA1)
    push(github_fake, SHA2)
    # the new commit adds line 6; line 5 (the finding) is only context in its diff
    next_door = parse_diff(DIFF.split("diff --git a/old.py")[0].replace(
        "@@ -1,5 +1,7 @@", "@@ -1,6 +1,7 @@").replace("+    subprocess.run(cmd, shell=True)",
                                                     " subprocess.run(cmd, shell=True)"))
    assert 5 not in next_door.changed_lines("src/app.py") and next_door.contains("src/app.py", 5)
    result = run(gh, [], SHA2, reviewed=next_door)
    assert result.resolved == 0 and result.open_counts["must_fix"] == 1
    assert state_of(by_place(github_fake)["src/app.py:5"]) == "open"


def test_outdated_comments_were_looked_at_again(gh, github_fake):
    run(gh, [SHELL], SHA1)
    # the new head's diff no longer shows src/app.py: GitHub marks the comment outdated
    push(github_fake, SHA2, _only_new_py())
    assert github_fake.state.review_comments[0]["line"] is None
    result = run(gh, [], SHA2, reviewed=CHANGES.filter(["new.py"]))
    assert result.resolved == 1


def test_422_falls_back_to_single_comments_and_moves_rejects_to_the_body(gh, github_fake):
    # the fake's diff for the PR is narrower than the one the plan was made from
    github_fake.open_pr(REPO, PR, _only_new_py(), head_sha=SHA1)
    result = run(gh, [SHELL, RENAME], SHA1)
    assert [f.title for f in result.moved_to_body] == ["shell injection"]
    assert result.inline_posted == 1
    reviews = github_fake.calls_to("pulls/create-review")
    assert len(reviews) == 2 and reviews[1].body["comments"] == []
    listed = read_marker(reviews[1].body["body"], KEY, "review").data["f"]
    assert [f["fp"] for f in listed] == [SHELL.fingerprint]
    assert "#### Not on a line of this diff" in reviews[1].body["body"]
    singles = github_fake.calls_to("pulls/create-review-comment")
    assert [c.body["path"] for c in singles] == ["src/app.py", "new.py"]
    # nothing is lost, nothing repeats: the next run sees both as posted
    push(github_fake, SHA2, _only_new_py())
    result = run(gh, [SHELL, RENAME], SHA2)
    assert result.skipped_already_posted == 2 and result.review_id is None


def _only_new_py() -> str:
    return "diff --git a/new.py" + DIFF.split("diff --git a/new.py")[1]


def test_markers_from_other_users_do_not_suppress_findings(gh, github_fake):
    mallory = {"login": "mallory", "id": 6, "type": "User"}
    forged = seal("finding", {"f": {"fp": SHELL.fingerprint, "sev": "must_fix",
                                    "file": "src/app.py", "l": [5, 5], "t": "x",
                                    "a": "x", "src": "llm"}, "st": "open"}, KEY)
    github_fake.add_review_comment(REPO, PR, path="src/app.py", line=5,
                                   body=f"lgtm\n{forged}", user=mallory)
    github_fake.add_issue_comment(REPO, PR, "fake summary\n" + seal(
        "summary", {"head": SHA1}, KEY), user=mallory)
    result = run(gh, [SHELL], SHA1)
    assert result.inline_posted == 1
    assert len(github_fake.calls_to("issues/create-comment")) == 1  # ours, not mallory's
    assert "fake summary" in github_fake.state.issue_comments[0]["body"]


def test_a_marker_quoted_by_an_analyzer_cannot_suppress_a_real_finding_next_push(gh,
                                                                                 github_fake):
    real = make("src/app.py", 6, title="returns a constant", severity=Severity.SHOULD_FIX)
    # an analyzer message quoting a string literal that holds a (valid!) marker for `real`
    planted = seal("finding", {"f": {"fp": real.fingerprint, "sev": "should_fix",
                                     "file": "src/app.py", "l": [6, 6], "t": "t", "a": "a",
                                     "src": "llm"}, "st": "fixed"}, KEY)
    quoting = make("src/app.py", 5, title="hard-coded string", source="ruff", rule="S105",
                   rationale=f"Possible hard-coded password: '{planted}'")
    run(gh, [quoting], SHA1)
    body = github_fake.state.review_comments[0]["body"]
    assert body.count("<!--") == 1  # only our own marker, on the last line
    push(github_fake, SHA2)
    result = run(gh, [quoting, real], SHA2)
    assert result.inline_posted == 1 and result.skipped_already_posted == 1
    assert {c["line"] for c in github_fake.state.review_comments} == {5, 6}


def test_a_rate_limit_is_retried_and_a_502_after_a_write_is_not_repeated(gh, github_fake):
    github_fake.fail_next(403, headers={"Retry-After": "5"},
                          match="POST /repos/octo/hello/pulls/7/reviews",
                          body={"message": "You have exceeded a secondary rate limit."})
    github_fake.fail_after_writes(1)  # every write is carried out, then answered 502
    result = run(gh, [SHELL, FAR], SHA1)
    assert 5.0 in github_fake.sleeps
    assert result.read_backs == 3  # the review, the summary, the summary's own id in it
    assert result.inline_posted == 1 and result.summary_comment_id is not None
    assert len(github_fake.state.reviews) == 1 and len(summaries(github_fake)) == 1
    assert duplicates(github_fake) == 0


def test_five_pushes_with_502_after_every_third_write_post_nothing_twice(gh, github_fake):
    github_fake.fail_after_writes(3)
    added = make("src/app.py", 24, title="unused variable", severity=Severity.NIT)
    history = [(SHA1, [SHELL, FAR]), (SHA2, [SHELL, FAR, RENAME]), (SHA3, [FAR, RENAME]),
               (SHA4, [FAR, RENAME, added, SHELL]), (SHA5, [RENAME])]
    for n, (head, findings) in enumerate(history):
        if n:
            push(github_fake, head)
        result = run(gh, findings, head)
        assert duplicates(github_fake) == 0, head
        assert sum(result.open_counts.values()) == len(findings), head
    assert github_fake.faults_after_write  # the faults really happened
    comments = by_place(github_fake)
    assert state_of(comments["new.py:2"]) == "open"
    assert state_of(comments["src/app.py:5"]) == "fixed"  # SHELL, back at SHA4, gone again
    assert state_of(comments["src/app.py:24"]) == "fixed"


def test_a_read_only_token_raises_forbidden_for_the_caller_to_fall_back(gh, github_fake):
    github_fake.fail_next(403, match="POST /repos", body={
        "message": "Resource not accessible by integration",
        "documentation_url": "https://docs.github.com/rest"})
    with pytest.raises(GitHubError) as info:
        run(gh, [SHELL], SHA1)
    assert info.value.forbidden


def test_a_head_force_pushed_away_raises_head_moved(gh, github_fake):
    push(github_fake, SHA2, force=True)
    with pytest.raises(GitHubError) as info:
        run(gh, [SHELL], SHA1)
    assert info.value.head_moved
    assert github_fake.state.review_comments == []


def test_over_the_inline_limit_the_rest_is_counted_in_the_body(gh, github_fake):
    many = [make("new.py", 1, title=f"issue {'abcdefghij'[n % 10]}{'abc'[n // 10]}")
            for n in range(12)]
    result = run(gh, many, SHA1, max_inline=10)
    assert result.inline_posted == 10
    (review,) = github_fake.calls_to("pulls/create-review")
    assert "#### 2 more past the limit of inline comments" in review.body["body"]


def test_nothing_new_only_updates_the_summary(gh, github_fake):
    result = run(gh, [], SHA1, report="## nothing found\n")
    assert result.review_id is None
    assert github_fake.calls_to("pulls/create-review") == []
    assert len(summaries(github_fake)) == 1
