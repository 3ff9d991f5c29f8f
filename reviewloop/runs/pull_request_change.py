"""A pull request's whole change, read and parsed once per review: the trusted side's file
classification, the suppressions' trust and the configuration flags all ask about it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from reviewloop.checks.suppressions.scope import pr_trust
from reviewloop.git.diff import ChangeSet, parse_diff
from reviewloop.git.repository import Repository
from reviewloop.policy.trust import Trust
from reviewloop.review.classify import TrustedSide
from reviewloop.runs.trusted import TrustedConfig

if TYPE_CHECKING:
    from reviewloop.runs.review import DiffSource


@dataclass(frozen=True)
class PullRequestChange:
    """With a head commit, the pull request's whole change: base...head from the PR's base
    (the trusted configuration's), whatever part of it the review reads."""

    base: str
    head: str
    changes: ChangeSet


def pull_request_change(repo: Repository, source: DiffSource, trusted: TrustedConfig | None,
                        reviewed: ChangeSet) -> PullRequestChange | None:
    """The pull request's change, parsed once for all who ask (the trusted side, the
    suppressions' trust, the configuration flags): the reviewed change itself when the
    review reads all of base...head, as it mostly does."""
    if source.head is None:
        return None
    base = (trusted.base if trusted else None) or source.base or repo.default_base()
    same = not source.paths and source.focus is None and source.merge_base and base == (
        source.base or repo.default_base())
    return PullRequestChange(base, source.head, reviewed if same else parse_diff(
        repo.diff_refs(base, source.head)))


def trusted_side(source: DiffSource, pull_request: PullRequestChange | None) -> TrustedSide:
    """Whose file classification counts: with a head commit the base's (PR mode: the PR's
    base, even when only the commits since the last review are read), else the checkout's."""
    if source.head is None or pull_request is None:
        return TrustedSide.local()
    return TrustedSide.base(pull_request.base, pull_request.changes)


def pr_change_trust(repo: Repository, trusted: TrustedConfig | None,
                    pull_request: PullRequestChange | None) -> Trust | None:
    """A pull request's trust: nothing in base..head may suppress a finding."""
    if trusted is not None and trusted.base and trusted.head:
        return pr_trust(repo, trusted.base, trusted.head, pr_changes(trusted, pull_request))
    return None


def pr_changes(trusted: TrustedConfig, pull_request: PullRequestChange | None
               ) -> ChangeSet | None:
    """The trusted configuration's base...head, parsed, when it is `pull_request`'s (None:
    the caller reads it)."""
    if pull_request is not None and (pull_request.base, pull_request.head) == (
            trusted.base, trusted.head):
        return pull_request.changes
    return None
