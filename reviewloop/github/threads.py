"""Review threads, which only GitHub's GraphQL API exposes: who the token is, which thread
holds each of reviewloop's comments, resolving or reopening a thread, and hiding a comment
of ours as a duplicate (`minimize`).

`resolveReviewThread` with the Actions `GITHUB_TOKEN` needs `pull-requests: write`. Where
GraphQL is not allowed (a read-only or narrower token) `fetch_threads` says so and the
publisher falls back to editing the comment's body, which REST allows. GraphQL failing (a
5xx after the retries) is not that: it raises, so the run reports it and a re-run resolves
the threads instead of settling for the edit alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reviewloop.github.client import GitHubClient, GitHubError

_THREADS = """
query($owner: String!, $name: String!, $number: Int!, $after: String) {
  viewer { login databaseId }
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id isResolved viewerCanResolve viewerCanUnresolve
          comments(first: 1) { nodes { databaseId } }
        }
      }
    }
  }
}"""
_SET = """
mutation($id: ID!) {
  %s(input: {threadId: $id}) { thread { id isResolved } }
}"""
_MINIMIZE = """
mutation($id: ID!) {
  minimizeComment(input: {subjectId: $id, classifier: DUPLICATE}) { clientMutationId }
}"""
MAX_THREAD_PAGES = 50  # 5,000 threads: past that a PR is not a review any more


@dataclass(frozen=True)
class Identity:
    """Whom the token acts as. GraphQL names a bot `github-actions` where REST says
    `github-actions[bot]`; the numeric id is the same in both."""

    login: str
    id: int | None

    def wrote(self, item: Mapping[str, Any]) -> bool:
        user = item.get("user") or {}
        if self.id is not None and user.get("id") is not None:
            return user["id"] == self.id
        return _bare(str(user.get("login", ""))) == _bare(self.login)


def _bare(login: str) -> str:
    return login.removesuffix("[bot]").casefold()


@dataclass(frozen=True)
class Thread:
    id: str
    resolved: bool
    can_resolve: bool
    can_unresolve: bool


@dataclass(frozen=True)
class Threads:
    """The PR's review threads by the database id of their first comment, or why GraphQL
    could not be used (`unavailable`)."""

    identity: Identity | None = None
    by_comment: dict[int, Thread] = field(default_factory=dict)
    unavailable: str | None = None


def fetch_threads(client: GitHubClient, repo: str, number: int) -> Threads:
    owner, name = repo.split("/", 1)
    by_comment: dict[int, Thread] = {}
    after: str | None = None
    identity = None
    try:
        for _ in range(MAX_THREAD_PAGES):
            data = client.graphql(_THREADS, {"owner": owner, "name": name,
                                             "number": int(number), "after": after})
            viewer = data.get("viewer") or {}
            identity = Identity(str(viewer.get("login", "")), viewer.get("databaseId"))
            pull = ((data.get("repository") or {}).get("pullRequest") or {})
            page = pull.get("reviewThreads") or {}
            for node in page.get("nodes") or []:
                first = ((node.get("comments") or {}).get("nodes") or [{}])[0] or {}
                if first.get("databaseId") is not None:
                    by_comment[int(first["databaseId"])] = Thread(
                        node["id"], bool(node["isResolved"]),
                        bool(node.get("viewerCanResolve")),
                        bool(node.get("viewerCanUnresolve")))
            info = page.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                break
            after = info.get("endCursor")
    except GitHubError as exc:
        if not _refused(exc):
            raise  # GitHub failing is a fault to report and re-run, not a token that may not
        return Threads(identity=identity, unavailable=str(exc))
    return Threads(identity=identity, by_comment=by_comment)


def _refused(exc: GitHubError) -> bool:
    """The token may not use GraphQL here (FORBIDDEN, 401/403/404): fall back to body edits.
    Anything else — a 5xx after the retries, a dropped connection — is GitHub failing."""
    return exc.status in (401, 403, 404) or (exc.status is None and bool(exc.errors))


def set_resolved(client: GitHubClient, thread: Thread, resolved: bool) -> bool:
    """Resolve (or reopen) `thread`; False when the token may not, so the caller falls back
    to the body edit. Setting a state twice is harmless, so a 5xx is simply retried."""
    if thread.resolved == resolved:
        return True
    if not (thread.can_resolve if resolved else thread.can_unresolve):
        return False
    name = "resolveReviewThread" if resolved else "unresolveReviewThread"
    try:
        client.graphql(_SET % name, {"id": thread.id})
    except GitHubError as exc:
        if exc.forbidden:
            return False
        raise
    return True


def minimize(client: GitHubClient, node_id: str) -> bool:
    """Hide the comment `node_id` (its GraphQL id) as a duplicate, as a maintainer's "Hide"
    does: GitHub folds it away under "This comment was marked as duplicate". False when
    the token may not (the comment then stays shown, its text saying it is a copy).
    Hiding twice is harmless, so a 5xx is simply retried."""
    if not node_id:
        return False
    try:
        client.graphql(_MINIMIZE, {"id": node_id})
    except GitHubError as exc:
        if _refused(exc):
            return False
        raise
    return True
