"""`reviewloop review --github` on a comment event: the `/reviewloop fix|review|ignore`
commands of a pull request (`github/commands.py`).

Only a writer commands (`github/access.py`, asked through the API every time); anyone else
gets a short reply and nothing runs, and a bot's comment is never a command. Configuration
comes from the PR's base commit, as in its review. `fix` runs the terminal loop's fix
rounds at the PR head (`runs/pr_fix.py`), then pushes one commit onto that head — never onto
a head that moved — re-reviews the new head (threads of fixed findings resolved, the summary
updated, the `reviewloop` commit status set), or, for a fork, posts the fix as suggestions.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reviewloop.app.models import model_switch
from reviewloop.app.output import Output
from reviewloop.app.pull_request import ClientFactory, Face, Show, github_client, review_pull
from reviewloop.app.review import ReviewOptions, analyzers_for
from reviewloop.errors import BlockingOutcome, ExitCode
from reviewloop.findings.ledger import Ledger
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import parse_diff
from reviewloop.git.identity import commit_identity
from reviewloop.git.repository import Repository, open_repository
from reviewloop.git.reverse import git_lines
from reviewloop.github.access import may_command, refusal
from reviewloop.github.client import GitHubClient, GitHubError
from reviewloop.github.commands import Command, CommentEvent, load_comment_event
from reviewloop.github.converge import posted_ledger
from reviewloop.github.event import PullRequestEvent
from reviewloop.github.fix_push import (
    COMMAND_TRAILER,
    FixFacts,
    answer,
    answered,
    commit_of_command,
    fix_message,
    fork_note,
    push_fix,
    suggestions,
)
from reviewloop.github.fix_targets import fix_targets
from reviewloop.github.ignores import IgnoreRecord, ignore_body, matching
from reviewloop.github.markers import repository_key
from reviewloop.github.outputs import check_files, write_unpublished
from reviewloop.github.posted import PostedState
from reviewloop.github.publish import Target
from reviewloop.github.render import safe
from reviewloop.github.status import set_status
from reviewloop.github.verdict import Delivery
from reviewloop.reports.render import model_text
from reviewloop.runs.pr_fix import (
    FixedTree,
    FixModels,
    FixRequest,
    fix_pull_request,
    record_done,
)
from reviewloop.runs.trusted import SettingsLoader, base_config

if TYPE_CHECKING:
    from reviewloop.agent.models import ModelFactory

REMOTE = "origin"
_OPEN_ONLY = ("fix", "review")  # `ignore` only records a dismissal: it works on any PR


@dataclass(frozen=True)
class Pull:
    """The pull request as the API shows it now."""

    event: PullRequestEvent
    head_ref: str
    fork: bool
    closed: str | None = None  # "closed" or "merged": no review or fix runs on it


@dataclass(frozen=True)
class Job:
    """Everything one command works with."""

    comment: CommentEvent
    command: Command
    pull: Pull
    github: GitHubClient
    repo: Repository
    root: Path
    load: SettingsLoader
    config_file: Path | None
    face: Face
    model_factory: ModelFactory | None

    @property
    def options(self) -> ReviewOptions:
        return self.face.options

    @property
    def env(self) -> Mapping[str, str]:
        return self.face.env

    @property
    def out(self) -> Output:
        return self.face.out

    @property
    def key(self) -> bytes:
        return repository_key(self.comment.repo_id)

    def target(self, head: str | None = None) -> Target:
        event = self.pull.event
        return Target(self.github, self.comment.repo, self.comment.number,
                      head or event.head_sha, self.key, base=(event.base_sha, event.base_ref))

    def reply(self, text: str) -> None:
        self.github.create_issue_comment(self.comment.repo, self.comment.number, text)
        self.out.say(text)


def run(load: SettingsLoader, root: Path, options: ReviewOptions, *, out: Output, show: Show,
        config_file: Path | None = None, env: Mapping[str, str] | None = None,
        model_factory: ModelFactory | None = None,
        client: ClientFactory = github_client) -> int:
    """Carry out the comment's command, if it is one from a writer."""
    env = os.environ if env is None else env
    comment = load_comment_event(env)
    if comment is None or comment.bot or (comment.command is None and not comment.problem):
        out.say("not a reviewloop command: nothing to do")
        return ExitCode.OK
    check_files(env)  # before the command runs: a wrong path fails only once it is done
    with client(env) as github:
        verb = comment.command.verb if comment.command else "…"
        try:  # GitHub failing anywhere in a command (from the permission check on) is exit 4
            if not may_command(github, comment):
                github.create_issue_comment(comment.repo, comment.number,
                                            safe(refusal(comment)))
                out.say(f"{comment.author} may not command reviewloop: nothing run")
                return ExitCode.OK
            if comment.command is None:
                github.create_issue_comment(comment.repo, comment.number,
                                            safe(f"@{comment.author} {comment.problem}"))
                return ExitCode.OK
            pull = _pull(github, comment)
            if pull.closed and comment.command.verb in _OPEN_ONLY:
                return _closed(github, comment, pull.closed, out)
            job = Job(comment, comment.command, pull, github, open_repository(root), root,
                      load, config_file, Face(out, show, options, env), model_factory)
            return _VERBS[comment.command.verb](job)
        except GitHubError as exc:  # GitHub failing mid-command: a publishing failure
            return _github_failed(github, comment, verb, env, exc, out)


def _github_failed(github: GitHubClient, comment: CommentEvent, verb: str,
                   env: Mapping[str, str], exc: GitHubError, out: Output) -> int:
    """Exit 4 with the outputs saying why, and a reply when GitHub still takes one (no
    `fix` marker: a re-delivered event tries the command again)."""
    problem = " ".join(f"GitHub failed while carrying out /reviewloop {verb}: {exc}".split())
    code = _unpublished(env, problem, ExitCode.OK, out)
    with suppress(GitHubError):  # else it is said on stderr and in the outputs alone
        github.create_issue_comment(comment.repo, comment.number,
                                    safe(f"@{comment.author} {problem}"))
    return code


def _closed(github: GitHubClient, comment: CommentEvent, state: str, out: Output) -> int:
    """A closed or merged pull request is not reviewed or fixed: a fix pushed to its head
    branch reaches no base branch, and a review of it decides nothing."""
    text = f"@{comment.author} this pull request is {state}: nothing run"
    github.create_issue_comment(comment.repo, comment.number, safe(text))
    out.say(text)
    return ExitCode.OK


def _pull(github: GitHubClient, comment: CommentEvent) -> Pull:
    data = github.get_pull_request(comment.repo, comment.number)
    head_repo = ((data["head"].get("repo") or {}).get("full_name"))
    fork = head_repo != comment.repo
    event = PullRequestEvent(
        action="reopened", repo=comment.repo, repo_id=comment.repo_id, number=comment.number,
        base_sha=data["base"]["sha"], base_ref=data["base"]["ref"],
        head_sha=data["head"]["sha"], head_ref=data["head"]["ref"], head_repo=head_repo,
        fork=fork)
    closed = None if data.get("state", "open") == "open" else (
        "merged" if data.get("merged") or data.get("merged_at") else "closed")
    return Pull(event, data["head"]["ref"], fork, closed)


# --- /reviewloop review ------------------------------------------------------------------

def review(job: Job) -> int:
    """`/reviewloop review`: review the PR's head and publish, as its workflow would."""
    return _review(job)[0]


def _review(job: Job, head: str | None = None, before: str | None = None
            ) -> tuple[int, str | None]:
    """Review the PR (at `head`: a commit this job pushed) and publish, as its workflow
    would on a push; the `reviewloop` status on that head says the verdict. The exit code,
    and why the status could not be set (then the step outputs say so: exit 4 unless
    findings block)."""
    event = job.pull.event
    if head is not None:
        event = event.model_copy(update={"head_sha": head, "action": "synchronize",
                                         "before": before, "after": head})
    _fetch(job, event.head_sha)
    with base_config(job.repo, event.base_sha, event.head_sha, job.load,
                     job.config_file) as trusted:
        code = review_pull(trusted, job.repo, job.root, event, job.face, job.model_factory,
                           job.target(event.head_sha))
    problem = set_status(job.github, event.repo, event.head_sha, clean=code == ExitCode.OK)
    if problem is None:
        return code, None
    return _unpublished(job.env, problem, code, job.out), problem


def _unpublished(env: Mapping[str, str], problem: str, code: int, out: Output) -> int:
    """`problem` kept the command's outcome from the PR: said on stderr, in the step
    outputs and the job summary; exit 4, unless findings block (1)."""
    out.warn(f"Not published: {problem}")
    write_unpublished(env, Delivery(published=False, error=problem, note=(
        f"> [!WARNING]\n> **Not published to the pull request** — {problem}")))
    return code if code == ExitCode.BLOCKING else ExitCode.UNPUBLISHED


def _fetch(job: Job, sha: str) -> None:
    """The PR head in the checkout (GitHub keeps every PR's head at refs/pull/N/head)."""
    if job.repo.try_git("cat-file", "-e", f"{sha}^{{commit}}")[0] == 0:
        return
    job.repo.try_git("fetch", "--quiet", "--no-tags", REMOTE,
                     f"refs/pull/{job.comment.number}/head")
    if job.repo.try_git("cat-file", "-e", f"{sha}^{{commit}}")[0] != 0:
        raise BlockingOutcome(f"the pull request's head {sha[:12]} cannot be fetched from "
                              f"{REMOTE}: check out the repository with fetch-depth: 0")


# --- /reviewloop ignore ------------------------------------------------------------------

def ignore(job: Job) -> int:
    """Record a writer's ignore (the bot's comment carries it), then review again so the
    summary and the check count the finding as suppressed."""
    state = job.target().read()
    wanted = job.command.ids[0]
    found = matching([p.record for p in state.findings.values()], wanted)
    if len(found) != 1:
        what = "no finding" if not found else f"{len(found)} findings"
        job.reply(safe(f"@{job.comment.author} {what} on this pull request has the id "
                       f"`{wanted}`: nothing was ignored."))
        return ExitCode.OK
    record = found[0]
    if record.fingerprint not in state.ignored:
        ignored = IgnoreRecord(record.fingerprint, job.comment.author, job.command.reason,
                               job.comment.comment_id)
        job.github.create_issue_comment(job.comment.repo, job.comment.number,
                                        ignore_body(record, ignored, job.key))
    return review(job)


# --- /reviewloop fix ---------------------------------------------------------------------

def fix(job: Job) -> int:
    """Fix the PR's open 🔴/🟡 findings (or those named) in one commit on its head."""
    state = job.target().read()
    event = job.pull.event
    if answered(job.github.list_issue_comments(event.repo, event.number),
                job.github.list_reviews(event.repo, event.number), job.key,
                state.identity, job.comment.comment_id):
        job.out.say("this command was answered already: nothing to do")
        return ExitCode.OK
    _fetch(job, event.head_sha)
    base = job.repo.git("merge-base", event.base_sha, event.head_sha).strip()
    done = commit_of_command(job.repo, base, event.head_sha, job.comment.comment_id) \
        or _unreviewed_fix(job, state)
    if done is not None:  # pushed before a crash: finish what followed the push, once
        return _after_push(job, done, job.repo.git("rev-parse", f"{done}^").strip(), None)
    ledger = posted_ledger(state)
    chosen = fix_targets(ledger, state, job.command.ids)
    targets, note = chosen.findings, _left_out(chosen.left_out)
    if not targets:
        job.reply(answer(safe(f"@{job.comment.author} no open 🔴/🟡 finding to fix"
                              + (" with those ids" if job.command.ids else "") + "."
                              + note), job.comment.comment_id, event.head_sha,
                         job.key))
        return ExitCode.OK
    request = FixRequest(event.repo, event.number, event.head_sha, base,
                         job.comment.comment_id)
    # before any model call: a fix whose commit then fails is spent for nothing
    identity = {} if job.pull.fork else commit_identity(job.repo, job.env)
    fixed = _fix(job, request, ledger, targets)
    if not fixed.paths:
        job.reply(answer(safe(nothing_changed(fixed.escalations) + note),
                         job.comment.comment_id, event.head_sha, job.key))
        return ExitCode.BLOCKING
    if job.pull.fork:
        return _suggest(job, fixed, note)
    return _push(job, request, fixed, targets, identity, note)


def _unreviewed_fix(job: Job, state: PostedState) -> str | None:
    """The head, when it is a fix reviewloop pushed and no review has seen yet (its job
    was killed after the push): that fix is finished, not made a second time."""
    head = job.pull.event.head_sha
    message = job.repo.git("log", "-1", "--format=%B", head)
    if f"\n{COMMAND_TRAILER}: " in message and state.last_reviewed_head != head:
        return head
    return None


def _left_out(lines: Sequence[str]) -> str:
    """The reply's paragraph naming each id a fix left out, and why."""
    return "\n\nNot fixed:\n" + "\n".join(f"- {line}" for line in lines) if lines else ""


def _fix(job: Job, request: FixRequest, ledger: Ledger, targets: list[Finding]) -> FixedTree:
    with base_config(job.repo, request.base_sha, request.head_sha, job.load,
                     job.config_file) as trusted:
        factory, llm = model_switch(trusted.settings, job.model_factory,
                                    job.options.require_llm,
                                    warn=None if job.out.quiet() else job.out.warn)
        models = FixModels(factory, llm, analyzers_for(trusted.settings))
        return fix_pull_request(job.root, trusted, request, ledger, targets, models)


def nothing_changed(escalations: Sequence[str]) -> str:
    """The reply to a fix that changed nothing: the first line of each escalation (a
    finding's title among them: a model's words, shown as text, `model_text`)."""
    why = "\n".join(f"- {model_text(e.splitlines()[0])}" for e in escalations[:10] if e)
    return ("reviewloop could not fix these findings: nothing was pushed."
            + (f"\n\n{why}" if why else ""))


def _push(job: Job, request: FixRequest, fixed: FixedTree, targets: list[Finding],
          identity: Mapping[str, str], note: str) -> int:
    tree = open_repository(fixed.tree)
    facts = FixFacts(fixed.run_id, request.comment_id, request.number, fixed.ledger, targets,
                     fixed.rounds, fixed.passed_tests)
    commit = tree.commit_paths(fixed.paths, fix_message(facts), identity=identity)
    try:
        push_fix(job.repo, commit, REMOTE, job.pull.head_ref, request.head_sha, job.env)
    except BlockingOutcome as exc:
        record_done(fixed.settings, job.root, request, "failed", detail=str(exc))
        job.reply(answer(safe(f"@{job.comment.author} {exc}{note}"), request.comment_id,
                         request.head_sha, job.key))
        return ExitCode.BLOCKING
    record_done(fixed.settings, job.root, request, "committed", commit)
    return _after_push(job, commit, request.head_sha, fixed, note)


def _after_push(job: Job, commit: str, before: str, fixed: FixedTree | None,
                note: str = "") -> int:
    """Review the pushed head (fixed threads resolved, the summary and the status), then
    answer the command once, saying what did not reach the PR."""
    code, problem = _review(job, head=commit, before=before)
    left = "" if fixed is None or not fixed.escalations else \
        f"\n\nStill open after {fixed.rounds} round(s): " + "; ".join(
            e.splitlines()[0] for e in fixed.escalations[:5])
    unset = f"\n\nNote: {problem}." if problem else ""
    job.reply(answer(safe(f"Pushed {commit[:12]} with reviewloop's fix "
                          f"(/reviewloop fix by @{job.comment.author}).{left}{unset}{note}"),
                     job.comment.comment_id, commit, job.key))
    return code


def _suggest(job: Job, fixed: FixedTree, note: str) -> int:
    """A fork: the fix as suggestions on the PR head's lines, nothing pushed."""
    event = job.pull.event
    tree = open_repository(fixed.tree)
    fix_diff = tree.diff(base="HEAD")
    changes = parse_diff(job.repo.diff_refs(event.base_sha, event.head_sha))
    head_text = {p: git_lines(tree.git("show", f"HEAD:{p}"))  # the fix diff's lines
                 for p in fixed.paths if tree.try_git("cat-file", "-e", f"HEAD:{p}")[0] == 0}
    found, loose = suggestions(fix_diff, head_text, changes)
    body = fork_note(len(found), loose) + safe(note)
    job.github.create_review(event.repo, event.number, commit_id=event.head_sha,
                             body=answer(body, job.comment.comment_id, event.head_sha,
                                         job.key),
                             comments=[s.payload() for s in found])
    job.out.say(body)
    return ExitCode.OK


_VERBS = {"fix": fix, "review": review, "ignore": ignore}
