"""Who may command reviewloop on a pull request: users with write access to the repository.

The event's `author_association` is only a hint (GitHub computes it from membership, not
from the permission a user holds); the answer comes from the API,
`GET /repos/{owner}/{repo}/collaborators/{username}/permission`, asked for every command.
A user the API does not know (404) has no access; any other failure is GitHub's and raises.
"""

from __future__ import annotations

from reviewloop.github.client import GitHubClient, GitHubError
from reviewloop.github.commands import CommentEvent

WRITERS = frozenset({"admin", "maintain", "write"})
_HINTS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})


def may_command(client: GitHubClient, event: CommentEvent) -> bool:
    """Whether the comment's author has write access (never for a bot's comment)."""
    if event.bot:
        return False
    try:
        found = client.get_permission(event.repo, event.author)
    except GitHubError as exc:
        if exc.status == 404:
            return False
        raise
    roles = {str(found.get("permission", "")), str(found.get("role_name", ""))}
    return bool(roles & WRITERS)


def refusal(event: CommentEvent) -> str:
    """The short reply to someone who may not command: nothing runs."""
    hint = " (a collaborator by association, but without write access)" \
        if event.association in _HINTS else ""
    return (f"@{event.author} only people with write access to this repository can run "
            f"reviewloop commands{hint}; nothing was run.")
