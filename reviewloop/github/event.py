"""The pull_request webhook payload an Actions run gets at `GITHUB_EVENT_PATH`, as data."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reviewloop.errors import UserInputError

# `edited`: the PR's base may have changed (retargeted), and with it the PR's change
ACTIONS = ("opened", "synchronize", "reopened", "edited")
_FIX = ("run reviewloop review --github from a workflow triggered `on: pull_request` "
        "(types: opened, synchronize, reopened, edited)")


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
    """The event at `GITHUB_EVENT_PATH`; errors name the file and what is wrong with it."""
    where = env.get("GITHUB_EVENT_PATH")
    if not where:
        raise UserInputError("GITHUB_EVENT_PATH is not set: not running in GitHub Actions?",
                             fix=_FIX)
    path = Path(where)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserInputError(f"cannot read the event payload: {exc.strerror or exc}",
                             where=str(path), fix=_FIX) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserInputError(f"the event payload is not UTF-8 (byte 0x{raw[exc.start]:02x} "
                             f"at offset {exc.start})", where=str(path), fix=_FIX) from None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserInputError(f"the event payload is not JSON: {exc.msg}",
                             where=f"{path}:{exc.lineno}", fix=_FIX) from None
    return parse_event(payload, source=str(path))


def parse_event(payload: Any, *, source: str = "event") -> PullRequestEvent:
    """A pull_request payload (opened, synchronize, reopened, edited) → `PullRequestEvent`; a key
    that is missing or of the wrong kind is named by its path (`pull_request.head.sha`)."""
    if not isinstance(payload, dict) or "pull_request" not in payload:
        raise UserInputError("not a pull_request event payload (no `pull_request` key)",
                             where=source, fix=_FIX)
    action = payload.get("action")
    if action not in ACTIONS:
        raise UserInputError(f"pull_request action {action!r} is not reviewed; expected one "
                             f"of {', '.join(ACTIONS)}", where=source, fix=_FIX)
    try:
        data = _Payload.model_validate(payload)
    except ValidationError as exc:
        raise UserInputError(_first_problem(exc), where=source, fix=_FIX) from None
    pr, repo = data.pull_request, data.repository.full_name
    head_repo = pr.head.repo.full_name if pr.head.repo else None
    sync = action == "synchronize"
    return PullRequestEvent(
        action=action, repo=repo, repo_id=data.repository.id,
        number=data.number or pr.number, base_sha=pr.base.sha, base_ref=pr.base.ref,
        head_sha=pr.head.sha, head_ref=pr.head.ref, head_repo=head_repo,
        fork=head_repo != repo, before=data.before if sync else None,
        after=data.after if sync else None)


# --- the payload's shape: only the keys PR mode reads, every other key ignored ------------

_SHA = r"^([0-9a-f]{40}|[0-9a-f]{64})$"  # SHA-1 or SHA-256: never a git option or a range
_SLUG = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"


class _Repo(BaseModel):
    full_name: str = Field(pattern=_SLUG)


class _Repository(_Repo):
    id: int


class _Ref(BaseModel):
    sha: str = Field(pattern=_SHA)
    ref: str = Field(min_length=1)
    repo: _Repo | None = None


class _Pull(BaseModel):
    number: int = Field(gt=0)
    base: _Ref
    head: _Ref


class _Payload(BaseModel):
    pull_request: _Pull
    repository: _Repository
    number: int | None = Field(default=None, gt=0)
    before: str | None = Field(default=None, pattern=_SHA)
    after: str | None = Field(default=None, pattern=_SHA)


def _first_problem(exc: ValidationError) -> str:
    """"`pull_request.head.sha` is missing" — the first problem, by its key path."""
    error = exc.errors()[0]
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "missing":
        return f"the pull_request payload has no `{key}`"
    if error["type"] == "string_pattern_mismatch" and key.endswith(("sha", "before", "after")):
        return f"`{key}` is not a commit id (40 or 64 hex digits): {error['input']!r:.80}"
    return f"`{key}` is not valid: {error['msg']} (got {error['input']!r:.80})"


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
                is_ancestor: Callable[[str, str], bool], *, last_whole: bool = True) -> str:
    """The commit to diff from: the last reviewed head when it is still in the branch's
    history (review only what is new; `edited`, the same head: what a retarget changed, if
    anything — `github.followup`), else the PR base (first run, force-push, reopen, or
    a last review that left a file unanalysed or an analyzer or reviewer failed:
    `last_whole` False — a push that does not touch that file would otherwise never look
    at it again, and the PR's verdict would forget it)."""
    again = last_reviewed != event.head_sha or event.action == "edited"  # retitled, retargeted
    if last_whole and last_reviewed and again and \
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
