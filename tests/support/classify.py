"""A pull request's change classified as review.classify sees it: two commits in a test
repository, the base trusted."""

from __future__ import annotations

from reviewloop.git.diff import parse_diff
from reviewloop.git.repository import Repository
from reviewloop.review.classify import Classification, TrustedSide, classify
from tests.support.repos import commit


def classified_pr(repo: Repository, base: dict[str, str],
                  head: dict[str, str]) -> Classification:
    """Classify the change from a commit of `base` to one of `head`, the base trusted."""
    start = commit(repo.root, base)
    end = commit(repo.root, head)
    side = TrustedSide.base(start, parse_diff(repo.diff_refs(start, end)))
    return classify(repo, parse_diff(repo.diff_refs(start, end)), repo.root, side.tree,
                    side.trust)
