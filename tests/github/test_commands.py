"""The `/reviewloop` line and the comment payloads (pure)."""

from __future__ import annotations

import pytest

from reviewloop.errors import UserInputError
from reviewloop.git.diff import parse_diff
from reviewloop.github.commands import Command, parse_command, parse_comment_event
from reviewloop.github.fix_push import suggestions
from tests.support.commands import MAINTAINER, NUMBER, REPO, comment_payload


@pytest.mark.parametrize(("body", "expected"), [
    ("/reviewloop fix", Command("fix")),
    ("  \n/reviewloop fix ABCDEF12 0123456789ab\nthanks", Command("fix", ("abcdef12",
                                                                           "0123456789ab"))),
    ("/reviewloop review", Command("review")),
    ("/reviewloop ignore abcdef12 input is a constant", Command(
        "ignore", ("abcdef12",), "input is a constant")),
    ("please /reviewloop fix", None),
    ("> /reviewloop fix", None),
    ("LGTM", None),
])
def test_the_first_line_is_the_command(body: str, expected: Command | None) -> None:
    assert parse_command(body) == expected


@pytest.mark.parametrize(("body", "says"), [
    ("/reviewloop fix zz", "is not a finding id"),
    ("/reviewloop ignore abcdef12", "needs a finding id and a reason"),
    ("/reviewloop merge", "unknown command"),
    ("/reviewloop review please", "`/reviewloop review` takes no arguments"),
    ("/reviewloop Review now\tplease", "`/reviewloop review` takes no arguments"),
])
def test_a_bad_command_says_how_to_write_it(body: str, says: str) -> None:
    problem = parse_command(body)
    assert isinstance(problem, str) and says in problem and "Usage:" in problem


def comment(body: str, user: dict) -> dict:
    return {"id": 77, "body": body, "user": user, "author_association": "MEMBER"}


def test_a_pr_comment_and_a_review_comment_are_commands() -> None:
    for name in ("issue_comment", "pull_request_review_comment"):
        event = parse_comment_event(name, comment_payload(name, comment(
            "/reviewloop fix", MAINTAINER)))
        assert event is not None and event.command == Command("fix")
        assert (event.repo, event.number, event.author, event.comment_id) == \
            (REPO, NUMBER, "maintainer", 77)


def test_bots_our_markers_edits_and_plain_issues_command_nothing() -> None:
    bot = {"login": "x[bot]", "id": 1, "type": "Bot"}
    event = parse_comment_event("issue_comment", comment_payload(
        "issue_comment", comment("/reviewloop fix", bot)))
    assert event is not None and event.bot and event.command is None
    quoted = parse_comment_event("issue_comment", comment_payload("issue_comment", comment(
        "/reviewloop fix\n<!-- reviewloop:fix abc 00 -->", MAINTAINER)))
    assert quoted is not None and quoted.bot and quoted.command is None
    edited = comment_payload("issue_comment", comment("/reviewloop fix", MAINTAINER))
    edited["action"] = "edited"
    assert parse_comment_event("issue_comment", edited) is None
    issue = comment_payload("issue_comment", comment("/reviewloop fix", MAINTAINER))
    del issue["issue"]["pull_request"]
    assert parse_comment_event("issue_comment", issue) is None


def test_a_payload_of_the_wrong_shape_names_the_key() -> None:
    payload = comment_payload("issue_comment", comment("/reviewloop fix", MAINTAINER))
    del payload["comment"]["user"]
    with pytest.raises(UserInputError, match=r"comment\.user"):
        parse_comment_event("issue_comment", payload, source="event.json")


PR_DIFF = """diff --git a/a.py b/a.py
--- a/a.py
+++ b/a.py
@@ -1,2 +1,4 @@
 x = 1
+y = eval(s)
+z = 2
 w = 3
"""
FIX = """diff --git a/a.py b/a.py
--- a/a.py
+++ b/a.py
@@ -1,4 +1,4 @@
 x = 1
-y = eval(s)
+y = int(s)
 z = 2
 w = 3
"""
OUTSIDE = """diff --git a/b.py b/b.py
--- a/b.py
+++ b/b.py
@@ -1,1 +1,1 @@
-old
+new
"""


def test_the_fix_becomes_suggestions_on_the_prs_lines_and_the_rest_is_named() -> None:
    found, loose = suggestions(FIX + OUTSIDE, {"a.py": ["x = 1\n", "y = eval(s)\n"]},
                               parse_diff(PR_DIFF))
    assert [(s.path, s.start, s.end, s.text) for s in found] == [("a.py", 2, 2,
                                                                  "y = int(s)\n")]
    assert found[0].payload()["line"] == 2 and "```suggestion\ny = int(s)\n```" in \
        found[0].payload()["body"]
    assert loose == ["b.py"]
