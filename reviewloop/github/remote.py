"""The run's branch on the remote (`run.land = "pr"`): which GitHub repository a remote
names, and pushing the run's commit there without overwriting anyone else's work.

A token for the push (`GITHUB_TOKEN`, e.g. in a workflow whose checkout keeps no
credentials) goes to git as an HTTP header through `GIT_CONFIG_*` environment variables —
never in a URL, an argument or a message.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from reviewloop.errors import BlockingOutcome, CredentialsError, UserInputError
from reviewloop.git.repository import Repository
from reviewloop.github.client import token_from

# every commit a run makes carries them
from reviewloop.landing.message import SPEC_TRAILER, TASK_TRAILER, TRAILER

_SLUG = re.compile(r"^/?(?P<slug>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?)(?:\.git)?/?$")
_CREDENTIALS = re.compile(r"://[^/@\s]+@")
_SCP = re.compile(r"^[\w.-]+@[\w.-]+:(?P<path>[^/].*)$")  # git@github.com:owner/name.git


def remote_url(repo: Repository, remote: str) -> str:
    status, out, _ = repo.try_git("remote", "get-url", remote)
    if status != 0:
        raise UserInputError(f"the repository has no remote {remote!r} to push the run's "
                             "branch to", where=str(repo.root),
                             fix=f"git remote add {remote} https://github.com/OWNER/NAME.git")
    return out.strip()


def repo_slug(url: str, env: Mapping[str, str]) -> str:
    """"owner/name" from a GitHub remote URL; for a remote that is not a URL (a path, as in
    tests and mirrors), `GITHUB_REPOSITORY`."""
    path = None
    if scp := _SCP.match(url):
        path = scp["path"]
    elif urlsplit(url).scheme in ("https", "http", "ssh", "git"):
        path = urlsplit(url).path
    found = _SLUG.match(path) if path is not None else None
    if found:
        return found["slug"]
    if env.get("GITHUB_REPOSITORY"):
        return env["GITHUB_REPOSITORY"]
    raise UserInputError(f"cannot tell the GitHub repository from the remote URL {_shown(url)}",
                         where="run.land = \"pr\"",
                         fix="set GITHUB_REPOSITORY=OWNER/NAME (Actions sets it), or point "
                             "the remote at https://github.com/OWNER/NAME.git")


def check_ready(repo: Repository, remote: str, env: Mapping[str, str]) -> str:
    """Before a run starts: the remote, the repository and a token are there; the slug."""
    slug = repo_slug(remote_url(repo, remote), env)
    try:
        token_from(env)
    except CredentialsError as exc:
        raise CredentialsError(f'run.land = "pr" opens a pull request on {slug}: {exc}') \
            from None
    return slug


def push(repo: Repository, commit: str, remote: str, branch: str,
         env: Mapping[str, str]) -> bool:
    """Put `commit` at `branch` on `remote`; False when it is there already (a resume).

    A branch left by an earlier run of the task is replaced (a re-run redoes the task), but
    only when every commit on it that `commit` lacks was made by reviewloop: someone's
    pushed fix-up is never overwritten. `--force-with-lease` makes that check and the push
    one step, so a push made between them is refused rather than lost."""
    ref = f"refs/heads/{branch}"
    auth = auth_env(repo, remote_url(repo, remote), env)
    status, out, err = repo.try_git("ls-remote", "--", remote, ref, env=auth)
    if status != 0:
        raise BlockingOutcome(f"cannot reach the remote {remote}: {_first(err)}")
    current = out.split()[0] if out.strip() else ""
    if current == commit:
        return False  # pushed before a crash: a resume (from any clone) pushes nothing
    if repo.try_git("cat-file", "-e", f"{commit}^{{commit}}")[0] != 0:
        raise BlockingOutcome(f"the run's commit {commit[:12]} is not in this clone and not "
                              f"yet on {remote} {branch}: finish the run in the clone that "
                              "made it")
    if current:
        _refuse_foreign(repo, remote, branch, current, commit, auth)
    status, _, err = repo.try_git("push", "--quiet", f"--force-with-lease={ref}:{current}",
                                  remote, f"{commit}:{ref}", env=auth)
    if status != 0:
        raise BlockingOutcome(f"git push to {remote} {branch} failed: {_first(err)}")
    return True


def _refuse_foreign(repo: Repository, remote: str, branch: str, current: str, commit: str,
                    auth: Mapping[str, str]) -> None:
    status, _, err = repo.try_git("fetch", "--quiet", "--no-tags", remote,
                                  f"refs/heads/{branch}", env=auth)
    if status != 0:
        raise BlockingOutcome(f"cannot fetch {branch} from {remote}: {_first(err)}")
    mine = owner(repo.git("log", "-1", "--format=%B", commit))
    theirs: list[str] = []
    for sha in repo.git("rev-list", current, f"^{commit}").split():
        message = repo.git("log", "-1", "--format=%B", sha)
        if f"{TRAILER}:" not in message:
            theirs.append(sha)
        elif not same_task(owner(message), mine):
            raise BlockingOutcome(
                f"{branch} on {remote} holds {_task_text(owner(message))} (commit "
                f"{sha[:12]}), not this run's {_task_text(mine)}: it is not replaced; give "
                "each spec's tasks their own branches with [run] branch = "
                '"reviewloop/{spec}/{task}" (the default)')
    if theirs:
        shown = ", ".join(sha[:12] for sha in theirs[:5])
        raise BlockingOutcome(f"{branch} on {remote} has commits reviewloop did not make "
                              f"({shown}); they are not overwritten")


def owner(message: str) -> tuple[str, str]:
    """(task id, spec file) a run's commit message names in its trailers ("" when absent)."""
    found = dict.fromkeys((TASK_TRAILER, SPEC_TRAILER), "")
    for line in message.splitlines():
        key, sep, value = line.partition(": ")
        if sep and key in found:
            found[key] = value.strip()
    return found[TASK_TRAILER], found[SPEC_TRAILER]


def same_task(theirs: tuple[str, str], mine: tuple[str, str]) -> bool:
    """Whether a commit on the branch was made for the same spec's same task; a commit from
    before the spec trailer (or a run without a spec) decides by the task id alone."""
    if theirs[0] != mine[0]:
        return False
    return not (theirs[1] and mine[1]) or theirs[1] == mine[1]


def _task_text(facts: tuple[str, str]) -> str:
    task, spec = facts
    return f"task {task or '?'}" + (f" of {spec}" if spec else "")


def auth_env(repo: Repository, url: str, env: Mapping[str, str]) -> dict[str, str]:
    """Git configuration (as environment variables) that sends the token to GitHub's https
    server; nothing when there is no token, the remote is elsewhere, or the checkout already
    has an auth header of its own (a second one makes GitHub refuse the request)."""
    token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")
    server = (env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/") + "/"
    if not token or not url.startswith(server):
        return {}
    key = f"http.{server}.extraheader"
    if repo.try_git("config", "--get-all", key)[0] == 0:
        return {}
    count = int(env.get("GIT_CONFIG_COUNT") or 0)
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return {"GIT_CONFIG_COUNT": str(count + 1), f"GIT_CONFIG_KEY_{count}": key,
            f"GIT_CONFIG_VALUE_{count}": f"AUTHORIZATION: basic {basic}"}


def _first(text: str) -> str:
    """The last line git printed, any credentials in a URL cut out."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return _CREDENTIALS.sub("://", lines[-1].strip()) if lines else "no message"


def _shown(url: str) -> str:
    """A URL without any user or password in it."""
    parts = urlsplit(url)
    if parts.scheme and "@" in parts.netloc:
        return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
    return url
