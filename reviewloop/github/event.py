"""The pull_request webhook payload an Actions run gets at `GITHUB_EVENT_PATH`, as data."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from reviewloop.errors import UserInputError

ACTIONS = ("opened", "synchronize", "reopened")
_FIX = ("run reviewloop review --github from a workflow triggered `on: pull_request` "
        "(types: opened, synchronize, reopened)")


class PullRequestEvent(BaseModel):
    """What PR mode needs from the payload; PR text is left out on purpose (untrusted)."""

    model_config = ConfigDict(frozen=True)

    action: str
    repo: str  # owner/name of the base repository, where comments go
    repo_id: int  # its numeric id: the key of reviewloop's markers is derived from it
    number: int
    base_sha: str
    base_ref: str
    head_sha: str
    head_ref: str
    head_repo: str | None  # None when the fork was deleted
    fork: bool  # head lives in another repository: expect a read-only token
    before: str | None = None  # synchronize only: the previous head
    after: str | None = None  # synchronize only: the new head

    @property
    def is_synchronize(self) -> bool:
        return self.action == "synchronize"


def load_event(env: Mapping[str, str]) -> PullRequestEvent:
    """The event at `GITHUB_EVENT_PATH`; errors name the file and what to do."""
    where = env.get("GITHUB_EVENT_PATH")
    if not where:
        raise UserInputError("GITHUB_EVENT_PATH is not set: not running in GitHub Actions?",
                             fix=_FIX)
    path = Path(where)
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserInputError(f"cannot read the event payload: {exc.strerror}",
                             where=str(path), fix=_FIX) from None
    except json.JSONDecodeError as exc:
        raise UserInputError(f"the event payload is not JSON: {exc.msg}",
                             where=f"{path}:{exc.lineno}", fix=_FIX) from None
    return parse_event(payload, source=str(path))


def parse_event(payload: Any, *, source: str = "event") -> PullRequestEvent:
    """A pull_request payload (opened, synchronize, reopened) → `PullRequestEvent`."""
    if not isinstance(payload, dict) or "pull_request" not in payload:
        raise UserInputError("not a pull_request event payload (no `pull_request` key)",
                             where=source, fix=_FIX)
    action = payload.get("action")
    if action not in ACTIONS:
        raise UserInputError(f"pull_request action {action!r} is not reviewed; expected one "
                             f"of {', '.join(ACTIONS)}", where=source, fix=_FIX)
    try:
        pr = payload["pull_request"]
        base, head = pr["base"], pr["head"]
        repo = payload["repository"]["full_name"]
        repo_id = int(payload["repository"]["id"])
        head_repo = (head.get("repo") or {}).get("full_name")
        return PullRequestEvent(
            action=action, repo=repo, repo_id=repo_id,
            number=int(payload.get("number") or pr["number"]),
            base_sha=base["sha"], base_ref=base["ref"],
            head_sha=head["sha"], head_ref=head["ref"], head_repo=head_repo,
            fork=head_repo != repo,
            before=payload.get("before") if action == "synchronize" else None,
            after=payload.get("after") if action == "synchronize" else None)
    except (KeyError, TypeError, ValueError) as exc:
        raise UserInputError(f"pull_request payload is missing {exc}", where=source,
                             fix=_FIX) from None


def force_pushed(event: PullRequestEvent, is_ancestor: Callable[[str, str], bool]) -> bool:
    """Whether a synchronize rewrote history: `before` is not an ancestor of `after`.

    `is_ancestor(a, b)` answers `git merge-base --is-ancestor a b` (e.g.
    `Repository.is_ancestor`); an unknown `before` (UserInputError) counts as rewritten.
    Other actions: False.
    """
    if not event.is_synchronize or not event.before or not event.after:
        return False
    return not _reachable(is_ancestor, event.before, event.after)


def review_base(event: PullRequestEvent, last_reviewed: str | None,
                is_ancestor: Callable[[str, str], bool]) -> str:
    """The commit to diff from: the last reviewed head when it is still in the branch's
    history (review only what is new), else the PR base (first run, force-push, reopen)."""
    if last_reviewed and last_reviewed != event.head_sha and \
            _reachable(is_ancestor, last_reviewed, event.head_sha) and \
            not force_pushed(event, is_ancestor):
        return last_reviewed
    return event.base_sha


def _reachable(is_ancestor: Callable[[str, str], bool], ancestor: str, descendant: str) -> bool:
    """`is_ancestor`, with a commit git does not know counting as unreachable: after a
    force-push the old head is usually not in the clone at all."""
    try:
        return is_ancestor(ancestor, descendant)
    except UserInputError:
        return False
