"""A small GitHub client: token auth, retries that honour Retry-After, Link pagination, and
the GraphQL endpoint for what REST cannot do (resolving review threads).

A write that creates something (POST) is never retried blindly after a 5xx or a dropped
connection: GitHub may have carried it out before failing to answer. It raises a
`GitHubError` with `uncertain=True` instead, and the publisher reads back what is on the PR
before trying again (`github/publish.py`). Reads, edits (PATCH) and GraphQL mutations that
set a state are safe to repeat and are retried.

Only the calls reviewloop makes are here. Every network effect of the GitHub integration
goes through `GitHubClient.request`, so tests point it at a loopback fake (`base_url`) or an
`httpx.MockTransport` (`transport`), and pass a `sleep` that records instead of waiting.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NoReturn, Self
from urllib.parse import quote

import httpx
import tenacity

from reviewloop import __version__
from reviewloop.errors import CredentialsError
from reviewloop.github.replies import (
    GitHubError,
    detail,
    error_of,
    rate_limit,
    readable,
    seconds,
)

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
PER_PAGE = 100
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_RETRY_STATUS = frozenset({500, 502, 503, 504})


def api_url(env: Mapping[str, str]) -> str:
    """`GITHUB_API_URL` (set by Actions, also for Enterprise Server) or the public API."""
    return (env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")


def token_from(env: Mapping[str, str], explicit: str | None = None) -> str:
    """The action input when given, else `GITHUB_TOKEN`; the error says how to provide one."""
    token = explicit or env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")
    if not token:
        raise CredentialsError(
            "no GitHub token: set GITHUB_TOKEN (in a workflow: "
            "`env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`) or pass the action's "
            "`github-token` input")
    return token


class GitHubClient:
    """REST calls against `base_url` with `token`; retries 5xx and rate limits.

    A wait GitHub asks for (Retry-After, or until `x-ratelimit-reset`) is never shortened;
    when it is longer than `max_wait` seconds the client gives up with a `GitHubError`
    rather than hold a CI job for an hour.
    """

    def __init__(self, token: str, *, base_url: str = DEFAULT_API_URL,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time,
                 max_retries: int = 4, backoff: float = 1.0, max_wait: float = 120.0,
                 timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self._sleep = sleep
        self._clock = clock
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_wait = max_wait
        self._http = httpx.Client(
            base_url=self.base_url, transport=transport, timeout=timeout,
            headers={"Authorization": f"Bearer {token}",
                     "Accept": "application/vnd.github+json",
                     "X-GitHub-Api-Version": API_VERSION,
                     "User-Agent": f"reviewloop/{__version__}"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transport ---------------------------------------------------------------------

    def request(self, method: str, path: str, *, json: Any = None,
                params: Mapping[str, Any] | None = None,
                idempotent: bool | None = None) -> httpx.Response:
        """One call, retried on rate limits; on 5xx and transport errors too when repeating
        it is harmless (`idempotent`, default: every method but POST). 4xx raise.

        tenacity runs the loop: each attempt either answers, raises its final error, or
        raises `_Again` with the wait it needs; the last `_Again` gives way to its error."""
        url = self._url(path)
        repeatable = method != "POST" if idempotent is None else idempotent
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.max_retries + 1),
            retry=tenacity.retry_if_exception_type(_Again),
            wait=_asked_wait, sleep=self._sleep, retry_error_callback=_give_up)
        for attempt in retrying:
            with attempt:
                return self._attempt(method, url, json, params, repeatable,
                                     attempt.retry_state.attempt_number - 1)
        raise AssertionError("unreachable")  # pragma: no cover - _give_up raises

    def _attempt(self, method: str, url: str, json: Any, params: Mapping[str, Any] | None,
                 repeatable: bool, attempt: int) -> httpx.Response:
        try:
            response = self._http.request(method, url, json=json, params=params)
        except httpx.TransportError as exc:
            error = GitHubError(f"cannot reach GitHub: {exc}", method=method, url=url,
                                uncertain=not repeatable)
            if not repeatable:
                raise error from exc
            raise _Again(self._backoff(attempt), error) from exc
        if response.status_code < 400:
            return readable(response, method, url, uncertain=not repeatable)
        if response.status_code in _RETRY_STATUS and not repeatable:
            raise error_of(response, method, url, retried=attempt, uncertain=True,
                         note="the write may have been carried out")
        wait = self._retry_wait(response, attempt)
        if wait is None:
            raise error_of(response, method, url, retried=attempt)
        if wait > self.max_wait:
            raise error_of(response, method, url, retried=attempt,
                         note=f"GitHub asks to wait {wait:.0f}s, more than the "
                              f"{self.max_wait:.0f}s limit")
        raise _Again(wait, error_of(response, method, url, retried=attempt))

    def _url(self, path: str) -> str:
        """A path under the API, or an absolute URL on the same host (Link headers)."""
        if path.startswith(("http://", "https://")):
            if not path.startswith(self.base_url + "/") and \
                    path != _graphql_url(self.base_url):
                # a token must never be sent to another host, whatever a header says
                raise GitHubError(f"refusing to follow a link off {self.base_url}: {path}")
            return path
        return self.base_url + "/" + path.lstrip("/")

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff * 2 ** attempt, self.max_wait)

    def _retry_wait(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before retrying, or None when the failure is final."""
        status = response.status_code
        retry_after = seconds(response.headers.get("retry-after"))
        if status in _RETRY_STATUS:
            return retry_after if retry_after is not None else self._backoff(attempt)
        if status not in (403, 429):
            return None
        if retry_after is not None:
            return retry_after
        if response.headers.get("x-ratelimit-remaining") == "0":
            reset = seconds(response.headers.get("x-ratelimit-reset"))
            if reset is not None:
                return max(reset - self._clock(), 0.0) + 1.0
        if rate_limit(response):
            # GitHub's advice with no header: wait at least a minute, then back off
            return max(60.0, self._backoff(attempt))
        return None

    def graphql(self, query: str, variables: Mapping[str, Any] | None = None, *,
                idempotent: bool = True) -> dict[str, Any]:
        """`data` of a GraphQL call; its `errors` (GitHub answers them with 200) raise, a
        FORBIDDEN one as `.forbidden`. Every call reviewloop makes reads, or sets a state
        that is the same when set twice, so retrying is harmless."""
        endpoint = _graphql_url(self.base_url)
        response = self.request("POST", endpoint, json={"query": query,
                                                        "variables": dict(variables or {})},
                                idempotent=idempotent)
        reply = response.json()
        errors = reply.get("errors") if isinstance(reply, dict) else None
        if errors:
            kinds = {str(e.get("type", "")) for e in errors if isinstance(e, dict)}
            status = 403 if kinds & {"FORBIDDEN", "INSUFFICIENT_SCOPES"} else None
            raise GitHubError("GraphQL: " + "; ".join(map(detail, errors)), status=status,
                              method="POST", url=endpoint, errors=errors)
        return reply.get("data") or {}

    def paginate(self, path: str, params: Mapping[str, Any] | None = None
                 ) -> Iterator[dict[str, Any]]:
        """Every item of a list endpoint, following `Link: <…>; rel="next"`."""
        url: str | None = path
        query: Mapping[str, Any] | None = {"per_page": PER_PAGE, **(params or {})}
        while url:
            response = self.request("GET", url, params=query)
            yield from response.json()
            url = response.links.get("next", {}).get("url")
            query = None  # the next link carries the query

    # --- pull request review comments --------------------------------------------------

    def list_review_comments(self, repo: str, pr: int) -> list[dict[str, Any]]:
        return list(self.paginate(f"repos/{_repo(repo)}/pulls/{int(pr)}/comments"))

    def list_reviews(self, repo: str, pr: int) -> list[dict[str, Any]]:
        return list(self.paginate(f"repos/{_repo(repo)}/pulls/{int(pr)}/reviews"))

    def create_review(self, repo: str, pr: int, *, commit_id: str, body: str,
                      comments: list[dict[str, Any]], event: str = "COMMENT"
                      ) -> dict[str, Any]:
        payload = {"commit_id": commit_id, "body": body, "event": event,
                   "comments": comments}
        return self.request("POST", f"repos/{_repo(repo)}/pulls/{int(pr)}/reviews",
                            json=payload).json()

    def get_pull_request(self, repo: str, pr: int) -> dict[str, Any]:
        return self.request("GET", f"repos/{_repo(repo)}/pulls/{int(pr)}").json()

    def create_review_comment(self, repo: str, pr: int, *, commit_id: str,
                              comment: dict[str, Any]) -> dict[str, Any]:
        """`comment` as in a review's comments[]: path, line, side, start_line, body."""
        payload = {"commit_id": commit_id, **comment}
        return self.request("POST", f"repos/{_repo(repo)}/pulls/{int(pr)}/comments",
                            json=payload).json()

    def update_review_comment(self, repo: str, comment_id: int, body: str) -> dict[str, Any]:
        return self.request("PATCH", f"repos/{_repo(repo)}/pulls/comments/{int(comment_id)}",
                            json={"body": body}).json()

    # --- issue comments (the summary) --------------------------------------------------

    def list_issue_comments(self, repo: str, number: int) -> list[dict[str, Any]]:
        return list(self.paginate(f"repos/{_repo(repo)}/issues/{int(number)}/comments"))

    def create_issue_comment(self, repo: str, number: int, body: str) -> dict[str, Any]:
        return self.request("POST", f"repos/{_repo(repo)}/issues/{int(number)}/comments",
                            json={"body": body}).json()

    def update_issue_comment(self, repo: str, comment_id: int, body: str) -> dict[str, Any]:
        return self.request("PATCH",
                            f"repos/{_repo(repo)}/issues/comments/{int(comment_id)}",
                            json={"body": body}).json()


    # --- comment commands: who may command, and the check on a pushed fix --------------

    def get_permission(self, repo: str, username: str) -> dict[str, Any]:
        """`permission` (admin, write, read, none) and `role_name` of `username`."""
        return self.request("GET", f"repos/{_repo(repo)}/collaborators/"
                                   f"{_segment(username)}/permission").json()

    def create_status(self, repo: str, sha: str, *, state: str, context: str,
                      description: str) -> dict[str, Any]:
        """A commit status on `sha`; setting one twice leaves the latest: safe to retry."""
        return self.request("POST", f"repos/{_repo(repo)}/statuses/{_segment(sha)}",
                            json={"state": state, "context": context,
                                  "description": description[:140]},
                            idempotent=True).json()

    # --- pull requests and labels (run.land = "pr") -----------------------------------

    def list_pulls(self, repo: str, *, head: str, state: str = "open") -> list[dict[str, Any]]:
        """Pull requests whose head is `head` ("owner:branch")."""
        return list(self.paginate(f"repos/{_repo(repo)}/pulls",
                                  {"head": head, "state": state}))

    def create_pull(self, repo: str, *, title: str, head: str, base: str, body: str,
                    draft: bool) -> dict[str, Any]:
        return self.request("POST", f"repos/{_repo(repo)}/pulls", json={
            "title": title, "head": head, "base": base, "body": body, "draft": draft}).json()

    def update_pull(self, repo: str, number: int, *, title: str, body: str
                    ) -> dict[str, Any]:
        return self.request("PATCH", f"repos/{_repo(repo)}/pulls/{int(number)}",
                            json={"title": title, "body": body}).json()

    def get_label(self, repo: str, name: str) -> dict[str, Any] | None:
        """The repository's label `name`, or None when it has none by that name."""
        try:
            return self.request("GET", f"repos/{_repo(repo)}/labels/{_segment(name)}").json()
        except GitHubError as exc:
            if exc.status == 404:
                return None
            raise

    def create_label(self, repo: str, name: str, *, color: str, description: str
                     ) -> dict[str, Any]:
        return self.request("POST", f"repos/{_repo(repo)}/labels", json={
            "name": name, "color": color, "description": description}).json()

    def add_labels(self, repo: str, number: int, names: list[str]) -> list[dict[str, Any]]:
        """Adding a label twice is harmless: safe to retry."""
        return self.request("POST", f"repos/{_repo(repo)}/issues/{int(number)}/labels",
                            json={"labels": names}, idempotent=True).json()

    def remove_label(self, repo: str, number: int, name: str) -> None:
        try:
            self.request("DELETE",
                         f"repos/{_repo(repo)}/issues/{int(number)}/labels/{_segment(name)}")
        except GitHubError as exc:
            if exc.status != 404:  # not on the PR (any more): what we wanted
                raise

def _graphql_url(base_url: str) -> str:
    """github.com: https://api.github.com/graphql; Enterprise Server: the REST base is
    https://HOST/api/v3 and GraphQL lives at https://HOST/api/graphql."""
    if base_url.endswith("/api/v3"):
        return base_url.removesuffix("/v3") + "/graphql"
    return base_url + "/graphql"


class _Again(Exception):
    """This attempt failed in a way worth repeating after `wait` seconds; `final` is the
    error to raise when no attempt is left."""

    def __init__(self, wait: float, final: GitHubError):
        super().__init__(str(final))
        self.wait, self.final = wait, final


def _asked_wait(state: tenacity.RetryCallState) -> float:
    failed = state.outcome.exception() if state.outcome else None
    return failed.wait if isinstance(failed, _Again) else 0.0


def _give_up(state: tenacity.RetryCallState) -> NoReturn:
    failed = state.outcome.exception() if state.outcome else None
    if isinstance(failed, _Again):
        raise failed.final from failed.__cause__
    raise AssertionError(f"the retry loop stopped on {failed!r}")  # pragma: no cover


def _repo(repo: str) -> str:
    if not _REPO.match(repo):
        raise GitHubError(f"not an owner/name repository: {repo!r}")
    return repo


def _segment(text: str) -> str:
    """`text` as one URL path segment (a label name may hold spaces, ":" or "/")."""
    return quote(text, safe="")
