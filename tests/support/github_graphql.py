"""The GraphQL side of the GitHub fake: `POST /graphql` parsed and validated by graphql-core
against GitHub's published schema (the trimmed copy in
`tests/fixtures/github/graphql-subset.graphql`, see `extract_graphql.py` there), then
executed against the fake's review threads.

GitHub answers a query that does not validate with HTTP 200 and an `errors` list; so does
the fake, and it also records a violation so the test fails. A mutation the token may not
make (`GitHubFake.graphql_forbidden`) answers like a read-only `GITHUB_TOKEN`: 200 with an
error of type FORBIDDEN, and nothing changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    build_schema,
    execute,
    parse,
    validate,
)

if TYPE_CHECKING:
    from tests.support.github import GitHubFake

SCHEMA_FILE = Path(__file__).parents[1] / "fixtures/github/graphql-subset.graphql"
_SCHEMA = None
MAX_PAGE = 100  # GitHub's limit for `first`/`last`


def schema():
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = build_schema(SCHEMA_FILE.read_text())
    return _SCHEMA


class Forbidden(GraphQLError):
    def __init__(self, message: str):
        super().__init__(message, extensions={"type": "FORBIDDEN"})


def is_mutation(query: str) -> bool:
    try:
        doc = parse(query)
    except GraphQLError:
        return False
    return any(isinstance(d, OperationDefinitionNode) and d.operation is OperationType.MUTATION
               for d in doc.definitions)


def answer(fake: GitHubFake, body: Any) -> tuple[int, dict[str, str], Any]:
    """One GraphQL request: (status, headers, JSON) as GitHub would send them."""
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return fake._violation("graphql: the body needs a `query` string", 400)
    unknown = set(body) - {"query", "variables", "operationName"}
    if unknown:
        return fake._violation(f"graphql: unknown body keys {sorted(unknown)}", 400)
    try:
        doc = parse(body["query"])
    except GraphQLError as exc:
        return _invalid(fake, [exc])
    problems = validate(schema(), doc)
    if problems:
        return _invalid(fake, problems)
    result = execute(schema(), doc, root_value=_Root(fake),
                     variable_values=body.get("variables") or {})
    reply: dict[str, Any] = {"data": result.data}
    if result.errors:
        reply["errors"] = [_error(e) for e in result.errors]
        unexpected = [e for e in result.errors if not isinstance(e.original_error, Forbidden)
                      and (e.extensions or {}).get("type") != "FORBIDDEN"]
        if unexpected:
            fake.violations.append("graphql: " + "; ".join(e.message for e in unexpected))
    return 200, {}, reply


def _invalid(fake: GitHubFake, errors: list[GraphQLError]):
    fake.violations.append("graphql: " + "; ".join(e.message for e in errors))
    return 200, {}, {"errors": [_error(e) for e in errors]}


def _error(error: GraphQLError) -> dict[str, Any]:
    out = error.formatted
    kind = (error.extensions or {}).get("type")
    if kind:
        out["type"] = kind
    return out


def _page(items: list[Any], first: int | None, after: str | None,
          node=lambda item: item) -> dict[str, Any]:
    if first is None or not 1 <= first <= MAX_PAGE:
        raise GraphQLError("You must provide a `first` value between 1 and 100 to properly "
                           "paginate the connection.")
    start = int(after) if after else 0
    chunk = items[start:start + first]
    end = start + len(chunk)
    return {"nodes": [node(item) for item in chunk], "totalCount": len(items),
            "pageInfo": {"hasNextPage": end < len(items), "hasPreviousPage": start > 0,
                         "startCursor": str(start) if chunk else None,
                         "endCursor": str(end) if chunk else None}}


class _Root:
    """Resolvers: graphql-core calls attributes of the root (and of nested dicts) by name."""

    def __init__(self, fake: GitHubFake):
        self.fake = fake

    def viewer(self, info) -> dict[str, Any]:
        bot = self.fake.viewer
        return {"id": f"BOT_{bot['id']}", "login": bot["graphql_login"],
                "databaseId": bot["id"]}

    def repository(self, info, owner: str, name: str, followRenames: bool = True):
        repo = f"{owner}/{name}"
        if not any(key[0] == repo for key in self.fake.prs):
            return None
        return {"id": f"R_{repo}", "databaseId": self.fake.repository_ids.get(repo, 1),
                "nameWithOwner": repo,
                "pullRequest": lambda info, number: self._pull(repo, number)}

    def _pull(self, repo: str, number: int):
        pr = self.fake.prs.get((repo, number))
        if pr is None:
            return None
        threads = [t for t in self.fake.state.threads if t["_pr"] == (repo, number)]
        by_id = {c["id"]: c for c in self.fake.state.review_comments}
        return {"id": f"PR_{number}", "number": number, "headRefOid": pr.head_sha,
                "reviewThreads": lambda info, first=None, after=None, last=None,
                before=None: _page(threads, first, after, lambda t: self._thread(t, by_id))}

    def _thread(self, thread: dict[str, Any], by_id: dict[int, Any] | None = None
                ) -> dict[str, Any]:
        by_id = by_id or {c["id"]: c for c in self.fake.state.review_comments}
        comments = [by_id[i] for i in thread["comment_ids"] if i in by_id]
        first = comments[0] if comments else {}
        allowed = not self.fake.graphql_forbidden
        return {"id": thread["id"], "isResolved": thread["resolved"],
                "isOutdated": first.get("line") is None, "path": first.get("path", ""),
                "line": first.get("line"),
                "viewerCanResolve": allowed and not thread["resolved"],
                "viewerCanUnresolve": allowed and thread["resolved"],
                "comments": lambda info, first=None, after=None, **_: _page(
                    [{"id": c["node_id"], "databaseId": c["id"]} for c in comments],
                    first, after)}

    def minimizeComment(self, info, input: dict[str, Any]):
        if self.fake.graphql_forbidden:
            raise Forbidden("Resource not accessible by integration")
        node = input["subjectId"]
        if not any(c["node_id"] == node for c in (*self.fake.state.issue_comments,
                                                   *self.fake.state.review_comments)):
            raise GraphQLError(f"Could not resolve to a node with the global id of '{node}'")
        self.fake.minimized.append((node, input["classifier"]))
        return {"clientMutationId": input.get("clientMutationId")}

    def resolveReviewThread(self, info, input: dict[str, Any]):
        return self._set(input, True)

    def unresolveReviewThread(self, info, input: dict[str, Any]):
        return self._set(input, False)

    def _set(self, input: dict[str, Any], resolved: bool):
        if self.fake.graphql_forbidden:
            raise Forbidden("Resource not accessible by integration")
        thread = next((t for t in self.fake.state.threads if t["id"] == input["threadId"]),
                      None)
        if thread is None:
            raise GraphQLError(f"Could not resolve to a node with the global id of "
                               f"'{input['threadId']}'")
        thread["resolved"] = resolved
        self.fake.thread_changes.append((thread["id"], resolved))
        return {"clientMutationId": input.get("clientMutationId"),
                "thread": self._thread(thread)}
