"""A PR's open findings do not depend on comments people can change: a finding whose inline
comment or review-body listing was deleted, emptied or edited by someone (not dismissed
with the trusted `/reviewloop ignore`) is either still read from its marker or known to be
missing — listed open in the summary's signed marker — so that the next review is of the
whole PR and posts it again. Two runs at once leave second copies that the next run
retires. Text appended below a marker makes it no longer ours: the finding is missing.

The tampers are a library (`TAMPERS`), drawn by hypothesis over both places a finding is
posted (an inline comment, a review body); each end-to-end case is the Action's run against
the loopback GitHub fake, with a fresh PR at the same head as the oracle."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.findings.schema import SHORT_LENGTH, Finding, Severity
from reviewloop.git.diff import parse_diff
from reviewloop.github.client import GitHubClient
from reviewloop.github.markers import read_marker, repository_key, seal, strip_marker
from reviewloop.github.posted import read_state
from reviewloop.github.publish import Target, publish
from reviewloop.github.render import comment_body, review_body, summary_body
from reviewloop.github.threads import Identity
from tests.support.github import GitHubFake
from tests.support.pr_mode import git
from tests.support.pr_runs import payload, posted_fingerprints, review, shown, summary_comment
from tests.support.publish import DIFF
from tests.support.repos import branch_repo, commit

KEY = repository_key(1296269)
REPO, PR = "octo/hello", 7
SHA1, SHA2, SHA3 = (str(n) * 40 for n in range(1, 4))
BOT = {"login": "github-actions[bot]", "id": 41898282}
ME = Identity("github-actions", 41898282)
NOTE = "Maintainer: accepted risk, see #12."


def make(file: str, start: int, title: str) -> Finding:
    return Finding(agent="review-security", severity=Severity.MUST_FIX, file=file,
                   start_line=start, end_line=start, title=title, rationale="It breaks.",
                   confidence=0.9)


SHELL = make("src/app.py", 5, "shell injection")  # on the diff: an inline comment
FAR = make("src/app.py", 10, "far from the diff")  # not on it: listed in the review body


def _cut_marker(body: str) -> str:
    return strip_marker(body) + "\n"


def _break_signature(body: str) -> str:
    return body.replace(" -->", "0 -->")


# name → (what a writer does to the body (None: deletes the comment), whether the marker
# is still ours afterwards)
TAMPERS: dict[str, tuple[Callable[[str], str] | None, bool]] = {
    "delete": (None, False),
    "empty": (lambda body: "", False),
    "edit the marker away": (_cut_marker, False),
    "edit the signature": (_break_signature, False),
    "append a note": (lambda body: body.rstrip() + f"\n\n{NOTE}\n", False),
    "append (edited)": (lambda body: body + "(edited)", False),
    "reword the text": (lambda body: body.replace("It breaks", "It may break"), True),
    "prepend a note": (lambda body: f"{NOTE}\n\n{body}", True),
    "trailing space": (lambda body: body + " ", True),
    "CRLF": (lambda body: body.replace("\n", "\r\n"), True),
}


def _posted() -> tuple[list[dict], list[dict], list[dict]]:
    """A PR as one review left it: SHELL inline, FAR in the review body, the summary
    listing both open."""
    inline = [{"id": 11, "path": "src/app.py", "line": 5, "user": BOT,
               "body": comment_body(SHELL, KEY)}]
    reviews = [{"id": 21, "user": BOT, "body": review_body(SHA1, KEY, inline=[SHELL],
                                                           listed=[FAR], overflow=[])}]
    summary = [{"id": 31, "user": BOT, "body": summary_body(
        "report", SHA1, KEY, open_counts={"must_fix": 2}, fixed_count=0,
        open_ids=[SHELL.fingerprint, FAR.fingerprint], own_id=31)}]
    return inline, reviews, summary


@settings(max_examples=60, deadline=None)
@given(tamper=st.sampled_from(sorted(TAMPERS)), where=st.sampled_from(["inline", "review"]),
       also_summary=st.sampled_from(sorted(t for t, (_, kept) in TAMPERS.items() if kept)))
def test_a_tampered_findings_comment_never_makes_it_vanish(tamper: str, where: str,
                                                           also_summary: str) -> None:
    """Whatever a writer does to the comment or review body that carries a finding — and
    to the summary, short of breaking its marker — the finding is read as open from its
    marker, or it is missing and the next review is whole; never silently gone."""
    edit, kept = TAMPERS[tamper]
    inline, reviews, summary = _posted()
    victim = SHELL if where == "inline" else FAR
    items = inline if where == "inline" else reviews
    items[:] = [] if edit is None else [{**items[0], "body": edit(items[0]["body"])}]
    summary_edit = TAMPERS[also_summary][0]
    assert summary_edit is not None
    summary[0]["body"] = summary_edit(summary[0]["body"])
    state = read_state(inline, reviews, summary, KEY, identity=ME)
    assert state.summary_comment_id == 31
    if kept:
        assert state.findings[victim.fingerprint].state == "open"
        assert state.lost == frozenset() and state.last_review_whole
    else:
        assert victim.fingerprint not in state.findings
        assert state.lost == {victim.fingerprint[:SHORT_LENGTH]}
        assert not state.last_review_whole


def test_a_summary_from_before_the_open_set_loses_nothing_it_did_not_know() -> None:
    """An older release's summary has no open set: nothing is read as missing from it."""
    inline, reviews, _ = _posted()
    old = [{"id": 31, "user": BOT, "body": f"x\n\n_Last reviewed commit: {SHA1}_\n\n" + seal(
        "summary", {"head": SHA1, "open": {"must_fix": 2}, "whole": True, "fixed": [],
                    "id": 31}, KEY)}]
    state = read_state([], reviews, old, KEY, identity=ME)
    assert state.lost == frozenset() and state.last_review_whole
    assert read_state(inline, reviews, old, KEY, identity=ME).last_review_whole


def test_a_summary_that_records_no_id_of_its_own_is_retired_never_read() -> None:
    """A summary marker without its comment's id (an earlier release's, a creation cut
    short, or the token's account quoting a marker) is never read: the next review is
    whole, and the comment is retired; one recording another comment's id is a copy,
    neither read nor retired."""
    inline, reviews, summary = _posted()
    body = summary_body("report", SHA1, KEY, open_counts={"must_fix": 2}, fixed_count=0,
                        open_ids=[SHELL.fingerprint, FAR.fingerprint])
    state = read_state(inline, reviews, [{**summary[0], "body": body}], KEY, identity=ME)
    assert (state.summary_comment_id, state.extra_summaries) == (None, [31])
    assert state.unrecorded_summaries == (31,) and not state.last_review_whole
    copy = {**summary[0], "id": 32}
    state = read_state(inline, reviews, [copy], KEY, identity=ME)
    assert (state.summary_comment_id, state.extra_summaries) == (None, [])
    assert state.last_reviewed_head is None


# --- publishing against the fake -------------------------------------------------------


@pytest.fixture
def gh(github_fake):
    github_fake.open_pr(REPO, PR, DIFF, head_sha=SHA1)
    with GitHubClient("tok", base_url=github_fake.url, sleep=github_fake.sleeps.append) as c:
        yield c


def _publish(gh, head: str, **kw):
    return publish(Target(gh, REPO, PR, head, KEY), [SHELL, FAR], parse_diff(DIFF),
                   "## report\n", **kw)


def _ours(fake: GitHubFake, kind: str) -> list[dict]:
    items = fake.state.issue_comments if kind == "summary" else fake.state.review_comments
    return [c for c in items if read_marker(c["body"], KEY, kind)]  # type: ignore[arg-type]


@pytest.mark.parametrize("tamper", sorted(t for t, (_, kept) in TAMPERS.items() if not kept))
def test_a_finding_whose_comment_was_removed_is_posted_again(tamper: str, gh,
                                                             github_fake) -> None:
    _publish(gh, SHA1)
    edit = TAMPERS[tamper][0]
    (comment,) = github_fake.state.review_comments
    if edit is None:
        github_fake.state.review_comments.remove(comment)
    else:
        comment["body"] = edit(comment["body"])
    github_fake.push(REPO, PR, DIFF, head_sha=SHA2)
    state = Target(gh, REPO, PR, SHA2, KEY).read()
    assert state.lost == {SHELL.fingerprint[:SHORT_LENGTH]} and not state.last_review_whole
    result = _publish(gh, SHA2, state=state)  # the whole PR reviewed again: it is new
    assert result.open_counts["must_fix"] == 2 and result.inline_posted == 1
    assert [read_marker(c["body"], KEY, "finding").data["f"]["fp"]  # type: ignore[union-attr]
            for c in _ours(github_fake, "finding")] == [SHELL.fingerprint]
    assert Target(gh, REPO, PR, SHA2, KEY).read().lost == frozenset()


def test_second_copies_from_two_runs_at_once_are_retired_by_the_next_run(gh,
                                                                         github_fake) -> None:
    """Two runs that read the PR before either posted each post a summary and the inline
    comment; the next run keeps the oldest summary and one comment, and retires the rest
    (no marker, thread resolved), so every later run edits one of each."""
    empty = Target(gh, REPO, PR, SHA1, KEY).read()
    _publish(gh, SHA1, state=empty)
    _publish(gh, SHA1, state=empty)
    assert len(_ours(github_fake, "summary")) == len(_ours(github_fake, "finding")) == 2
    oldest = min(c["id"] for c in _ours(github_fake, "summary"))
    first_inline = min(c["id"] for c in _ours(github_fake, "finding"))
    github_fake.push(REPO, PR, DIFF, head_sha=SHA2)
    result = _publish(gh, SHA2)
    assert result.folded == 2 and result.open_counts["must_fix"] == 2
    assert [c["id"] for c in _ours(github_fake, "summary")] == [oldest]
    assert [c["id"] for c in _ours(github_fake, "finding")] == [first_inline]
    retired = [c for c in github_fake.state.review_comments if c["id"] != first_inline]
    assert [c["body"].startswith("_reviewloop: this finding is a second copy")
            for c in retired] == [True]
    second_summary = [c for c in github_fake.state.issue_comments if c["id"] != oldest]
    assert sorted(github_fake.minimized) == sorted(  # hidden as duplicates on GitHub too
        (c["node_id"], "DUPLICATE") for c in [*retired, *second_summary])
    state = Target(gh, REPO, PR, SHA3, KEY).read()
    assert state.duplicates == [] and state.extra_summaries == []
    assert _publish(gh, SHA2).folded == 0


# --- end to end: the Action's runs ------------------------------------------------------

BAD = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"


@pytest.mark.parametrize("tamper", random.Random(5).sample(sorted(TAMPERS), 2))
def test_a_tampered_comment_leaves_the_counts_of_a_fresh_review(tamper: str,
                                                                tmp_path: Path) -> None:
    """Push 1 flags shell=True; a writer tampers with the bot's inline comment; push 2
    changes another file. Push 2 counts what a fresh PR at its head counts, every finding
    a fresh PR posts is posted on this one (still, or again), and the one summary lists
    them all open."""
    root = branch_repo(tmp_path / "repo", {"README.md": "x\n"}, {"a.py": BAD})
    edit = TAMPERS[tamper][0]
    with GitHubFake() as gh:
        shown(gh, root)
        first = review(root, tmp_path / "run1", gh, payload(root, "opened"))
        assert first.outputs["must_fix"] == "1"
        (comment,) = [c for c in gh.state.review_comments if "B602" in c["body"]]
        if edit is None:
            gh.state.review_comments.remove(comment)
        else:
            comment["body"] = edit(comment["body"])
        before = git(root, "rev-parse", "HEAD")
        commit(root, {"notes.txt": "n\n"}, "notes")
        shown(gh, root, before=before)
        second = review(root, tmp_path / "run2", gh, payload(
            root, "synchronize", before=before, after=git(root, "rev-parse", "HEAD")))
        assert second.code == 1 and second.outputs["must_fix"] == "1"
        posted = posted_fingerprints(gh)
        assert len(summary_comment(gh)[1]["o"]) == SHORT_LENGTH * len(posted)
    with GitHubFake() as fresh:
        shown(fresh, root)
        assert review(root, tmp_path / "fresh", fresh,
                      payload(root, "opened")).counts() == second.counts()
        assert posted_fingerprints(fresh) == posted


def test_a_second_copy_deleted_meanwhile_is_left_alone(gh, github_fake) -> None:
    """A copy someone deleted between the read and the fold (GitHub: 404) is not an error."""
    empty = Target(gh, REPO, PR, SHA1, KEY).read()
    _publish(gh, SHA1, state=empty)
    _publish(gh, SHA1, state=empty)
    github_fake.push(REPO, PR, DIFF, head_sha=SHA2)
    state = Target(gh, REPO, PR, SHA2, KEY).read()
    (duplicate,) = state.duplicate_comments
    github_fake.state.review_comments[:] = [c for c in github_fake.state.review_comments
                                            if c["id"] != duplicate]
    result = _publish(gh, SHA2, state=state)
    assert result.folded == 1 and len(_ours(github_fake, "summary")) == 1


def test_a_token_that_may_not_hide_comments_still_retires_the_second_copies(
        gh, github_fake) -> None:
    """Hiding a comment is GraphQL; where the token may not use it, the second copies are
    still edited to say so, their markers gone, and the run goes on."""
    empty = Target(gh, REPO, PR, SHA1, KEY).read()
    _publish(gh, SHA1, state=empty)
    _publish(gh, SHA1, state=empty)
    github_fake.graphql_forbidden = True
    github_fake.push(REPO, PR, DIFF, head_sha=SHA2)
    result = _publish(gh, SHA2)
    assert result.folded == 2 and github_fake.minimized == []
    assert len(_ours(github_fake, "summary")) == len(_ours(github_fake, "finding")) == 1
