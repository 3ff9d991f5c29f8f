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
An open finding whose file a push renamed moves with it (`moves.py`), its new comment in
the push's one review.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from reviewloop.findings.ledger import Health, Ledger, Status
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import ChangeSet
from reviewloop.github.client import GitHubClient, GitHubError
from reviewloop.github.converge import Code, Convergence, converge
from reviewloop.github.moves import (
    MAX_MOVED,
    Move,
    interrupted,
    missing,
    on_new_path,
    planned,
    point_old,
    renamed,
)
from reviewloop.github.plan import MAX_INLINE, InlineComment, ReviewPlan, plan_review
from reviewloop.github.posted import PostedFinding, PostedState, fetch_state
from reviewloop.github.render import followed_in, restated, review_text, summary_body, superseded
from reviewloop.github.threads import Identity, minimize, set_resolved

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
    carried: int = 0  # open findings whose comment moved to their renamed file (`moves`)
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
            convergence: Convergence | None = None, llm: bool = True,
            tests: bool = False) -> PublishResult:
    """Converge the PR on `findings` (the analysis at `target.head_sha`; `changes` is the
    whole PR diff, `reviewed` the part analysed again, None for all of it; `code` reads a
    file at the head, `health` says which reviewers and analyzers ran — see `converge`;
    `convergence`: the caller's own `converge` of the same `state`, so that what it reports
    and what is posted come from one decision; `llm`: whether the LLM reviewers ran,
    `tests`: whether the project's tests did).

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
    moving = [p for p in (*conv.reopened, *conv.still_open) if renamed(p)]
    cut_short = interrupted(state)  # posted by a run whose move GitHub cut short
    moves = [m for p in moving if p.fingerprint not in cut_short and (m := planned(
        p, changes, code, result.ledger, target.key, target.head_sha)) is not None]
    moves = moves[:MAX_MOVED]  # the rest keep their old comments
    if not plan.empty or moves:
        _post_review(target, plan, moves, result)
    carried = _land(target, moving, moves, cut_short, state, result)
    for posted in conv.fixed:
        _mark(target, posted, "fixed", result)
    for posted in conv.left:
        _mark(target, posted, "left", result)
    for posted in conv.reopened:
        if posted.fingerprint in carried:
            result.reopened += 1
        else:
            _mark(target, posted, "open", result)
    body = partial(summary_body, report_markdown, target.head_sha, target.key,
                        open_counts=result.open_counts,
                        fixed_count=len(result.ledger.with_status(Status.FIXED)),
                        body_fixed=conv.body_fixed(),
                        whole=whole(health) and not result.unshown, llm=llm, tests=tests,
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
    comment for one finding): each is edited to say so, without a marker, hidden as a
    duplicate (`minimize`) and its thread resolved, so that the PR keeps one of each and
    no later run reads them again."""
    client = target.client
    carried = interrupted(state)
    for posted in state.duplicates:
        if carried.get(posted.fingerprint) is posted:
            continue  # the new comment of a move cut short: `_carry` finishes it
        kept = state.findings.get(posted.fingerprint)
        # on another path than the copy kept: a move cut short whose rename was then undone
        # (or whose file went), not a second run's copy
        text = followed_in(kept.path, kept.line or kept.record.start_line,
                           kept.url or f"#discussion_r{kept.comment_id}") \
            if kept is not None and kept.inline and kept.path != posted.path \
            else superseded("finding")
        if posted.comment_id is not None and _retired(client, partial(
                client.update_review_comment, target.repo, posted.comment_id, text)):
            result.folded += 1
        if posted.thread is not None:  # after the edit, as in `_moved_from`
            set_resolved(client, posted.thread, True)
    for comment_id in state.extra_summaries:
        if _retired(client, partial(client.update_issue_comment, target.repo, comment_id,
                                    superseded("summary"))):
            result.folded += 1


def _retired(client: GitHubClient, edit: Callable[[], dict[str, Any]]) -> bool:
    """`edit()` a second copy to say so, then hide it as a duplicate; False when it is gone
    (404: deleted since it was read)."""
    try:
        edited = edit()
    except GitHubError as exc:
        if exc.status != 404:
            raise
        return False
    minimize(client, str(edited.get("node_id") or ""))
    return True


def _land(target: Target, moving: Sequence[PostedFinding], moves: Sequence[Move],
          cut_short: dict[str, PostedFinding], state: PostedState,
          result: PublishResult) -> set[str]:
    """Point the old comment of each finding `moving` to its new one (posted in this push's
    review, `moves`, or by a run cut short): the fingerprints carried. A move GitHub refused
    leaves the old comment carrying its finding."""
    now = target.read() if moves else state  # one read for every new comment's id
    planned_for = {m.posted.fingerprint: m for m in moves}
    done = set()
    for posted in moving:
        move = planned_for.get(posted.fingerprint)
        new = cut_short.get(posted.fingerprint) or (on_new_path(move, now) if move else None)
        if new is None or new.comment_id is None:
            continue
        result.thread_fallbacks += not point_old(target.client, target.repo, target.head_sha,
                                                 posted, new)
        result.carried += 1
        done.add(posted.fingerprint)
    return done


def _post_review(target: Target, plan: ReviewPlan, moves: Sequence[Move],
                 result: PublishResult) -> None:
    """Post `plan` and the new comments of `moves` in one review; after an uncertain failure,
    read back and post only what is missing."""
    remaining, moving = plan, list(moves)
    for _ in range(MAX_READ_BACKS + 1):
        try:
            _create_review(target, remaining, moving, result)
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
            moving = missing(moving, now)
            if remaining.empty and not moving:
                return


def _create_review(target: Target, plan: ReviewPlan, moves: Sequence[Move],
                   result: PublishResult) -> None:
    client, repo, pr, head = target.client, target.repo, target.number, target.head_sha
    inline = [c.finding for c in plan.inline]
    try:
        body, unshown = review_text(head, target.key, inline=inline,
                                    listed=plan.body_findings, overflow=plan.overflow,
                                    moved=len(moves))
        review = client.create_review(
            repo, pr, commit_id=head, body=body,
            comments=[c.payload() for c in (*plan.inline, *(m.comment for m in moves))])
        result.review_id, result.inline_posted = review["id"], result.inline_posted + len(inline)
        result.unshown = unshown
        return
    except GitHubError as exc:
        if not exc.unprocessable or exc.head_moved or not (plan.inline or moves):
            raise
    posted = []
    for comment in plan.inline:
        if _one_comment(target, comment):
            result.inline_posted += 1
            posted.append(comment.finding)
        else:
            result.moved_to_body.append(comment.finding)
    moved = sum(_one_comment(target, m.comment) for m in moves)  # refused: the old one stays
    body, unshown = review_text(head, target.key, inline=posted,
                                listed=[*plan.body_findings, *result.moved_to_body],
                                overflow=plan.overflow, moved=moved)
    review = client.create_review(repo, pr, commit_id=head, comments=[], body=body)
    result.review_id, result.unshown = review["id"], unshown


def _one_comment(target: Target, comment: InlineComment) -> bool:
    """Post `comment` on its own; False when GitHub refuses its anchor (422)."""
    try:
        target.client.create_review_comment(target.repo, target.number,
                                            commit_id=target.head_sha,
                                            comment=comment.payload())
    except GitHubError as exc:
        if not exc.unprocessable or exc.head_moved:
            raise
        return False
    return True


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


def _upsert_summary(target: Target, comment_id: int | None, body: Callable[..., str],
                    result: PublishResult) -> int:
    """Update the summary, or create one and then write its own id into its marker: only
    a summary whose marker records its comment's id is read again (`own_summaries`), so a
    comment the token's account posted quoting a marker is never taken for it."""
    client = target.client
    if comment_id is not None:
        return client.update_issue_comment(target.repo, comment_id,
                                           body(own_id=comment_id))["id"]

    def create() -> int:
        return client.create_issue_comment(target.repo, target.number, body())["id"]

    def found() -> int | None:  # created by the attempt that failed, its id not in it
        return max(target.read().unrecorded_summaries, default=None)

    created = _create_once(create, found, result)
    try:
        return client.update_issue_comment(target.repo, created, body(own_id=created))["id"]
    except GitHubError as exc:  # answered 5xx, maybe carried out: recorded now?
        maybe = exc.uncertain or exc.status is None or exc.status >= 500
        if not maybe or result.read_backs >= MAX_READ_BACKS:
            raise
        result.read_backs += 1
        if target.read().summary_comment_id != created:
            raise
        return created


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
