"""Which comment is the pull request's summary, the one its state is read from: only one
reviewloop created — written by the token's own account, its marker recording the comment's
own id (`render.summary_body(own_id=…)`, written in right after creation) — and, when two
runs at once each created one, the oldest. The newest verified summary used to win, so a
later comment of the same account quoting a marker (the key is public: a workflow echoing
a PR author's text as `github-actions[bot]`) could become the state.

Generated (hypothesis): sets of comments by the token's account, another bot and a person,
each a summary that records its own id, one that records none (a creation cut short, an
older release, a quote), a copy recording another comment's id, a marker alone, or no
marker; in any order. The oracle is the rule above, each summary's head naming the comment
it came from."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.github.markers import repository_key, seal
from reviewloop.github.posted import read_state
from reviewloop.github.render import summary_body
from reviewloop.github.threads import Identity

KEY = repository_key(1296269)
ME = Identity("github-actions", 41898282)
USERS = {"me": {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"},
         "other bot": {"login": "greeter[bot]", "id": 99, "type": "Bot"},
         "person": {"login": "mallory", "id": 7, "type": "User"}}
KINDS = ("recorded", "unrecorded", "copy", "marker alone", "plain")


def _head(comment_id: int) -> str:
    return f"{comment_id:040x}"


def _body(kind: str, comment_id: int, other_id: int) -> str:
    own = {"recorded": comment_id, "copy": other_id}.get(kind)
    if kind == "marker alone":
        return "You wrote:\n\n" + seal("summary", {"head": _head(comment_id), "whole": True,
                                                   "id": comment_id}, KEY) + "\n"
    if kind == "plain":
        return "Thanks for the pull request!"
    return summary_body("report", _head(comment_id), KEY, open_counts={"must_fix": 1},
                        fixed_count=0, own_id=own)


@st.composite
def comment_sets(draw: st.DrawFn) -> list[dict[str, Any]]:
    ids = draw(st.lists(st.integers(1, 10_000), min_size=1, max_size=8, unique=True))
    comments = []
    for comment_id in ids:
        kind = draw(st.sampled_from(KINDS))
        other = draw(st.sampled_from([i for i in ids if i != comment_id] or [comment_id + 1]))
        comments.append({"id": comment_id, "user": USERS[draw(st.sampled_from(sorted(USERS)))],
                         "body": _body(kind, comment_id, other), "kind": kind,
                         "html_url": f"https://github.com/octo/hello/pull/7#c{comment_id}"})
    return comments


@given(comment_sets())
def test_the_summary_is_the_oldest_reviewloop_created_and_its_state_is_read_from_it(
        comments: list[dict[str, Any]]) -> None:
    state = read_state([], [], comments, KEY, identity=ME)
    mine = [c for c in comments if c["user"] is USERS["me"]]
    created = sorted(c["id"] for c in mine if c["kind"] == "recorded")
    retired = sorted({*created[1:], *(c["id"] for c in mine if c["kind"] == "unrecorded")})
    if created:
        assert state.summary_comment_id == created[0]
        assert state.last_reviewed_head == _head(created[0])
    else:
        assert state.summary_comment_id is None and state.last_reviewed_head is None
    assert state.extra_summaries == retired  # never another account's, never a copy
    assert state.unrecorded_summaries == tuple(
        c["id"] for c in mine if c["kind"] == "unrecorded")
    assert state.last_review_whole == (len(created) == 1)  # two: not known whole
    assert {url for _, url in state.other_summaries} == {
        c["html_url"] for c in comments if c["user"] is USERS["other bot"]
        and c["kind"] in ("recorded", "unrecorded", "copy")}


@given(comment_sets(), st.randoms(use_true_random=False))
def test_the_order_the_api_lists_comments_in_changes_nothing(
        comments: list[dict[str, Any]], rnd: Any) -> None:
    shuffled = list(comments)
    rnd.shuffle(shuffled)
    one, two = (read_state([], [], c, KEY, identity=ME) for c in (comments, shuffled))
    assert (one.summary_comment_id, one.last_reviewed_head, sorted(one.extra_summaries)) == \
        (two.summary_comment_id, two.last_reviewed_head, sorted(two.extra_summaries))


def test_two_summaries_reviewloop_created_make_the_next_review_whole() -> None:
    """Two runs at once each created one: the oldest is kept, but the newest may hold the
    later state, so nothing is taken as already reviewed."""
    def summary(comment_id: int) -> dict[str, Any]:
        body = summary_body("report", _head(comment_id), KEY, open_counts={}, fixed_count=0,
                            open_ids=[], own_id=comment_id)
        return {"id": comment_id, "user": USERS["me"], "body": body}

    assert read_state([], [], [summary(5)], KEY, identity=ME).last_review_whole
    state = read_state([], [], [summary(9), summary(5)], KEY, identity=ME)
    assert (state.summary_comment_id, state.extra_summaries) == (5, [9])
    assert not state.last_review_whole


@given(st.booleans(), st.booleans())
def test_the_summary_marker_says_whether_the_tests_and_the_llm_reviewers_ran(
        tests: bool, llm: bool) -> None:
    """What the next push compares with its own run: a review without the tests (or the LLM
    reviewers) judged no file by them (`app.pull_request`); a marker written before it said
    so reads as the tests not run, the LLM reviewers run."""
    body = summary_body("report", _head(5), KEY, open_counts={}, fixed_count=0,
                        own_id=5, tests=tests, llm=llm)
    state = read_state([], [], [{"id": 5, "user": USERS["me"], "body": body}], KEY,
                       identity=ME)
    assert (state.last_review_tests, state.last_review_llm) == (tests, llm)
    older = seal("summary", {"head": _head(6), "whole": True, "id": 6}, KEY)
    state = read_state([], [], [{"id": 6, "user": USERS["me"], "body": "r\n\n" + older}], KEY,
                       identity=ME)
    assert (state.last_review_tests, state.last_review_llm) == (False, True)
