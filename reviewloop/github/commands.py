"""Comment commands on a pull request, as data: the `issue_comment` and
`pull_request_review_comment` payloads an Actions run gets, and the `/reviewloop …` line.

    /reviewloop fix [<id>…]        fix the PR's open 🔴/🟡 findings (all, or those named)
    /reviewloop review             review the PR again now
    /reviewloop ignore <id> <why>  dismiss a finding, recorded with who and why

A command is the first non-empty line of a comment that a human *created* (an edit or a
deletion replays nothing), when Markdown shows that line as plain text: a line that opens an
indented code block (four columns of indentation, a tab counting to the next multiple of
four, as CommonMark says), a quote (`>`) or a fenced block (```` ``` ````, `~~~`) shows an
example, and is never executed; nor is a list item (`- /reviewloop fix`). A comment by a
bot (`user.type == "Bot"`) or carrying one of reviewloop's own markers is never a command,
whoever posted it: the bot cannot command itself, and quoting its comments commands nothing.
Who may command is decided elsewhere (`github/access.py`); the body's other lines are never
read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from reviewloop.errors import UserInputError

Verb = Literal["fix", "review", "ignore"]
EVENTS = ("issue_comment", "pull_request_review_comment")
_FIX = ("run `reviewloop review --github` from a workflow triggered `on: issue_comment` or "
        "`on: pull_request_review_comment` (types: created)")
_LINE = re.compile(r"^/reviewloop(?:\s+(?P<verb>\S+))?(?P<rest>.*)$")
_ID = re.compile(r"^[0-9a-f]{6,64}$")
_CODE_INDENT = 4  # columns that make a line an indented code block (CommonMark)
_OUR_MARKER = "<!-- reviewloop:"
USAGE = ("`/reviewloop fix [id…]` · `/reviewloop review` · "
         "`/reviewloop ignore <id> <reason>`")


@dataclass(frozen=True)
class Command:
    verb: Verb
    ids: tuple[str, ...] = ()  # finding ids (prefixes of fingerprints), lower case
    reason: str = ""  # `ignore` only


@dataclass(frozen=True)
class CommentEvent:
    """Who said what on which pull request; `command` None when it is not one for us."""

    repo: str
    repo_id: int
    number: int
    comment_id: int
    author: str
    association: str  # OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, …: a hint only
    bot: bool
    command: Command | None
    problem: str = ""  # a `/reviewloop` line that does not parse: what to tell its author
    review_comment: bool = False  # on a diff line (pull_request_review_comment)


def parse_command(body: str) -> Command | str | None:
    """The command on the body's first non-empty line; a message when the line starts with
    `/reviewloop` but is not a command; None when it is not addressed to reviewloop."""
    first = next((text for text in body.splitlines() if text.strip()), "")
    if _columns(first) >= _CODE_INDENT:
        return None  # an indented code block: an example, like a quoted or fenced one
    found = _LINE.match(first.strip())
    if found is None:
        return None
    verb, words = (found["verb"] or "").lower(), found["rest"].split()
    if verb == "review":
        return Command("review") if not words else \
            f"`/reviewloop review` takes no arguments: nothing was run. Usage: {USAGE}"
    if verb == "fix":
        bad = [w for w in words if not _ID.match(w.lower())]
        if bad:
            return f"`{bad[0][:40]}` is not a finding id (6–64 hex digits). Usage: {USAGE}"
        return Command("fix", tuple(w.lower() for w in words))
    if verb == "ignore":
        if len(words) < 2 or not _ID.match(words[0].lower()):
            return f"`/reviewloop ignore` needs a finding id and a reason. Usage: {USAGE}"
        return Command("ignore", (words[0].lower(),), " ".join(words[1:])[:500])
    return f"unknown command. Usage: {USAGE}"


def _columns(line: str) -> int:
    """The line's indentation in columns, as CommonMark counts it (a tab to the next stop)."""
    column = 0
    for char in line:
        if char == " ":
            column += 1
        elif char == "\t":
            column += _CODE_INDENT - column % _CODE_INDENT
        else:
            break
    return column


def parse_comment_event(name: str, payload: Any, *, source: str = "event"
                        ) -> CommentEvent | None:
    """The event, or None when it carries nothing to act on (not on a pull request, not a
    newly created comment). A payload of the wrong shape names the key that is wrong."""
    if name not in EVENTS:
        raise UserInputError(f"event {name!r} carries no comment command", where=source,
                             fix=_FIX)
    try:
        data = _Payload.model_validate(payload)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"])
        raise UserInputError(f"the {name} payload's `{key}`: {error['msg']}", where=source,
                             fix=_FIX) from None
    number = _number(data)
    if data.action != "created" or number is None:
        return None
    comment = data.comment
    bot = comment.user.type == "Bot" or _OUR_MARKER in comment.body
    parsed = None if bot else parse_command(comment.body)
    return CommentEvent(
        repo=data.repository.full_name, repo_id=data.repository.id, number=number,
        comment_id=comment.id, author=comment.user.login,
        association=comment.author_association, bot=bot,
        command=parsed if isinstance(parsed, Command) else None,
        problem=parsed if isinstance(parsed, str) else "",
        review_comment=name == "pull_request_review_comment")


def _number(data: _Payload) -> int | None:
    if data.pull_request is not None:
        return data.pull_request.number
    if data.issue is not None and data.issue.pull_request is not None:
        return data.issue.number
    return None  # a comment on an issue, not on a pull request


# --- the payload's shape: only the keys commands read ------------------------------------

class _User(BaseModel):
    login: str = Field(min_length=1)
    type: str = "User"


class _Comment(BaseModel):
    id: int
    body: str = ""
    user: _User
    author_association: str = "NONE"


class _Issue(BaseModel):
    number: int = Field(gt=0)
    pull_request: dict[str, Any] | None = None


class _Pull(BaseModel):
    number: int = Field(gt=0)


class _Repository(BaseModel):
    full_name: str = Field(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
    id: int


class _Payload(BaseModel):
    action: str
    comment: _Comment
    repository: _Repository
    issue: _Issue | None = None
    pull_request: _Pull | None = None


def load_comment_event(env: Mapping[str, str]) -> CommentEvent | None:
    """The comment event at `GITHUB_EVENT_PATH` (`GITHUB_EVENT_NAME` says which)."""
    name, where = env.get("GITHUB_EVENT_NAME", ""), env.get("GITHUB_EVENT_PATH")
    if not where:
        raise UserInputError("GITHUB_EVENT_PATH is not set: not running in GitHub Actions?",
                             fix=_FIX)
    try:
        payload = json.loads(Path(where).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserInputError(f"cannot read the event payload: {exc}", where=where,
                             fix=_FIX) from None
    return parse_comment_event(name, payload, source=where)
