"""Publishing a push's review on a pull request, so that the PR converges: one review per
push with only what is new, fixed findings marked and their threads resolved, findings that
come back reopened where they were, one summary comment edited in place.

The decisions are pure (`converge.py`, `plan.py`, `render.py`); this module is the edge.
Writes that create something are idempotent by reading back: when GitHub fails to answer a
create (`GitHubError.uncertain`: a 5xx or a dropped connection, after which the write may or
may not have happened), the publisher reads the PR's comments again, finds its own markers,
and posts only what is still missing. Edits and thread changes set a state, so repeating
them is harmless. A fixed finding's comment is edited to say so (its marker records the
state: that is how the next push knows) and its thread resolved through GraphQL; where the
token may not resolve threads, the edit alone remains. Second copies that two runs at
once left (two summaries, two inline comments for one finding) are retired (`_fold`).
An open finding whose file a push renamed moves with it (`_carry`): a comment on its new
path carries its marker on, and the old one, now an outdated thread on a path the PR no
longer has, is resolved and edited to point there, without a marker (so no later push reads
two comments for it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, TypeVar

from reviewloop.findings.ledger import Health, Ledger, Status
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import ChangeSet
from reviewloop.github.client import GitHubClient, GitHubError
from reviewloop.github.converge import Code, Convergence, converge, locate
from reviewloop.github.plan import MAX_INLINE, ReviewPlan, plan_review
from reviewloop.github.posted import PostedFinding, PostedState, fetch_state
from reviewloop.github.records import POSTED
from reviewloop.github.render import (
    carried,
    followed_in,
    moved_away,
    moved_here,
    restated,
    review_text,
    summary_body,
    superseded,
)
from reviewloop.github.threads import Identity, set_resolved

MAX_READ_BACKS = 3  # uncertain creates recovered per publish before giving up
T = TypeVar("T")


@dataclass
class PublishResult:
    review_id: int | None = None
    inline_posted: int = 0
    moved_to_body: list[Finding] = field(default_factory=list)  # rejected by GitHub (422)
    resolved: int = 0  # findings marked fixed at this head
    left: int = 0  # findings marked no longer in the PR at this head (thread resolved)
    reopened: int = 0
    threads_resolved: int = 0
    threads_reopened: int = 0
    thread_fallbacks: int = 0  # fixed or reopened by the body edit alone
    skipped_already_posted: int = 0
    unshown: int = 0  # new findings past the review body's size limit: in no marker
    summary_comment_id: int | None = None
    read_backs: int = 0  # uncertain writes settled by reading the PR back
    folded: int = 0  # second copies of our comments retired (`_fold`)
    carried: int = 0  # open findings whose comment moved to their renamed file (`_carry`)
    convergence: Convergence = field(default_factory=Convergence)
    ledger: Ledger = field(default_factory=Ledger)  # the PR's findings after this push

    @property
    def open_counts(self) -> dict[str, int]:
        """Open findings on the whole PR by severity: the ledger's, and the summary's."""
        return self.ledger.counts()["open"]


@dataclass(frozen=True)
class Target:
    """Where to publish: the PR, the head the review was made on, the marker key."""

    client: GitHubClient
    repo: str
    number: int
    head_sha: str
    key: bytes
    identity: Identity | None = None
    base: tuple[str, str] | None = None  # the PR's base (commit, branch) judged against

    def read(self) -> PostedState:
        return fetch_state(self.client, self.repo, self.number, self.key,
                           identity=self.identity)


def publish(target: Target, findings: Sequence[Finding], changes: ChangeSet,
            report_markdown: str, *, reviewed: ChangeSet | None = None,
            max_inline: int = MAX_INLINE, state: PostedState | None = None,
            code: Code | None = None, health: Sequence[Health] = (),
            convergence: Convergence | None = None, llm: bool = True) -> PublishResult:
    """Converge the PR on `findings` (the analysis at `target.head_sha`; `changes` is the
    whole PR diff, `reviewed` the part analysed again, None for all of it; `code` reads a
    file at the head, `health` says which reviewers and analyzers ran — see `converge`;
    `convergence`: the caller's own `converge` of the same `state`, so that what it reports
    and what is posted come from one decision; `llm`: whether the LLM reviewers ran).

    The summary's marker records whether the review was whole (`whole`, and every new
    finding shown: one past the review body's size limit is in no marker, so only a review
    of the whole PR finds it again); when not, the next push reviews the whole PR.

    A 422 on the review (an anchor GitHub will not take) falls back to posting the comments
    one by one; those rejected go to the review body. Other API errors propagate as
    `GitHubError` (`.forbidden` for a read-only fork token, `.head_moved` when the head is no
    longer in the PR) for the caller to fall back to annotations and the job summary.
    """
    state = state if state is not None else target.read()
    result = PublishResult()
    _fold(target, state, result)
    conv = convergence or converge(state, findings, reviewed, code=code, health=health)
    plan = plan_review(conv.new, changes, target.key, max_inline=max_inline)
    result.convergence, result.ledger = conv, conv.ledger(target.head_sha)
    result.skipped_already_posted = len(conv.still_open) + len(conv.reopened)
    if not plan.empty:
        _post_review(target, plan, result)
    for posted in conv.fixed:
        _mark(target, posted, "fixed", result)
    for posted in conv.left:
        _mark(target, posted, "left", result)
    for posted in conv.reopened:
        if not (renamed(posted) and _carry(target, posted, changes, code, result, state)):
            _mark(target, posted, "open", result)
        else:
            result.reopened += 1
    for posted in conv.still_open:
        if renamed(posted):
            _carry(target, posted, changes, code, result, state)
    body = summary_body(report_markdown, target.head_sha, target.key,
                        open_counts=result.open_counts,
                        fixed_count=len(result.ledger.with_status(Status.FIXED)),
                        body_fixed=conv.body_fixed(),
                        whole=whole(health) and not result.unshown, llm=llm,
                        base=target.base,
                        left_count=len(result.ledger.with_status(Status.OUT_OF_SCOPE)),
                        body_left=conv.body_left(),
                        open_ids=[e.id for e in result.ledger.with_status(Status.OPEN)],
                        edited=state.edited_summaries, elsewhere=state.other_summaries)
    result.summary_comment_id = _upsert_summary(target, state.summary_comment_id, body,
                                                result)
    return result


def whole(health: Sequence[Health]) -> bool:
    """Whether a review read every file it was to read: no analyzer or reviewer failed or
    was missing (a tool not installed left its files unread; a later push that does not
    touch them must still read them — with the tool, if it has arrived — or stay
    incomplete for them, never forget them), none left a file unread."""
    return not any(h.status in ("failed", "missing") or h.gaps() for h in health)


def _fold(target: Target, state: PostedState, result: PublishResult) -> None:
    """Retire the second copies two runs at once left (a second summary, a second inline
    comment for one finding): each is edited to say so, without a marker, its thread
    resolved, so that the PR keeps one of each and no later run reads them again."""
    client = target.client
    carried = interrupted(state)
    for posted in state.duplicates:
        if carried.get(posted.fingerprint) is posted:
            continue  # the new comment of a move cut short: `_carry` finishes it
        kept = state.findings.get(posted.fingerprint)
        # on another path than the copy kept: a move cut short whose rename was then undone
        # (or whose file went), not a second run's copy
        text = followed_in(kept.path, kept.line or kept.record.start_line,
                           f"#discussion_r{kept.comment_id}") \
            if kept is not None and kept.inline and kept.path != posted.path \
            else superseded("finding")
        if posted.comment_id is not None and _gone_or(partial(
                client.update_review_comment, target.repo, posted.comment_id, text)):
            result.folded += 1
        if posted.thread is not None:  # after the edit, as in `_moved_from`
            set_resolved(client, posted.thread, True)
    for comment_id in state.extra_summaries:
        if _gone_or(partial(client.update_issue_comment, target.repo, comment_id,
                            superseded("summary"))):
            result.folded += 1


def renamed(posted: PostedFinding) -> bool:
    """Whether `posted`'s inline comment is on a path its file was renamed from (its record
    followed the rename: `github.followup`)."""
    return posted.inline and posted.path != posted.record.file


def interrupted(state: PostedState) -> dict[str, PostedFinding]:
    """The comments a `_carry` cut short left on a renamed file's new path (the old comment
    still carrying the marker too), by fingerprint."""
    out = {}
    for copy in state.duplicates:
        main = state.findings.get(copy.fingerprint)
        if main is not None and renamed(main) and copy.path == main.record.file:
            out[copy.fingerprint] = copy
    return out


def _carry(target: Target, posted: PostedFinding, changes: ChangeSet, code: Code | None,
           result: PublishResult, state: PostedState) -> bool:
    """Post `posted`'s comment on its file's new path, then resolve the old thread and edit
    the old comment to point there; False (nothing done) when no line of the PR's diff shows
    it there or GitHub refuses the anchor: the old comment carries it on, and the summary
    lists it at its new place. New before old: if the edit fails, the next run reads two
    comments for it, and takes the one on the new path for the new comment (`interrupted`:
    not retired as a second copy, not posted again) to finish the move."""
    cut_short = interrupted(state).get(posted.fingerprint)
    if cut_short is not None and cut_short.comment_id is not None:
        return _moved_from(target, posted, cut_short.path, cut_short.line or 0,
                           _carried_to(target, posted.fingerprint, cut_short.path), result)
    entry = result.ledger.find([posted.fingerprint])
    if entry is None:
        return False
    finding = entry.finding
    reported = finding.rationale != POSTED and finding.file == posted.record.file
    if not reported:  # not reported again: where its code is now, its words from the comment
        where = locate(posted.record, code) if code is not None else None
        lines = where if isinstance(where, tuple) else (posted.record.start_line,
                                                         posted.record.end_line)
        finding = posted.record.finding().model_copy(
            update={"start_line": lines[0], "end_line": lines[1]})
    planned = plan_review([finding], changes, target.key, max_inline=1).inline
    body = planned[0].body if planned and reported else \
        carried(posted.body, finding, target.key) if planned else None
    if not planned or body is None:
        return False
    comment = replace(planned[0], body=moved_here(body, posted.path, target.head_sha))
    try:
        made = _create_once(partial(target.client.create_review_comment, target.repo,
                                    target.number, commit_id=target.head_sha,
                                    comment=comment.payload()),
                            partial(_carried_to, target, posted.fingerprint, comment.path),
                            result)
    except GitHubError as exc:
        if not exc.unprocessable or exc.head_moved:
            raise
        return False
    return _moved_from(target, posted, comment.path, comment.line, made, result)


def _moved_from(target: Target, posted: PostedFinding, path: str, line: int,
                made: dict[str, Any] | None, result: PublishResult) -> bool:
    """Edit `posted`'s old comment to point to `made`, the comment that carries it on at
    `path`:`line`, then resolve its thread. Edit first: an edit that fails leaves the old
    comment's marker `open` on a live thread (never an open finding whose only marked
    comment is resolved); the next run finishes the move, or keeps the old comment if the
    rename was undone. Once the edit is made, the move is: a thread GitHub then fails to
    resolve stays open, as where the token may not resolve threads, and the push's
    publishing goes on (its summary records the head the new comment was posted at)."""
    if posted.comment_id is not None:
        url = str((made or {}).get("html_url", ""))
        _gone_or(partial(target.client.update_review_comment, target.repo, posted.comment_id,
                         moved_away(path, line, url, target.head_sha)))
    try:
        resolved = posted.thread is None or set_resolved(target.client, posted.thread, True)
    except GitHubError as exc:
        if exc.head_moved:
            raise
        resolved = False
    result.thread_fallbacks += not resolved
    result.carried += 1
    return True


def _carried_to(target: Target, fingerprint: str, path: str) -> dict[str, Any] | None:
    """Our comment carrying `fingerprint` on `path`, when the PR shows one (read back: while
    the old comment keeps its marker, the new one reads as its second copy)."""
    now = target.read()
    found = next((p for p in (*now.findings.values(), *now.duplicates)
                  if p.fingerprint == fingerprint and p.path == path and p.inline), None)
    if found is None:
        return None
    return {"id": found.comment_id, "html_url": f"#discussion_r{found.comment_id}"}


def _gone_or(edit: Callable[[], object]) -> bool:
    """`edit()`; False when its comment is gone (404: deleted since it was read)."""
    try:
        edit()
    except GitHubError as exc:
        if exc.status != 404:
            raise
        return False
    return True


def _post_review(target: Target, plan: ReviewPlan, result: PublishResult) -> None:
    """Post `plan`; after an uncertain failure, read back and post only what is missing."""
    remaining = plan
    for _ in range(MAX_READ_BACKS + 1):
        try:
            _create_review(target, remaining, result)
            return
        except GitHubError as exc:
            if not exc.uncertain or result.read_backs >= MAX_READ_BACKS:
                raise
            result.read_backs += 1
            now = target.read()
            done = remaining.fingerprints & now.fingerprints
            result.inline_posted += sum(1 for c in remaining.inline
                                        if c.finding.fingerprint in done)
            remaining = remaining.without(done)
            if remaining.empty:
                return


def _create_review(target: Target, plan: ReviewPlan, result: PublishResult) -> None:
    client, repo, pr, head = target.client, target.repo, target.number, target.head_sha
    inline = [c.finding for c in plan.inline]
    try:
        body, unshown = review_text(head, target.key, inline=inline,
                                    listed=plan.body_findings, overflow=plan.overflow)
        review = client.create_review(
            repo, pr, commit_id=head, comments=[c.payload() for c in plan.inline], body=body)
        result.review_id, result.inline_posted = review["id"], result.inline_posted + len(inline)
        result.unshown = unshown
        return
    except GitHubError as exc:
        if not exc.unprocessable or exc.head_moved or not plan.inline:
            raise
    posted = []
    for comment in plan.inline:
        try:
            client.create_review_comment(repo, pr, commit_id=head, comment=comment.payload())
            result.inline_posted += 1
            posted.append(comment.finding)
        except GitHubError as exc:
            if not exc.unprocessable or exc.head_moved:
                raise
            result.moved_to_body.append(comment.finding)
    body, unshown = review_text(head, target.key, inline=posted,
                                listed=[*plan.body_findings, *result.moved_to_body],
                                overflow=plan.overflow)
    review = client.create_review(repo, pr, commit_id=head, comments=[], body=body)
    result.review_id, result.unshown = review["id"], unshown


def _mark(target: Target, posted: PostedFinding, state: str, result: PublishResult) -> None:
    """Resolve (`fixed`, `left`) or reopen (`open`) the finding's thread, then record
    `state` in its own comment.

    The marker is written last: it is what the next run reads, so a failure before it
    leaves the finding in its old state and a re-run does both steps again (setting a
    thread's state twice is harmless), never a marker that claims a thread it did not move."""
    resolve = state != "open"
    if state == "fixed":
        result.resolved += 1
    elif state == "left":
        result.left += 1
    else:
        result.reopened += 1
    if not posted.inline:
        return  # listed in a review body: the summary marker carries its state
    threaded = posted.thread is not None and set_resolved(target.client, posted.thread,
                                                          resolve)
    body = restated(posted.body, target.key, state, target.head_sha,
                    away=state == "open" and posted.outdated)
    if body is not None and posted.comment_id is not None:
        target.client.update_review_comment(target.repo, posted.comment_id, body)
    if not threaded:
        result.thread_fallbacks += 1
    elif resolve:
        result.threads_resolved += 1
    else:
        result.threads_reopened += 1


def _upsert_summary(target: Target, comment_id: int | None, body: str,
                    result: PublishResult) -> int:
    client = target.client
    if comment_id is not None:
        return client.update_issue_comment(target.repo, comment_id, body)["id"]

    def create() -> int:
        return client.create_issue_comment(target.repo, target.number, body)["id"]

    def found() -> int | None:  # created by the attempt that failed, with this body
        return target.read().summary_comment_id

    return _create_once(create, found, result)


def _create_once(create: Callable[[], T], found: Callable[[], T | None],
                 result: PublishResult) -> T:
    """`create()`, and after an uncertain failure `found()` (what the read-back shows was
    created) before creating again."""
    for _ in range(MAX_READ_BACKS + 1):
        try:
            return create()
        except GitHubError as exc:
            if not exc.uncertain or result.read_backs >= MAX_READ_BACKS:
                raise
            result.read_backs += 1
            existing = found()
            if existing is not None:
                return existing
    raise AssertionError("unreachable")  # pragma: no cover
