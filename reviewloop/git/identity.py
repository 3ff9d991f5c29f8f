"""The identity `git commit` will use: whether git has one, and the GitHub Actions bot's
when a workflow set none (Actions runners have no git identity of their own)."""

from __future__ import annotations

from collections.abc import Mapping

from reviewloop.errors import UserInputError
from reviewloop.git.repository import Repository

ACTIONS_BOT_NAME = "github-actions[bot]"
ACTIONS_BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
IDENTITY_FIX = ('git config --global user.name "Your Name" && '
                "git config --global user.email you@example.com")


def missing_identity(repo: Repository, env: Mapping[str, str] | None = None) -> str | None:
    """Why `git commit` in `repo` would have no author or committer, None when it has both:
    `git var` fails exactly when the commit would."""
    for variable, what in (("GIT_AUTHOR_IDENT", "author"), ("GIT_COMMITTER_IDENT", "committer")):
        status, _, err = repo.try_git("var", variable, env=env)
        if status != 0:
            reason = next((line.strip() for line in err.splitlines()
                           if line.strip().startswith(("fatal:", "error:"))), err.strip())
            return f"git has no {what} identity ({reason})"
    return None


def commit_identity(repo: Repository, env: Mapping[str, str]) -> dict[str, str]:
    """The environment a commit in `repo` needs for its identity: none when git has one, the
    Actions bot's inside GitHub Actions (`GITHUB_ACTIONS=true`), else a UserInputError with
    the `git config` command that fixes it. Asked before any model call: a fix whose commit
    then fails is spent for nothing."""
    given = {k: v for k, v in env.items() if k.startswith(("GIT_AUTHOR_", "GIT_COMMITTER_"))}
    reason = missing_identity(repo, given)
    if reason is None:
        return given
    if env.get("GITHUB_ACTIONS") == "true":
        bot = {"NAME": ACTIONS_BOT_NAME, "EMAIL": ACTIONS_BOT_EMAIL}
        return {f"GIT_{who}_{key}": given.get(f"GIT_{who}_{key}") or value
                for who in ("AUTHOR", "COMMITTER") for key, value in bot.items()}
    raise UserInputError(f"{reason}: the fix's commit would fail", where=str(repo.root),
                         fix=IDENTITY_FIX)
