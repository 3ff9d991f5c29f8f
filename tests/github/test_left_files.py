"""A finding on a file that left the pull request (the push reverted the file to the base) is
not fixed: its code may be exactly as it was, only no longer the PR's. Before, such findings
were marked "✅ Fixed", their threads resolved as fixed and counted in "fixed since the first
review" and in the summary's "Findings fixed". Now they are **no longer in this pull
request**: their threads resolved saying so, their markers recording it (`st: left`, or the
summary's `left` for a finding listed in a review body), never counted as fixed, and open
again if a later push brings the file back with the finding.

Generated: each set of files leaving (none, one, both of the PR's files with findings) ×
whether the push was reviewed whole or in part, over inline and body-listed findings, against
the fake GitHub API across three pushes."""

from __future__ import annotations

import itertools

import pytest

from reviewloop.findings.ledger import Status
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import parse_diff
from reviewloop.github.client import GitHubClient
from reviewloop.github.converge import LEFT, converge
from reviewloop.github.markers import read_marker, repository_key
from reviewloop.github.publish import Target, publish
from tests.support.publish import DIFF

REPO, PR = "octo/hello", 7
SHA1, SHA2, SHA3, SHA4 = (str(n) * 40 for n in range(1, 5))
KEY = repository_key(1296269)
CHANGES = parse_diff(DIFF)


def make(file: str, line: int, title: str, severity: Severity = Severity.MUST_FIX) -> Finding:
    return Finding(agent="review-security", severity=severity, file=file, start_line=line,
                   end_line=line, title=title, rationale="It breaks.", confidence=0.9)


SHELL = make("src/app.py", 5, "shell injection")  # inline
FAR = make("src/app.py", 10, "far from the diff")  # listed in the review body
NAME = make("new.py", 1, "unclear name", Severity.SHOULD_FIX)  # inline
FINDINGS = (SHELL, FAR, NAME)
LEAVING = (frozenset(), frozenset({"src/app.py"}), frozenset({"new.py"}),
           frozenset({"src/app.py", "new.py"}))
CASES = list(itertools.product(LEAVING, (True, False)))


def _marker(body: str) -> dict:
    marker = read_marker(body, KEY, "finding")
    assert marker is not None
    return marker.data


@pytest.mark.parametrize(("left", "whole"), CASES,
                         ids=[f"{'+'.join(sorted(a)) or 'none'}-{'whole' if w else 'part'}"
                              for a, w in CASES])
def test_a_finding_whose_file_left_the_pr_is_not_fixed(left: frozenset[str], whole: bool,
                                                       github_fake) -> None:
    github_fake.open_pr(REPO, PR, DIFF, head_sha=SHA1)
    with GitHubClient("tok", base_url=github_fake.url,
                      sleep=github_fake.sleeps.append) as gh:
        def push(head: str, current: list[Finding], gone: frozenset[str]):
            target = Target(gh, REPO, PR, head, KEY)
            state = target.read()
            reviewed = None if whole else parse_diff("")  # a part: none of these files
            conv = converge(state, current, reviewed, left=gone)
            result = publish(target, current, CHANGES, "## report\n", reviewed=reviewed,
                             state=state, convergence=conv)
            return conv, result

        push(SHA1, list(FINDINGS), frozenset())
        github_fake.push(REPO, PR, DIFF, head_sha=SHA2)
        stay = [f for f in FINDINGS if f.file not in left]
        conv, result = push(SHA2, stay, left)
        leaving = {f.fingerprint for f in FINDINGS if f.file in left}
        assert {p.fingerprint for p in conv.left} == leaving
        assert not {p.fingerprint for p in conv.fixed} & leaving
        entries = {e.id: e for e in result.ledger.entries}
        for fp in leaving:
            assert (entries[fp].status, entries[fp].reason) == (Status.OUT_OF_SCOPE, LEFT)
        assert len(result.ledger.with_status(Status.FIXED)) == 0
        markers = {c["id"]: _marker(c["body"]) for c in github_fake.state.review_comments}
        comments = {markers[c["id"]]["f"]["fp"]: c for c in github_fake.state.review_comments}
        for fp, comment in comments.items():
            marker = markers[comment["id"]]
            if fp in leaving:
                assert marker["st"] == "left"
                assert comment["body"].startswith("⏭️ **No longer in this pull request**")
                assert "Fixed" not in comment["body"]
            else:
                assert marker["st"] == "open"
        threads = [r for _, r in github_fake.thread_changes]
        assert threads == [True] * len({fp for fp in comments if fp in leaving})
        summary = github_fake.state.issue_comments[-1]["body"]
        assert "✅ 0 fixed since the first review" in summary
        assert (f"⏭️ {len(leaving)} no longer in this pull request" in summary) == bool(left)

        # the next push reads the states back: nothing is marked again, nothing fixed
        github_fake.push(REPO, PR, DIFF, head_sha=SHA3)
        conv, result = push(SHA3, stay, left)
        assert {p.fingerprint for p in conv.left_before} == leaving
        assert not conv.left and not conv.fixed and not conv.reopened
        assert [r for _, r in github_fake.thread_changes] == threads

        # the files come back with their findings: open again, on the same threads
        github_fake.push(REPO, PR, DIFF, head_sha=SHA4)
        conv, result = push(SHA4, list(FINDINGS), frozenset())
        assert {p.fingerprint for p in conv.reopened} == leaving
        assert not conv.new and len(result.ledger.with_status(Status.OPEN)) == len(FINDINGS)
