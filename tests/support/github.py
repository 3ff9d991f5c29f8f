"""A loopback fake of the GitHub REST endpoints reviewloop calls, strict about requests.

    with GitHubFake() as fake:
        fake.open_pr("octo/repo", 7, diff_text, head_sha="abc…")
        client = GitHubClient("t", base_url=fake.url, sleep=fake.sleeps.append)
        ...
        fake.fail_next(403, headers={"Retry-After": "3"},
                       body={"message": "You have exceeded a secondary rate limit."})
        assert fake.violations == []

Every request is matched to an operation of GitHub's OpenAPI description (the trimmed copy
in `tests/fixtures/github/openapi-subset.json`), its path parameters, query names and JSON
body are validated against it, and its headers checked. A violation is recorded in
`violations` and answered with 422 the way GitHub answers an invalid body; the `github_fake`
fixture fails the test if any was recorded, so a fallback cannot hide one.

Review comments are checked against the PR's diff as GitHub does: a RIGHT-side `line` (and
`start_line`) must lie in one hunk, else 422 "Line could not be resolved" for a review and
"pull_request_review_thread.line must be part of the diff" for a single comment. A review or
comment on a commit that is no longer part of the PR (after a force-push) gets 422
"commit_id is not part of the pull request".

`POST /graphql` is served by `tests/support/github_graphql.py`, validated against GitHub's
GraphQL schema; each top-level review comment opens a review thread that
`resolveReviewThread` / `unresolveReviewThread` change (`thread_changes` records them).

Pull requests a tool opens (`pulls/create`, `pulls/list`, `pulls/update`) live in `pulls`,
numbered per repository; with `remotes[repo]` set to a bare git repository, a head branch
must exist there (else 422, as GitHub answers) and `head.sha` is read from it. An open pull
request for the same head and base is refused with GitHub's 422 "A pull request already
exists". Labels (`issues/get-label`, `create-label`, `add-labels`, `remove-label`) live in
`labels`; adding an unknown label creates it, as GitHub does.

Faults: `fail_next` answers the next matching request with an error *instead of* carrying
it out; `fail_after_writes(n)` carries out every n-th write (POST, PATCH, GraphQL mutation)
and then answers 502, as GitHub does now and then — the case where a blind retry duplicates.
`outage` fails every matching request (status, or `HANG`: no answer until `heal`, so the
client's own timeout fires) until `heal()`. A request is matched as "METHOD path", GraphQL
as "POST /graphql query" or "POST /graphql mutation".
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlsplit

import jsonschema
import pytest
from unidiff import PatchSet

from tests.support import github_graphql
from tests.support.github_commands import CommandEndpoints

SUBSET = Path(__file__).parents[1] / "fixtures/github/openapi-subset.json"
BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
# GraphQL's `viewer` for the Actions token: the bot's login without "[bot]", same id
VIEWER = {**BOT, "graphql_login": "github-actions"}
DOCS = "https://docs.github.com/rest"
HANG = 0  # an outage status: never answer (the client times out)


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    operation: str | None
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str]


@dataclass
class PullRequest:
    repo: str
    number: int
    head_sha: str
    hunks: dict[str, list[tuple[int, int]]]  # path → RIGHT-side (start, end) per hunk
    commits: set[str] = field(default_factory=set)  # heads still part of the PR
    base_sha: str = ""
    base_ref: str = "main"
    head_ref: str = "feature"
    head_repo: str | None = None  # None: the base repository itself (not a fork)
    state: str = "open"  # "closed" for a closed or a merged PR, as GitHub answers
    merged: bool = False


@dataclass
class _Failure:
    status: int
    headers: dict[str, str]
    body: Any
    match: str | None


@dataclass
class _State:
    review_comments: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    issue_comments: list[dict[str, Any]] = field(default_factory=list)
    threads: list[dict[str, Any]] = field(default_factory=list)


def _operations() -> list[tuple[str, re.Pattern[str], str, dict[str, Any]]]:
    data = json.loads(SUBSET.read_text())
    out = []
    for op_id, op in data["operations"].items():
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", op["path"])
        out.append((op["method"], re.compile(f"^{pattern}$"), op_id, op))
    return out


def right_hunks(diff_text: str) -> dict[str, list[tuple[int, int]]]:
    """New-file line ranges each hunk shows, per target path (parsed independently of
    reviewloop.git.diff so the fake does not share its bugs)."""
    out: dict[str, list[tuple[int, int]]] = {}
    for pf in PatchSet(diff_text):
        path = pf.path
        out[path] = [(h.target_start, h.target_start + h.target_length - 1)
                     for h in pf if h.target_length > 0]
    return out


MAX_BODY = 65_536  # characters GitHub takes in a comment's or a review's body


def _too_long(body: Any) -> bool:
    """Whether a write's body, or one of its review's comments, is over `MAX_BODY`, which
    GitHub refuses (422) for issue comments, reviews and review comments alike."""
    if not isinstance(body, dict):
        return False
    texts = [body.get("body"), *(c.get("body") for c in body.get("comments") or []
                                 if isinstance(c, dict))]
    return any(isinstance(t, str) and len(t) > MAX_BODY for t in texts)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class GitHubFake(CommandEndpoints):
    """The fake server; state and recorded calls are plain attributes."""

    def __init__(self, *, page_size: int | None = None):
        CommandEndpoints.__init__(self)
        self.operations = _operations()
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.too_long: list[str] = []  # writes refused for a body over GitHub's limit
        self.sleeps: list[float] = []  # a convenient `sleep` for clients under test
        self.prs: dict[tuple[str, int], PullRequest] = {}
        self.state = _State()
        self.page_size = page_size  # overrides per_page, to exercise pagination
        self.viewer = dict(VIEWER)
        self.repository_ids: dict[str, int] = {}
        self.graphql_forbidden = False  # a token that may not resolve threads
        self.thread_changes: list[tuple[str, bool]] = []  # (thread id, resolved) per change
        self.minimized: list[tuple[str, str]] = []  # (node id, classifier) per minimizeComment
        self.pulls: list[dict[str, Any]] = []  # opened through pulls/create
        self.labels: dict[str, dict[str, dict[str, Any]]] = {}  # repo → name → label
        self.remotes: dict[str, Path] = {}  # repo → bare git repository its branches are in
        self.writes = 0
        self.fail_every_nth_write: int | None = None
        self.faults_after_write: list[str] = []  # "METHOD path" answered 502 after doing it
        self._failures: deque[_Failure] = deque()
        self._outages: list[_Failure] = []
        self._healed = threading.Event()  # releases requests held by a HANG outage
        self._ids = itertools.count(1001)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> GitHubFake:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        self._healed.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- scripting -------------------------------------------------------------------

    def open_pr(self, repo: str, number: int, diff_text: str, *, head_sha: str,
                repository_id: int | None = None) -> None:
        old = self.prs.get((repo, number))
        commits = (old.commits if old else set()) | {head_sha}
        kept = {k: getattr(old, k) for k in ("base_sha", "base_ref", "head_ref", "head_repo")} \
            if old else {}
        self.prs[(repo, number)] = PullRequest(repo, number, head_sha, right_hunks(diff_text),
                                               commits, **kept)
        if repository_id is not None:
            self.repository_ids[repo] = repository_id

    def push(self, repo: str, number: int, diff_text: str, *, head_sha: str,
             force: bool = False, moved_by: str | None = None) -> None:
        """A new head. With `moved_by` (the diff from the old head to the new one) comments
        follow their line as GitHub relocates them, and one whose line was changed or
        removed becomes outdated (line null); without it, a comment whose line left the
        PR's diff does. A force-push drops the old heads from the PR."""
        if force:
            self.prs[(repo, number)].commits.clear()
        self.open_pr(repo, number, diff_text, head_sha=head_sha)
        hunks = self.prs[(repo, number)].hunks
        moves = _line_moves(moved_by) if moved_by is not None else None
        for c in self.state.review_comments:
            if c["line"] is None or c["_pr"] != (repo, number):
                continue
            line = c["line"] if moves is None else moves(c["path"], c["line"])
            if line is not None and c.get("start_line") is not None and moves is not None:
                start = moves(c["path"], c["start_line"])
                c["start_line"] = start if start is not None else line
            if line is None or not _in_one_hunk(hunks, c["path"], line, None):
                c["line"] = c["position"] = None
            else:
                c["line"] = line

    def fail_next(self, status: int, *, headers: dict[str, str] | None = None,
                  body: Any = None, times: int = 1, match: str | None = None) -> None:
        """The next `times` requests (whose "METHOD path" contains `match`) fail."""
        body = body if body is not None else {"message": f"fake failure {status}"}
        for _ in range(times):
            self._failures.append(_Failure(status, headers or {}, body, match))

    def outage(self, status: int, *, match: str, headers: dict[str, str] | None = None,
               body: Any = None) -> None:
        """Every request matching `match` fails with `status` (HANG: is never answered)
        until `heal()`."""
        body = body if body is not None else {"message": f"fake outage {status}"}
        self._healed.clear()
        self._outages.append(_Failure(status, headers or {}, body, match))

    def heal(self) -> None:
        """End every outage; requests held by HANG are dropped unanswered."""
        self._outages.clear()
        self._healed.set()

    def fail_after_writes(self, every: int) -> None:
        """Carry out every `every`-th write, then answer it with 502."""
        self.fail_every_nth_write = every

    def add_issue_comment(self, repo: str, number: int, body: str,
                          user: dict[str, Any] | None = None) -> dict[str, Any]:
        comment = self._issue_comment(repo, number, body, user or BOT)
        self.state.issue_comments.append(comment)
        return comment

    def add_review_comment(self, repo: str, number: int, *, path: str, line: int,
                           body: str, user: dict[str, Any] | None = None) -> dict[str, Any]:
        pr = self.prs[(repo, number)]
        comment = self._review_comment(pr, {"path": path, "line": line, "side": "RIGHT",
                                            "body": body}, None, user or BOT)
        self.state.review_comments.append(comment)
        self._open_thread(comment)
        return comment

    def pulls_of(self, repo: str, *, state: str = "all") -> list[dict[str, Any]]:
        return [_public(self._pull_view(p)) for p in self.pulls
                if p["_repo"] == repo and state in ("all", p["state"])]

    def thread_of(self, comment_id: int) -> dict[str, Any]:
        return next(t for t in self.state.threads if comment_id in t["comment_ids"])

    def calls_to(self, operation: str) -> list[Call]:
        return [c for c in self.calls if c.operation == operation]

    # --- request handling --------------------------------------------------------------

    def handle(self, method: str, raw_path: str, headers: dict[str, str],
               raw_body: bytes) -> tuple[int, dict[str, str], Any]:
        split = urlsplit(raw_path)
        query = parse_qs(split.query)
        try:
            body = json.loads(raw_body) if raw_body else None
        except ValueError:
            return self._violation(f"{method} {split.path}: body is not JSON")
        with self._lock:
            graphql = method == "POST" and split.path == "/graphql"
            op_id, op, params = ("graphql", None, {}) if graphql else \
                self._match(method, split.path)
            self.calls.append(Call(method, split.path, op_id, query, body, headers))
            request = f"{method} {split.path}"
            if graphql:
                kind = github_graphql.is_mutation((body or {}).get("query", ""))
                request += " mutation" if kind else " query"
            failure = self._take_failure(request)
            if failure:
                return failure.status, failure.headers, failure.body
            write = method in ("POST", "PATCH", "PUT", "DELETE") and not (
                graphql and not github_graphql.is_mutation((body or {}).get("query", "")))
            answer = self._answer(method, split.path, op_id, op, params, query, headers, body)
            if write and answer[0] < 300:
                self.writes += 1
                every = self.fail_every_nth_write
                if every and self.writes % every == 0:
                    self.faults_after_write.append(f"{method} {split.path}")
                    return 502, {}, {"message": "Server Error"}
            return answer

    def _answer(self, method, path, op_id, op, params, query, headers, body):
        if op_id == "graphql":
            if not headers.get("authorization", "").startswith(("Bearer ", "token ")):
                return self._violation("graphql: no Authorization header", 401)
            return github_graphql.answer(self, body)
        if op is None:
            return self._violation(f"{method} {path}: no such operation", 404)
        problem = self._validate(op, params, query, headers, body)
        if problem:
            return self._violation(f"{op_id}: {problem}")
        if _too_long(body):
            self.too_long.append(f"{method} {path}")
            return 422, {}, {"message": "Validation Failed", "errors": [{
                "resource": "IssueComment", "code": "custom", "field": "body",
                "message": f"body is too long (maximum is {MAX_BODY} characters)"}],
                "documentation_url": DOCS, "status": "422"}
        return getattr(self, "_" + op_id.replace("/", "_").replace("-", "_"))(
            params, query, body)

    def _match(self, method: str, path: str):
        for op_method, pattern, op_id, op in self.operations:
            found = pattern.match(path)
            if op_method == method and found:
                return op_id, op, found.groupdict()
        return None, None, {}

    def _take_failure(self, request: str) -> _Failure | None:
        for failure in self._failures:
            if failure.match is None or failure.match in request:
                self._failures.remove(failure)
                return failure
        return next((o for o in self._outages if o.match and o.match in request), None)

    def _violation(self, text: str, status: int = 422) -> tuple[int, dict[str, str], Any]:
        self.violations.append(text)
        return status, {}, {"message": "Invalid request.\n\n" + text,
                            "documentation_url": DOCS, "status": str(status)}

    def _validate(self, op: dict[str, Any], params: dict[str, str],
                  query: dict[str, list[str]], headers: dict[str, str], body: Any) -> str:
        if not headers.get("authorization", "").startswith(("Bearer ", "token ")):
            return "no Authorization header"
        if headers.get("accept") != "application/vnd.github+json":
            return f"Accept is {headers.get('accept')!r}"
        if headers.get("x-github-api-version") != "2022-11-28":
            return "X-GitHub-Api-Version missing or unknown"
        declared = {p["name"]: p for p in op["parameters"]}
        for name, value in [*params.items(), *((k, v[0]) for k, v in query.items())]:
            spec = declared.get(name)
            if spec is None:
                return f"undeclared parameter {name!r}"
            if spec["schema"].get("type") == "integer" and not value.isdigit():
                return f"parameter {name!r} must be an integer, got {value!r}"
        schema = op["requestBody"]
        if schema is None:
            return "" if body is None else "this operation takes no body"
        errors = list(jsonschema.Draft7Validator(schema).iter_errors(body))
        return "; ".join(f"{list(e.path)}: {e.message}" for e in errors)

    # --- operations ---------------------------------------------------------------------

    def _pr(self, params: dict[str, str]) -> PullRequest | None:
        key = (f"{params['owner']}/{params['repo']}",
               int(params.get("pull_number") or params.get("issue_number")))
        pr = self.prs.get(key)
        if pr is not None:
            self.follow_remote(pr)  # a push to its branch moved the head, as on GitHub
        return self.prs.get(key)

    def _page(self, items: list[dict[str, Any]], query: dict[str, list[str]], path: str):
        per_page = self.page_size or int(query.get("per_page", ["30"])[0])
        page = int(query.get("page", ["1"])[0])
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(items):
            last = -(-len(items) // per_page)
            link = f"{self.url}{path}?per_page={per_page}&page="
            headers["Link"] = f'<{link}{page + 1}>; rel="next", <{link}{last}>; rel="last"'
        return 200, headers, chunk

    def _pulls_get(self, params, query, body):
        pr = self._pr(params)
        if pr is None:
            return 404, {}, {"message": "Not Found"}
        return 200, {}, {"number": pr.number, "state": pr.state, "merged": pr.merged,
                         "head": {"sha": pr.head_sha, "ref": pr.head_ref,
                                  "repo": {"full_name": pr.head_repo or pr.repo}},
                         "base": {"sha": pr.base_sha, "ref": pr.base_ref,
                                  "repo": {"full_name": pr.repo}}}

    def _pulls_list_review_comments(self, params, query, body):
        pr = self._pr(params)
        if pr is None:
            return 404, {}, {"message": "Not Found"}
        items = [c for c in self.state.review_comments if c["_pr"] == (pr.repo, pr.number)]
        path = f"/repos/{pr.repo}/pulls/{pr.number}/comments"
        return self._page([_public(c) for c in items], query, path)

    def _pulls_list_reviews(self, params, query, body):
        pr = self._pr(params)
        if pr is None:
            return 404, {}, {"message": "Not Found"}
        items = [r for r in self.state.reviews if r["_pr"] == (pr.repo, pr.number)]
        path = f"/repos/{pr.repo}/pulls/{pr.number}/reviews"
        return self._page([_public(r) for r in items], query, path)

    def _pulls_create_review(self, params, query, body):
        pr = self._pr(params)
        if pr is None:
            return 404, {}, {"message": "Not Found"}
        if self._unknown_commit(pr, body):
            return self._commit_not_in_pr()
        if body.get("event") in ("COMMENT", "REQUEST_CHANGES") and not body.get("body"):
            return 422, {}, {"message": "Unprocessable Entity",
                             "errors": ["Body is required for COMMENT"]}
        for comment in body.get("comments", []):
            if not self._anchors(pr, comment):
                return 422, {}, {"message": "Unprocessable Entity",
                                 "errors": ["Line could not be resolved"],
                                 "documentation_url": DOCS, "status": "422"}
        review = {"id": next(self._ids), "node_id": "PRR_fake", "user": BOT,
                  "body": body.get("body", ""), "state": "COMMENTED",
                  "commit_id": body.get("commit_id", pr.head_sha), "submitted_at": _now(),
                  "author_association": "NONE", "_pr": (pr.repo, pr.number),
                  "html_url": f"https://github.com/{pr.repo}/pull/{pr.number}"}
        self.state.reviews.append(review)
        for comment in body.get("comments", []):
            created = self._review_comment(pr, comment, review["id"])
            self.state.review_comments.append(created)
            self._open_thread(created)
        return 200, {}, _public(review)

    def _pulls_create_review_comment(self, params, query, body):
        pr = self._pr(params)
        if pr is None:
            return 404, {}, {"message": "Not Found"}
        if self._unknown_commit(pr, body):
            return self._commit_not_in_pr()
        if not self._anchors(pr, body):
            return 422, {}, {"message": "Validation Failed", "errors": [{
                "resource": "PullRequestReviewComment", "code": "custom",
                "field": "pull_request_review_thread.line",
                "message": "pull_request_review_thread.line must be part of the diff"}],
                "documentation_url": DOCS, "status": "422"}
        comment = self._review_comment(pr, body, None)
        self.state.review_comments.append(comment)
        self._open_thread(comment)
        return 201, {}, _public(comment)

    def _pulls_update_review_comment(self, params, query, body):
        return self._update(self.state.review_comments, params, body)

    def _issues_list_comments(self, params, query, body):
        repo, number = f"{params['owner']}/{params['repo']}", int(params["issue_number"])
        items = [c for c in self.state.issue_comments if c["_pr"] == (repo, number)]
        return self._page([_public(c) for c in items], query,
                          f"/repos/{repo}/issues/{number}/comments")

    def _issues_create_comment(self, params, query, body):
        repo, number = f"{params['owner']}/{params['repo']}", int(params["issue_number"])
        comment = self._issue_comment(repo, number, body["body"], BOT)
        self.state.issue_comments.append(comment)
        return 201, {}, _public(comment)

    def _issues_update_comment(self, params, query, body):
        return self._update(self.state.issue_comments, params, body)

    def _update(self, items, params, body):
        found = next((c for c in items if c["id"] == int(params["comment_id"])), None)
        if found is None:
            return 404, {}, {"message": "Not Found", "documentation_url": DOCS}
        found["body"], found["updated_at"] = body["body"], _now()
        return 200, {}, _public(found)

    # --- pull requests and labels (opened by a tool) -----------------------------------

    def _pulls_list(self, params, query, body):
        repo = f"{params['owner']}/{params['repo']}"
        state = query.get("state", ["open"])[0]
        head = query.get("head", [None])[0]
        base = query.get("base", [None])[0]
        items = [self._pull_view(p) for p in self.pulls if p["_repo"] == repo
                 and state in ("all", p["state"])
                 and (head is None or head in (p["head"]["label"], p["head"]["ref"]))
                 and (base is None or base == p["base"]["ref"])]
        return self._page([_public(p) for p in items], query, f"/repos/{repo}/pulls")

    def _pulls_create(self, params, query, body):
        repo = f"{params['owner']}/{params['repo']}"
        owner = params["owner"]
        branch = body["head"].split(":", 1)[-1]
        if not body.get("title"):
            return 422, {}, {"message": "Validation Failed", "errors": [
                {"resource": "PullRequest", "field": "title", "code": "missing_field"}]}
        if repo in self.remotes and self._branch_sha(repo, branch) is None:
            return 422, {}, {"message": "Validation Failed", "errors": [
                {"resource": "PullRequest", "field": "head", "code": "invalid"}],
                "documentation_url": DOCS, "status": "422"}
        for p in self.pulls:
            if p["_repo"] == repo and p["state"] == "open" and \
                    p["head"]["ref"] == branch and p["base"]["ref"] == body["base"]:
                return 422, {}, {"message": "Validation Failed", "errors": [
                    {"resource": "PullRequest", "code": "custom",
                     "message": f"A pull request already exists for {owner}:{branch}."}],
                    "documentation_url": DOCS, "status": "422"}
        number = 1 + max((p["number"] for p in self.pulls if p["_repo"] == repo), default=0)
        pull = {"id": next(self._ids), "number": number, "state": "open",
                "title": body["title"], "body": body.get("body"),
                "draft": bool(body.get("draft", False)), "labels": [], "user": BOT,
                "head": {"ref": branch, "label": f"{owner}:{branch}", "sha": None},
                "base": {"ref": body["base"], "repo": {"full_name": repo}},
                "html_url": f"https://github.com/{repo}/pull/{number}",
                "created_at": _now(), "updated_at": _now(), "_repo": repo}
        self.pulls.append(pull)
        return 201, {}, _public(self._pull_view(pull))

    def _pulls_update(self, params, query, body):
        pull = self._pull(params)
        if pull is None:
            return 404, {}, {"message": "Not Found", "documentation_url": DOCS}
        for key in ("title", "body", "state"):
            if key in body:
                pull[key] = body[key]
        if "base" in body:
            pull["base"]["ref"] = body["base"]
        pull["updated_at"] = _now()
        return 200, {}, _public(self._pull_view(pull))

    def _issues_get_label(self, params, query, body):
        label = self.labels.get(f"{params['owner']}/{params['repo']}", {}).get(
            unquote(params["name"]))
        if label is None:
            return 404, {}, {"message": "Not Found", "documentation_url": DOCS}
        return 200, {}, label

    def _issues_create_label(self, params, query, body):
        labels = self.labels.setdefault(f"{params['owner']}/{params['repo']}", {})
        if body["name"] in labels:
            return 422, {}, {"message": "Validation Failed", "errors": [
                {"resource": "Label", "code": "already_exists", "field": "name"}]}
        labels[body["name"]] = self._label(body["name"], body.get("color", "ededed"),
                                           body.get("description"))
        return 201, {}, labels[body["name"]]

    def _issues_add_labels(self, params, query, body):
        pull = self._pull(params)
        if pull is None:
            return 404, {}, {"message": "Not Found", "documentation_url": DOCS}
        known = self.labels.setdefault(pull["_repo"], {})
        for item in body["labels"]:
            name = item if isinstance(item, str) else item["name"]
            known.setdefault(name, self._label(name, "ededed", None))  # as GitHub does
            if name not in {label["name"] for label in pull["labels"]}:
                pull["labels"].append(known[name])
        return 200, {}, pull["labels"]

    def _issues_remove_label(self, params, query, body):
        pull = self._pull(params)
        name = unquote(params["name"])
        if pull is None or name not in {label["name"] for label in pull["labels"]}:
            return 404, {}, {"message": "Label does not exist", "documentation_url": DOCS}
        pull["labels"] = [label for label in pull["labels"] if label["name"] != name]
        return 200, {}, pull["labels"]

    def _pull(self, params) -> dict[str, Any] | None:
        repo = f"{params['owner']}/{params['repo']}"
        number = int(params.get("pull_number") or params.get("issue_number"))
        return next((p for p in self.pulls if p["_repo"] == repo and p["number"] == number),
                    None)

    def _pull_view(self, pull: dict[str, Any]) -> dict[str, Any]:
        """The pull request with its head read from the remote, as GitHub shows it."""
        sha = self._branch_sha(pull["_repo"], pull["head"]["ref"]) \
            if pull["_repo"] in self.remotes else pull["head"]["sha"]
        return {**pull, "head": {**pull["head"], "sha": sha}}

    def _branch_sha(self, repo: str, branch: str) -> str | None:
        found = subprocess.run(["git", "-C", str(self.remotes[repo]), "rev-parse", "--verify",
                                "--quiet", f"refs/heads/{branch}"], capture_output=True,
                               text=True, check=False)
        return found.stdout.strip() or None

    def _label(self, name: str, color: str, description: str | None) -> dict[str, Any]:
        lid = next(self._ids)
        return {"id": lid, "node_id": f"LA_{lid}", "name": name, "color": color,
                "description": description, "default": False,
                "url": f"{self.url}/repos/labels/{name}"}

    # --- helpers --------------------------------------------------------------------------

    def _unknown_commit(self, pr: PullRequest, body: dict[str, Any]) -> bool:
        return "commit_id" in body and body["commit_id"] not in pr.commits

    def _commit_not_in_pr(self):
        return 422, {}, {"message": "Unprocessable Entity",
                         "errors": ["commit_id is not part of the pull request"],
                         "documentation_url": DOCS, "status": "422"}

    def _open_thread(self, comment: dict[str, Any]) -> None:
        self.state.threads.append({"id": f"PRRT_{comment['id']}", "resolved": False,
                                   "comment_ids": [comment["id"]], "_pr": comment["_pr"]})

    def _anchors(self, pr: PullRequest, comment: dict[str, Any]) -> bool:
        if comment.get("side", "RIGHT") != "RIGHT" or "line" not in comment:
            return False  # LEFT and position anchors are not modelled
        return _in_one_hunk(pr.hunks, comment["path"], comment["line"],
                            comment.get("start_line"))

    def _review_comment(self, pr: PullRequest, c: dict[str, Any], review_id: int | None,
                        user: dict[str, Any] = BOT) -> dict[str, Any]:
        cid = next(self._ids)
        return {"id": cid, "node_id": f"PRRC_{cid}", "pull_request_review_id": review_id,
                "path": c["path"], "line": c["line"], "original_line": c["line"],
                "start_line": c.get("start_line"), "original_start_line": c.get("start_line"),
                "side": c.get("side", "RIGHT"), "start_side": c.get("start_side"),
                "commit_id": pr.head_sha, "original_commit_id": pr.head_sha,
                "body": c["body"], "user": user, "created_at": _now(), "updated_at": _now(),
                "author_association": "NONE", "subject_type": "line", "diff_hunk": "",
                "html_url": f"https://github.com/{pr.repo}/pull/{pr.number}#discussion_r{cid}",
                "_pr": (pr.repo, pr.number)}

    def _issue_comment(self, repo: str, number: int, body: str,
                       user: dict[str, Any]) -> dict[str, Any]:
        cid = next(self._ids)
        return {"id": cid, "node_id": f"IC_{cid}", "body": body, "user": user,
                "created_at": _now(), "updated_at": _now(), "author_association": "NONE",
                "html_url": f"https://github.com/{repo}/pull/{number}#issuecomment-{cid}",
                "_pr": (repo, number)}


def _in_one_hunk(hunks: dict[str, list[tuple[int, int]]], path: str, line: int,
                 start: int | None) -> bool:
    first = line if start is None else start
    if first > line:
        return False
    return any(lo <= first and line <= hi for lo, hi in hunks.get(path, []))


def _line_moves(diff_text: str):
    """old line → new line (None: changed or removed) per path, through a diff."""
    files = {pf.path: pf for pf in PatchSet(diff_text)}

    def move(path: str, line: int) -> int | None:
        pf = files.get(path)
        if pf is None:
            return line
        if pf.is_removed_file:
            return None
        offset = 0
        for hunk in pf:
            if hunk.source_length and hunk.source_start <= line < \
                    hunk.source_start + hunk.source_length:
                found = next(x for x in hunk if x.source_line_no == line)
                return found.target_line_no if found.is_context else None
            # a hunk ends before `line` (an insertion-only hunk sits after source_start)
            end = hunk.source_start + max(hunk.source_length, 1)
            if end <= line:
                offset += hunk.target_length - hunk.source_length
        return line + offset
    return move


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}


class _Handler(BaseHTTPRequestHandler):
    fake: GitHubFake
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, extra, body = self.fake.handle(self.command, self.path, headers, raw)
        if status == HANG:  # hold the request until healed, then drop it unanswered
            self.fake._healed.wait()
            self.close_connection = True
            return
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass


@pytest.fixture
def github_fake():
    """A started fake; the test fails if any request violated GitHub's description."""
    with GitHubFake() as fake:
        yield fake
    assert fake.violations == [], fake.violations
