"""The REST client: headers, retries that honour Retry-After, rate limits, pagination."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.errors import CredentialsError
from reviewloop.github.client import GitHubClient, GitHubError, api_url, token_from
from tests.support.github import GitHubFake

REPO = "octo/hello"


def scripted(*responses: httpx.Response, seen: list[httpx.Request] | None = None):
    """A MockTransport answering with `responses` in order (the last one repeats)."""
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return queue.pop(0) if len(queue) > 1 else queue[0]
    return httpx.MockTransport(handler)


def client(transport, sleeps: list[float], **kw) -> GitHubClient:
    return GitHubClient("tok", base_url="https://ghe.example/api/v3", transport=transport,
                        sleep=sleeps.append, clock=lambda: 1_000.0, **kw)


def test_headers_and_base_url():
    seen: list[httpx.Request] = []
    gh = client(scripted(httpx.Response(200, json=[]), seen=seen), [])
    gh.list_issue_comments(REPO, 5)
    request = seen[0]
    assert str(request.url).startswith("https://ghe.example/api/v3/repos/octo/hello/issues/5/")
    assert request.headers["authorization"] == "Bearer tok"
    assert request.headers["accept"] == "application/vnd.github+json"
    assert request.headers["x-github-api-version"] == "2022-11-28"
    assert request.headers["user-agent"].startswith("reviewloop/")


def test_retry_after_is_honoured_on_a_secondary_rate_limit():
    sleeps: list[float] = []
    limited = httpx.Response(403, headers={"Retry-After": "7"},
                             json={"message": "You have exceeded a secondary rate limit."})
    gh = client(scripted(limited, httpx.Response(201, json={"id": 1})), sleeps)
    assert gh.create_issue_comment(REPO, 5, "hi") == {"id": 1}
    assert sleeps == [7.0]


def test_429_with_retry_after():
    sleeps: list[float] = []
    gh = client(scripted(httpx.Response(429, headers={"Retry-After": "2"}),
                         httpx.Response(200, json=[])), sleeps)
    assert gh.list_review_comments(REPO, 5) == []
    assert sleeps == [2.0]


def test_primary_rate_limit_waits_until_reset():
    sleeps: list[float] = []
    exhausted = httpx.Response(403, headers={"x-ratelimit-remaining": "0",
                                             "x-ratelimit-reset": "1030"},
                               json={"message": "API rate limit exceeded"})
    gh = client(scripted(exhausted, httpx.Response(200, json=[])), sleeps)
    gh.list_reviews(REPO, 5)
    assert sleeps == [31.0]  # reset - now, plus a second of slack


def test_secondary_rate_limit_without_header_waits_a_minute():
    sleeps: list[float] = []
    limited = httpx.Response(403, json={"message": "You have exceeded a secondary rate "
                                                   "limit. Please wait a few minutes."})
    gh = client(scripted(limited, httpx.Response(200, json=[])), sleeps)
    gh.list_reviews(REPO, 5)
    assert sleeps == [60.0]


def test_a_wait_longer_than_the_cap_gives_up_instead_of_shortening_it():
    sleeps: list[float] = []
    gh = client(scripted(httpx.Response(403, headers={"Retry-After": "3600"},
                                        json={"message": "secondary rate limit"})),
                sleeps, max_wait=120)
    with pytest.raises(GitHubError, match="wait 3600s, more than the 120s limit") as info:
        gh.list_reviews(REPO, 5)
    assert sleeps == [] and info.value.status == 403


def test_5xx_is_retried_with_exponential_backoff():
    sleeps: list[float] = []
    gh = client(scripted(httpx.Response(502), httpx.Response(503), httpx.Response(500),
                         httpx.Response(200, json={"id": 3})), sleeps, backoff=0.5)
    assert gh.update_issue_comment(REPO, 3, "x") == {"id": 3}
    assert sleeps == [0.5, 1.0, 2.0]


def test_5xx_retry_after_wins_over_backoff():
    sleeps: list[float] = []
    gh = client(scripted(httpx.Response(503, headers={"Retry-After": "4"}),
                         httpx.Response(200, json={"id": 3})), sleeps)
    gh.update_issue_comment(REPO, 3, "x")
    assert sleeps == [4.0]


def test_retries_run_out():
    sleeps: list[float] = []
    gh = client(scripted(httpx.Response(500, json={"message": "boom"})), sleeps,
                max_retries=2)
    with pytest.raises(GitHubError, match=r"HTTP 500: boom after 2 retries"):
        gh.list_reviews(REPO, 5)
    assert len(sleeps) == 2


def test_transport_errors_are_retried():
    sleeps: list[float] = []
    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json=[])
    gh = client(httpx.MockTransport(handler), sleeps)
    assert gh.list_reviews(REPO, 5) == [] and len(calls) == 2 and sleeps == [1.0]


LIMIT_SIGNS = {  # each alone says a 403 is a rate limit: (headers, message)
    "retry-after": ({"Retry-After": "900"}, "Forbidden"),
    "no requests remain": ({"x-ratelimit-remaining": "0", "x-ratelimit-reset": "99999"},
                           "Forbidden"),
    "secondary": ({}, "You have exceeded a secondary rate limit."),
    "primary": ({}, "API rate limit exceeded for installation ID 1."),
}


@settings(max_examples=40, deadline=None)
@given(signs=st.lists(st.sampled_from(sorted(LIMIT_SIGNS)), unique=True),
       write=st.booleans())
def test_a_403_rate_limit_is_never_taken_for_a_token_that_may_not_write(
        signs: list[str], write: bool) -> None:
    """Any sign of a rate limit makes a final 403 a rate limit (`.rate_limited`, as 429),
    never `.forbidden` (the read-only fork token the publisher falls back for); with none,
    it is forbidden."""
    headers = {k: v for sign in signs for k, v in LIMIT_SIGNS[sign][0].items()}
    said = next((LIMIT_SIGNS[sign][1] for sign in signs if sign in ("secondary", "primary")),
                "Resource not accessible by integration")
    sleeps: list[float] = []
    gh = client(scripted(httpx.Response(403, headers=headers, json={"message": said})),
                sleeps, max_wait=1, max_retries=0)
    with pytest.raises(GitHubError) as info:
        gh.create_issue_comment(REPO, 5, "x") if write else gh.list_reviews(REPO, 5)
    assert info.value.status == 403
    assert info.value.rate_limited is bool(signs)
    assert info.value.forbidden is not bool(signs)
    assert sleeps == []


def test_a_plain_403_is_final_and_says_forbidden():
    sleeps: list[float] = []
    gh = client(scripted(httpx.Response(403, json={
        "message": "Resource not accessible by integration"})), sleeps)
    with pytest.raises(GitHubError) as info:
        gh.create_issue_comment(REPO, 5, "x")
    assert info.value.forbidden and sleeps == []
    assert "Resource not accessible by integration" in str(info.value)


def test_422_carries_githubs_errors():
    gh = client(scripted(httpx.Response(422, json={
        "message": "Unprocessable Entity", "errors": ["Line could not be resolved"]})), [])
    with pytest.raises(GitHubError) as info:
        gh.create_review(REPO, 5, commit_id="a" * 40, body="b", comments=[])
    assert info.value.unprocessable
    assert "Unprocessable Entity (Line could not be resolved)" in str(info.value)
    assert info.value.errors == ["Line could not be resolved"]


def test_links_to_another_host_are_not_followed():
    page = httpx.Response(200, json=[{"id": 1}],
                          headers={"Link": '<https://evil.example/x?page=2>; rel="next"'})
    gh = client(scripted(page), [])
    with pytest.raises(GitHubError, match="refusing to follow a link"):
        gh.list_reviews(REPO, 5)


def test_bad_repository_names_are_refused():
    gh = client(scripted(httpx.Response(200, json=[])), [])
    with pytest.raises(GitHubError, match="not an owner/name"):
        gh.list_reviews("octo/../../admin", 5)


def test_env_helpers():
    assert api_url({}) == "https://api.github.com"
    assert api_url({"GITHUB_API_URL": "https://ghe.example/api/v3/"}) == \
        "https://ghe.example/api/v3"
    assert token_from({"GITHUB_TOKEN": "a"}) == "a"
    assert token_from({"GITHUB_TOKEN": "a"}, "input") == "input"
    with pytest.raises(CredentialsError, match="GITHUB_TOKEN"):
        token_from({})


# --- against the loopback fake ------------------------------------------------------------


def test_pagination_follows_link_headers(github_fake):
    github_fake.page_size = 2
    github_fake.open_pr(REPO, 5, "", head_sha="a" * 40)
    for n in range(5):
        github_fake.add_issue_comment(REPO, 5, f"comment {n}")
    with GitHubClient("tok", base_url=github_fake.url) as gh:
        bodies = [c["body"] for c in gh.list_issue_comments(REPO, 5)]
    assert bodies == [f"comment {n}" for n in range(5)]
    pages = [c.query.get("page", ["1"])[0] for c in github_fake.calls_to("issues/list-comments")]
    assert pages == ["1", "2", "3"]


def test_fake_rate_limit_is_retried_but_a_5xx_on_a_create_is_not(github_fake):
    github_fake.open_pr(REPO, 5, "", head_sha="a" * 40)
    github_fake.fail_next(403, headers={"Retry-After": "3"},
                          body={"message": "You have exceeded a secondary rate limit."})
    with GitHubClient("tok", base_url=github_fake.url, sleep=github_fake.sleeps.append) as gh:
        created = gh.create_issue_comment(REPO, 5, "hello")
        assert created["body"] == "hello"
        assert created["user"]["login"] == "github-actions[bot]"
        assert github_fake.sleeps == [3.0]  # a rate limit: nothing was done, so retry
        github_fake.fail_after_writes(1)  # the next write is carried out, then 502
        with pytest.raises(GitHubError) as info:
            gh.create_issue_comment(REPO, 5, "again")
    assert info.value.uncertain and info.value.status == 502
    assert "may have been carried out" in str(info.value)
    # one attempt each: a blind retry would have posted "again" twice
    assert [c["body"] for c in github_fake.state.issue_comments] == ["hello", "again"]
    assert len(github_fake.calls_to("issues/create-comment")) == 3


def test_a_dropped_connection_on_a_create_is_uncertain_and_not_retried():
    sleeps: list[float] = []
    calls = []

    def handler(request):
        calls.append(request)
        raise httpx.ReadError("connection reset", request=request)
    gh = client(httpx.MockTransport(handler), sleeps)
    with pytest.raises(GitHubError) as info:
        gh.create_issue_comment(REPO, 5, "x")
    assert info.value.uncertain and len(calls) == 1 and sleeps == []


def test_graphql_returns_data_and_raises_its_errors():
    seen: list[httpx.Request] = []
    gh = client(scripted(
        httpx.Response(200, json={"data": {"viewer": {"login": "octo"}}}),
        httpx.Response(200, json={"data": None, "errors": [
            {"type": "FORBIDDEN", "message": "Resource not accessible by integration"}]}),
        seen=seen), [])
    assert gh.graphql("query { viewer { login } }") == {"viewer": {"login": "octo"}}
    # Enterprise Server: REST under /api/v3, GraphQL at /api/graphql
    assert str(seen[0].url) == "https://ghe.example/api/graphql"
    with pytest.raises(GitHubError) as info:
        gh.graphql("mutation { x }")
    assert info.value.forbidden and "Resource not accessible by integration" in str(info.value)


def test_graphql_on_github_com_and_5xx_retried(github_fake):
    github_fake.open_pr(REPO, 5, "", head_sha="a" * 40)
    github_fake.fail_next(502, match="POST /graphql")
    with GitHubClient("tok", base_url=github_fake.url, sleep=github_fake.sleeps.append) as gh:
        data = gh.graphql("query { viewer { login databaseId } }")
    assert data == {"viewer": {"login": "github-actions", "databaseId": 41898282}}
    assert len(github_fake.calls_to("graphql")) == 2


def test_the_fake_rejects_graphql_that_breaks_githubs_schema():
    with GitHubFake() as fake, GitHubClient("tok", base_url=fake.url) as gh:
        fake.open_pr(REPO, 5, "", head_sha="a" * 40)
        with pytest.raises(GitHubError, match="Cannot query field 'isResolvd'"):
            gh.graphql("query($o: String!) { repository(owner: $o, name: \"x\") { "
                       "pullRequest(number: 1) { reviewThreads(first: 5) { nodes { "
                       "isResolvd } } } } }", {"o": "octo"})
        with pytest.raises(GitHubError, match="first"):
            gh.graphql("query { repository(owner: \"octo\", name: \"hello\") { "
                       "pullRequest(number: 5) { reviewThreads { totalCount } } } }")
    assert len(fake.violations) == 2


def test_the_fake_rejects_bodies_that_break_githubs_description():
    with GitHubFake() as fake, GitHubClient("tok", base_url=fake.url) as gh:
        fake.open_pr(REPO, 5, "", head_sha="a" * 40)
        with pytest.raises(GitHubError, match="Invalid request") as info:
            gh.request("POST", f"repos/{REPO}/issues/5/comments", json={"bdy": "x"})
        assert info.value.status == 422
    assert len(fake.violations) == 1
    assert "'body' is a required property" in fake.violations[0]


@pytest.mark.parametrize("size", [65_536, 65_537, 100_000])
def test_the_fake_refuses_a_body_over_githubs_limit_as_github_does(size: int):
    """GitHub answers 422 "body is too long (maximum is 65536 characters)" for an issue
    comment, a review or a review comment over 65,536 characters; at the limit it takes it."""
    with GitHubFake() as fake, GitHubClient("tok", base_url=fake.url) as gh:
        fake.open_pr(REPO, 5, "", head_sha="a" * 40)
        writes = [lambda: gh.create_issue_comment(REPO, 5, "x" * size),
                  lambda: gh.create_review(REPO, 5, commit_id="a" * 40, comments=[],
                                           body="x" * size)]
        for write in writes:
            if size <= 65_536:
                write()
                continue
            with pytest.raises(GitHubError, match="body is too long") as info:
                write()
            assert info.value.status == 422
        posted = gh.create_issue_comment(REPO, 5, "short")
        if size > 65_536:
            with pytest.raises(GitHubError, match="body is too long"):
                gh.update_issue_comment(REPO, posted["id"], "x" * size)
    assert fake.violations == []


def test_a_reply_that_is_not_json_is_a_github_error_not_a_crash():
    page = httpx.Response(200, text="<html>502 Bad Gateway</html>")
    with pytest.raises(GitHubError, match="not JSON: '<html>502 Bad Gateway") as read:
        client(scripted(page), []).list_issue_comments(REPO, 5)
    assert not read.value.uncertain  # a read: nothing happened
    with pytest.raises(GitHubError) as created:
        client(scripted(page), []).create_issue_comment(REPO, 5, "hi")
    assert created.value.uncertain  # the comment may exist: read back before posting again
