"""An open finding whose file a push renamed moves with it: a comment on its new path carries
its marker on, and the old one, now an outdated thread on a path the PR no longer has, is
edited to point there, without a marker, then resolved (so no later push reads two
comments for it).

The new comments are planned here and posted in the push's one review (`publish`): a folder
renamed with many findings in it is one notification, not one per finding. At most
`MAX_MOVED` move per push (each move is a comment, an edit and a thread change); the rest
keep their old comments, as a finding no line of the new diff shows does, and the summary
lists them at their new place.
New before old: if GitHub fails the old comment's edit, the next run reads two comments for
the finding and takes the one on the new path for the new comment (`interrupted`) to finish
the move; if that push undoes the rename, the new one is retired pointing to the old
(`publish._fold`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from reviewloop.findings.ledger import Ledger
from reviewloop.git.diff import ChangeSet
from reviewloop.github.client import GitHubClient, GitHubError
from reviewloop.github.converge import Code, locate
from reviewloop.github.plan import MAX_INLINE, InlineComment, plan_review
from reviewloop.github.posted import PostedFinding, PostedState
from reviewloop.github.records import POSTED
from reviewloop.github.render import carried, moved_away, moved_here
from reviewloop.github.threads import set_resolved

MAX_MOVED = MAX_INLINE  # per push, beside the review's new findings


@dataclass(frozen=True)
class Move:
    """`posted`'s finding, to be posted again as `comment` on its file's new path."""

    posted: PostedFinding
    comment: InlineComment


def renamed(posted: PostedFinding) -> bool:
    """Whether `posted`'s inline comment is on a path its file was renamed from (its record
    followed the rename: `github.followup`)."""
    return posted.inline and posted.path != posted.record.file


def interrupted(state: PostedState) -> dict[str, PostedFinding]:
    """The comments a move cut short left on a renamed file's new path (the old comment
    still carrying the marker too), by fingerprint."""
    out = {}
    for copy in state.duplicates:
        main = state.findings.get(copy.fingerprint)
        if main is not None and renamed(main) and copy.path == main.record.file:
            out[copy.fingerprint] = copy
    return out


def planned(posted: PostedFinding, changes: ChangeSet, code: Code | None, ledger: Ledger,
            key: bytes, head_sha: str) -> Move | None:
    """The comment that carries `posted` on at its file's new path; None when no line of the
    PR's diff shows it there (the old comment carries it on, and the summary lists it at
    its new place)."""
    entry = ledger.find([posted.fingerprint])
    if entry is None:
        return None
    finding = entry.finding
    reported = finding.rationale != POSTED and finding.file == posted.record.file
    if not reported:  # not reported again: where its code is now, its words from the comment
        where = locate(posted.record, code) if code is not None else None
        lines = where if isinstance(where, tuple) else (posted.record.start_line,
                                                         posted.record.end_line)
        finding = posted.record.finding().model_copy(
            update={"start_line": lines[0], "end_line": lines[1]})
    inline = plan_review([finding], changes, key, max_inline=1).inline
    body = inline[0].body if inline and reported else \
        carried(posted.body, finding, key) if inline else None
    if not inline or body is None:
        return None
    return Move(posted, replace(inline[0], body=moved_here(body, posted.path, head_sha)))


def on_new_path(move: Move, now: PostedState) -> PostedFinding | None:
    """Our comment carrying `move`'s finding on its new path, as the PR shows it `now` (while
    the old comment keeps its marker, the new one reads as its second copy)."""
    return next((p for p in (*now.findings.values(), *now.duplicates)
                 if p.fingerprint == move.posted.fingerprint and p.inline
                 and p.path == move.comment.path and p is not move.posted), None)


def missing(moves: Sequence[Move], now: PostedState) -> list[Move]:
    """The moves whose new comment the PR does not show `now`."""
    return [m for m in moves if on_new_path(m, now) is None]


def point_old(client: GitHubClient, repo: str, head_sha: str, posted: PostedFinding,
              new: PostedFinding) -> bool:
    """Edit `posted`'s old comment to point to `new`, which carries it on, then resolve its
    thread; whether the thread is resolved. Edit first: an edit that fails leaves the old
    comment's marker `open` on a live thread (never an open finding whose only marked
    comment is resolved). Once the edit is made the move is: a thread GitHub then fails to
    resolve stays open, as where the token may not resolve threads, and the push's
    publishing goes on (its summary records the head the new comment was posted at)."""
    if (old := posted.comment_id) is not None:
        url = new.url or f"#discussion_r{new.comment_id}"
        gone_or(lambda: client.update_review_comment(
            repo, old, moved_away(new.path, new.line or new.record.start_line, url, head_sha)))
    try:
        return posted.thread is None or set_resolved(client, posted.thread, True)
    except GitHubError as exc:
        if exc.head_moved:
            raise
        return False


def gone_or(edit: Callable[[], object]) -> bool:
    """`edit()`; False when its comment is gone (404: deleted since it was read)."""
    try:
        edit()
    except GitHubError as exc:
        if exc.status != 404:
            raise
        return False
    return True
