"""How reviewloop reads GitHub's answers: `GitHubError`, a failure's message and details,
the wait a header asks for, and a 2xx body that must be JSON."""

from __future__ import annotations

from typing import Any

import httpx

from reviewloop.errors import ReviewloopError


class GitHubError(ReviewloopError):
    """GitHub refused a request, or kept failing after the retries ran out."""

    def __init__(self, message: str, *, status: int | None = None, method: str = "",
                 url: str = "", errors: list[Any] | None = None, uncertain: bool = False,
                 rate_limited: bool = False):
        self.status = status
        self.rate_limited = rate_limited  # a 403 or 429 that says a rate limit was hit
        self.method = method
        self.url = url
        self.errors = errors or []
        self.uncertain = uncertain  # a write that GitHub may have carried out anyway
        super().__init__(message)

    def __str__(self) -> str:
        where = f"{self.method} {self.url}: " if self.method else ""
        code = f"HTTP {self.status}: " if self.status else ""
        return f"{where}{code}{super().__str__()}"

    @property
    def unprocessable(self) -> bool:
        """422: GitHub understood the request but rejected its content (a bad anchor, …)."""
        return self.status == 422

    @property
    def forbidden(self) -> bool:
        """403 that was not a rate limit: a read-only token (fork PRs) or missing scope."""
        return self.status == 403 and not self.rate_limited

    @property
    def head_moved(self) -> bool:
        """422 because the commit the review was made on is no longer in the PR (a
        force-push between diffing and posting)."""
        return self.unprocessable and "not part of the pull request" in str(self)


def seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP-date Retry-After: GitHub sends seconds, fall back to backoff


def readable(response: httpx.Response, method: str, url: str, *,
              uncertain: bool) -> httpx.Response:
    """`response`, when its body (if any) is JSON: a proxy's HTML page answered with 200 is
    GitHub failing, not reviewloop — and after a write, one that may have been done."""
    if response.content:
        try:
            response.json()
        except ValueError:
            raise GitHubError(f"GitHub answered HTTP {response.status_code} with a body that "
                              f"is not JSON: {response.text[:200]!r}", method=method, url=url,
                              uncertain=uncertain) from None
    return response


def message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:500]
    return str(data.get("message", "")) if isinstance(data, dict) else ""


def error_of(response: httpx.Response, method: str, url: str, *, retried: int,
             note: str = "", uncertain: bool = False) -> GitHubError:
    try:
        data = response.json()
    except ValueError:
        data = {}
    errors = data.get("errors", []) if isinstance(data, dict) else []
    text = message(response) or response.reason_phrase
    if errors:
        text += " (" + "; ".join(map(detail, errors)) + ")"
    if retried:
        text += f" after {retried} retr{'y' if retried == 1 else 'ies'}"
    if note:
        text += f"; {note}"
    return GitHubError(text, status=response.status_code, method=method, url=url,
                       errors=errors, uncertain=uncertain, rate_limited=rate_limit(response))


def rate_limit(response: httpx.Response) -> bool:
    """Whether a refusal is a rate limit (GitHub answers a primary or secondary one with
    403 as often as 429): a wait is asked for, no requests remain, or the message says so.
    Only then is it something to wait out, not a token that may not write."""
    if response.status_code == 429:
        return True
    return response.status_code == 403 and (
        "retry-after" in response.headers
        or response.headers.get("x-ratelimit-remaining") == "0"
        or "rate limit" in message(response).lower())


def detail(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error.get("code") or error)
    return str(error)
