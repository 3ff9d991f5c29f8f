"""`reviewloop review --github`: review a pull request inside GitHub Actions and publish.

Reads the event payload and what reviewloop posted before (its own signed markers), reviews
again only the files whose part of the PR's change differs from what the last review judged
(`github.followup`; the whole PR after a force-push, a retarget or on the first run), then
converges the PR: one review with what is new, fixed findings'
threads resolved, returning ones reopened, the summary comment updated in place, the job
summary and the step outputs counting what is open on the whole PR. With a
read-only token on a fork's PR it falls back to workflow annotations and the job summary; a
PR of the repository itself whose token may not write is a setup fault (exit 4, naming the
`pull-requests: write` permission). A PR whose head adds no commit to its base branch (pushed
back to it) is an empty change: nothing is reviewed, every finding posted before is no
longer in the PR, and the outputs, the job summary, the SARIF and the summary comment say so.
Nothing in the diff or the PR text can change the tools, the approval or the exit code.

Whatever happens while publishing, the SARIF, the job summary and the step outputs are
written and say whether the review reached the PR (`published`, `publish_error`); GitHub
failing, or a token it refuses, exits 4 unless findings block (exit 1). A re-run posts what
is missing and nothing twice (`github/publish.py`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reviewloop.app.models import model_switch
from reviewloop.app.output import Output
from reviewloop.app.review import ReviewOptions, analyzers_for
from reviewloop.config import Settings
from reviewloop.errors import ExitCode
from reviewloop.findings.ledger import Health
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import ChangeSet, parse_diff
from reviewloop.git.names import under
from reviewloop.git.repository import Repository, open_repository
from reviewloop.git.reverse import git_lines
from reviewloop.github.client import GitHubClient, GitHubError, api_url, token_from
from reviewloop.github.converge import Code, Convergence, converge
from reviewloop.github.event import PullRequestEvent, load_event, review_base
from reviewloop.github.followup import FollowUp, follow_up
from reviewloop.github.markers import repository_key
from reviewloop.github.outputs import (
    annotate,
    check_files,
    redacted,
    write_job_outputs,
)
from reviewloop.github.posted import PostedState
from reviewloop.github.publish import Target, publish
from reviewloop.github.render import counts_text
from reviewloop.github.status import set_status
from reviewloop.github.verdict import UNFINISHED, Delivery, pr_summary
from reviewloop.github.whole_checks import judged_whole
from reviewloop.reports.mermaid import gantt
from reviewloop.reports.render import to_markdown
from reviewloop.reports.report import RunSummary, nothing_to_review
from reviewloop.reports.timeline import timeline
from reviewloop.review.introduced import BaseTrees
from reviewloop.runs.records import review_folder, save_pull
from reviewloop.runs.review import DiffSource, NothingToReview, blocking, review_change
from reviewloop.runs.trace import read_trace
from reviewloop.runs.trusted import SettingsLoader, TrustedConfig, base_config, configures

if TYPE_CHECKING:  # chat models load LangChain: not before the analyzers start
    from reviewloop.agent.models import ModelFactory


ClientFactory = Callable[[Mapping[str, str]], GitHubClient]
# why a token may not write to a PR that is not a fork's, and the fix
NO_WRITE = ("the pull request is not from a fork, so the workflow's token should write to "
            "it: give the job `permissions: pull-requests: write` (a repository or "
            "organization whose default GITHUB_TOKEN is read-only grants it only so), or "
            "pass a token that has it as `github-token`")
Show = Callable[[RunSummary, ReviewOptions], None]  # the report in --format, and --sarif


def github_client(env: Mapping[str, str]) -> GitHubClient:
    return GitHubClient(token_from(env), base_url=api_url(env))


def run(load: SettingsLoader, root: Path, options: ReviewOptions, *, out: Output, show: Show,
        config_file: Path | None = None, env: Mapping[str, str] | None = None,
        model_factory: ModelFactory | None = None,
        client: ClientFactory = github_client) -> int:
    """Review the PR with the configuration of its base commit (never the PR's own)."""
    env = os.environ if env is None else env
    event = load_event(env)
    check_files(env)  # before the review: a wrong path would fail only once it is done
    repo = open_repository(root)
    with base_config(repo, event.base_sha, event.head_sha, load, config_file) as trusted, \
            client(env) as github:
        target = Target(github, event.repo, event.number, event.head_sha,
                        repository_key(event.repo_id), base=(event.base_sha, event.base_ref))
        face = Face(out, show, options, env)
        code = review_pull(trusted, repo, root, event, face, model_factory, target)
        return code if event.fork else _with_status(github, event, code, face)


def _with_status(github: GitHubClient, event: PullRequestEvent, code: int, face: Face) -> int:
    """The `reviewloop` commit status on the reviewed head: the one name branch protection
    requires, which the command job sets too on the heads it pushes and reviews (a push with
    `GITHUB_TOKEN` starts no workflow). Not on a fork's PR, whose token is read-only. One
    GitHub refuses (a workflow written before it needed `statuses: write`) is a warning with
    the fix: the review itself is published, and a branch protection that requires the
    status still waits for it, so nothing merges unreviewed."""
    problem = set_status(github, event.repo, event.head_sha, clean=code == ExitCode.OK)
    if problem is not None:
        face.out.warn(f"Warning: {problem}")
    return code


@dataclass(frozen=True)
class Face:
    """Who asked, and how: where words go, how the report is shown, the options, the
    Actions environment."""

    out: Output
    show: Show
    options: ReviewOptions
    env: Mapping[str, str]


def review_pull(trusted: TrustedConfig, repo: Repository, root: Path, event: PullRequestEvent,
                face: Face, model_factory: ModelFactory | None, target: Target) -> int:
    options, out = face.options, face.out
    # PR code runs only when the workflow says so (`--tests`, the Action's `run-tests`).
    settings = trusted.settings.model_copy(update={
        "review": trusted.settings.review.model_copy(update={"run_tests": options.tests})})
    factory, llm = model_switch(settings, model_factory, options.require_llm,
                                warn=None if out.quiet() else out.warn)
    state, unread = _posted(target, out)
    # a review without the LLM reviewers, or without the project's tests, judged no file
    # by them: once they are on, the whole PR is theirs to read, not only this push's files
    base = review_base(event, state.last_reviewed_head, repo.is_ancestor,
                       last_whole=state.last_review_whole
                       and (state.last_review_llm or not llm)
                       and (state.last_review_tests or not options.tests))
    view = follow_up(repo, event, state, None if base == event.base_sha else base,
                     configures(trusted))
    if view.reconfigured:
        out.say(reconfigured_note(event, view.reconfigured))
    state = view.followed(state)  # findings on a renamed file move with it
    source = DiffSource(base=event.base_sha, head=event.head_sha, focus=view.focus)
    full_text = source.read(repo)  # the PR's change; a follow-up reads its `focus` again
    diff_text = view.diff(repo, full_text, event.head_sha)
    with BaseTrees() as bases:  # the change's base, copied once for every reviewer
        summary = review_change(root, settings, source, diff_text=diff_text,
                                model_factory=factory, llm=llm,
                                analyze=analyzers_for(settings, bases=bases),
                                progress=out.progress, trusted=trusted)
    if isinstance(summary, NothingToReview):  # the head adds nothing to the base branch
        out.say(empty := empty_change(event, posted=bool(state.findings)))
        summary = nothing_to_review(empty, [])
        view = FollowUp(left=frozenset(p.record.file for p in state.findings.values()))
    full = parse_diff(full_text)
    reviewed = None if view.whole else parse_diff(diff_text)
    # a check of the whole PR is judged on it, not on the part a follow-up read
    findings, state = judged_whole([*summary.findings_remaining, *summary.nits], full, state,
                                   whole=view.whole)
    summary = redacted(summary)  # everything below is posted, printed or logged
    chart = diagram(root, settings, summary) if summary.run_id else ""
    with tempfile.TemporaryDirectory(prefix="reviewloop-head-") as tmp:
        judge = Judge(state, findings, full, reviewed,
                      code=head_files(repo, event.head_sha, Path(tmp)),
                      health=summary.ledger.health, left=view.left, wide=view.wide,
                      llm=summary.llm, tests=options.tests)
        return _conclude(target, judge, summary, unread, face,
                         record=lambda pr: save_pull(root, target.repo, target.number, pr,
                                                     head=target.head_sha),
                         chart=chart, fork=event.fork)


def reconfigured_note(event: PullRequestEvent, paths: Sequence[str]) -> str:
    """Why a follow-up push is reviewed whole: the base changed how the review judges."""
    shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
    return (f"Reviewing the whole pull request: {event.base_ref} changed the review's "
            f"configuration since the last review ({shown}).")


def empty_change(event: PullRequestEvent, *, posted: bool) -> str:
    """What a run says of a pull request whose head adds no commit to its base branch (a
    force-push back to it, a re-run once it was merged): there is nothing to review, and
    what was posted before (`posted`) is no longer in the PR. Its first line is the
    report's title."""
    why = (f"its head is {event.base_ref}'s own commit {event.base_sha[:12]}"
           if event.head_sha == event.base_sha else
           f"every commit of its head {event.head_sha[:12]} is already in {event.base_ref}")
    gone = "; the findings posted before are no longer in it" if posted else ""
    return (f"nothing to review in this pull request: {why}, so it changes no file{gone}\n"
            f"  fix: push the change to the pull request's branch ({event.head_ref}), or "
            "close the pull request")


def diagram(root: Path, settings: Settings, summary: RunSummary) -> str:
    """This push's review as a Mermaid gantt block for the job summary ("" without a trace)."""
    line = timeline(read_trace(review_folder(root, summary.run_id)), settings.prices)
    block = gantt(line, f"review {summary.run_id}")
    return f"### Timeline\n\n{block}" if block else ""


def _conclude(target: Target, judge: Judge, summary: RunSummary, unread: GitHubError | None,
              face: Face, *, record: Callable[[RunSummary], object], chart: str = "",
              fork: bool = False) -> int:
    """Judge the PR, record its findings in the store (`reviewloop stats`), publish, and
    leave the SARIF, the job summary and the step outputs whatever publishing did; the
    exit code. `fork`: the PR's head lives in another repository (a read-only token is
    expected there, and nowhere else)."""
    conv = converge(judge.state, judge.findings, judge.reviewed, code=judge.code,
                    health=judge.health, left=judge.left, wide=judge.wide)
    pr = pr_summary(summary, conv.ledger(target.head_sha))
    record(pr)
    markdown = to_markdown(pr)
    delivery = UNFINISHED
    try:
        delivery = _publish(target, judge, conv, markdown, unread, face.out, fork=fork)
    finally:  # an internal error too leaves them, saying publishing did not finish
        face.show(summary, face.options)
        counts = pr.ledger.counts()["open"]
        write_job_outputs(face.env, counts, _job_summary(counts, delivery, markdown, chart),
                          face.options.sarif, delivery)
    return _exit_code(pr, delivery, face.options.fail_on, face.out)


def _posted(target: Target, out: Output) -> tuple[PostedState, GitHubError | None]:
    """What reviewloop posted before; when GitHub cannot say, nothing (so the whole PR is
    reviewed) and why, so that nothing is posted blind."""
    try:
        return target.read(), None
    except GitHubError as exc:
        out.warn(f"Cannot read the pull request's comments: {exc}")
        return PostedState(), exc


@dataclass(frozen=True)
class Judge:
    """What a push is judged on: what was posted, what the analysis at the head reports,
    the whole PR diff, the part analysed again, the files at the head, who ran."""

    state: PostedState
    findings: list[Finding]
    full: ChangeSet
    reviewed: ChangeSet | None
    code: Code
    health: Sequence[Health]
    left: frozenset[str] = frozenset()  # files the PR no longer changes (`github.followup`)
    wide: frozenset[str] = frozenset()  # files read with their whole part of the PR's diff
    llm: bool = True  # the LLM reviewers ran
    tests: bool = False  # the project's tests ran (run-tests)


def head_files(repo: Repository, head_sha: str, tmp: Path) -> Code:
    """A file's lines at `head_sha` (exported from git objects, never the checkout), None
    when the head has no such regular file."""
    cache: dict[str, list[str] | None] = {}

    def read(path: str) -> list[str] | None:
        if path not in cache:
            found = path in repo.export_files(head_sha, [path], tmp)
            # the text-form name (`\\xNN` for a byte that is not UTF-8) as the disk has it
            # on git's lines, as the findings' (a lone CR or U+2028 is inside one)
            cache[path] = [line.removesuffix("\n") for line in git_lines(
                under(tmp, path).read_bytes().decode("utf-8", "replace"))] if found else None
        return cache[path]
    return read


def _publish(target: Target, judge: Judge, conv: Convergence, markdown: str,
             unread: GitHubError | None, out: Output, *, fork: bool) -> Delivery:
    """Publish, and say what reached the PR. A read-only token on a fork's PR and a head
    that moved are designed fallbacks to annotations; any other GitHub failure — a token
    that may not write to a PR of the repository itself among them — is reported as such."""
    if unread is not None:
        annotate(judge.findings)
        return _failed(Delivery.failed(unread, "reading what reviewloop posted before"), out)
    stale = _stale(target)
    if stale is not None:  # a re-run of an old run: the PR's state is a newer head's
        annotate(judge.findings)
        out.warn(stale)
        return Delivery.fell_back(stale, f"> {stale}")
    try:
        publish(target, judge.findings, judge.full, markdown, reviewed=judge.reviewed,
                state=judge.state, code=judge.code, health=judge.health, convergence=conv,
                llm=judge.llm, tests=judge.tests)
        return Delivery()
    except GitHubError as exc:
        annotate(judge.findings)
        if exc.forbidden and not fork:
            return _failed(Delivery.failed(f"{exc} ({NO_WRITE})", "publishing to the pull "
                                           "request"), out)
        if exc.forbidden:
            out.warn("The token cannot write to this pull request from a fork: findings go "
                     "to annotations and the job summary instead.", style="yellow")
            return Delivery.fell_back(
                f"the token cannot write to this pull request from a fork: {exc}",
                "> The token cannot write to this pull request from a fork (a fork's "
                "read-only token): the findings are annotations on the files, below and in "
                "the SARIF.")
        if exc.head_moved:
            note = _moved(target)
            out.warn(note.strip().removeprefix("> "))
            return Delivery.fell_back(f"the pull request's head moved: {exc}", note)
        return _failed(Delivery.failed(exc, "publishing to the pull request"), out)


def _stale(target: Target) -> str | None:
    """Why this run must not publish, when the PR's head is no longer the commit it
    reviewed (a re-run of an old workflow run, or a push while it ran): its summary, the
    fixed and reopened threads are the newer head's, and an old head's review would roll
    them back. None when the head is the reviewed one, or GitHub cannot say (publishing
    then goes on: the head check of the review itself still holds)."""
    try:
        now = str(target.client.get_pull_request(target.repo, target.number)["head"]["sha"])
    except (GitHubError, KeyError, TypeError):
        return None
    if now == target.head_sha:
        return None
    return (f"Not published: the pull request's head moved to {now[:12]} from "
            f"{target.head_sha[:12]}, the commit this run reviewed (a re-run of an older "
            "run, or a push while it ran); the findings are in the annotations, the job "
            "summary and the SARIF, and the run for the new head publishes.")


def _failed(delivery: Delivery, out: Output) -> Delivery:
    out.warn(f"Not published: {delivery.error}")
    return delivery


def _moved(target: Target) -> str:
    """The job summary's note when a force-push moved the head while the review ran."""
    try:
        now = target.client.get_pull_request(target.repo, target.number)["head"]["sha"][:12]
    except GitHubError:
        now = "a newer commit"
    return (f"> The pull request's head moved from {target.head_sha[:12]} to {now} while "
            "this review ran (a force-push), so GitHub refused comments on the reviewed "
            "commit. The findings are below and in the SARIF; the run for the new head "
            "posts them.")


def _job_summary(counts: Mapping[str, int], delivery: Delivery, markdown: str,
                 chart: str = "") -> str:
    note = f"\n\n{delivery.note}" if delivery.note else ""
    after = f"\n{chart}\n" if chart else ""
    return pr_line(counts) + note + "\n\n" + markdown.rstrip("\n") + "\n" + after


def pr_line(counts: Mapping[str, int]) -> str:
    return f"**Open on this pull request: {sum(counts.values())}** — {counts_text(counts)}"


def _exit_code(pr: RunSummary, delivery: Delivery, fail_on: str, out: Output) -> int:
    """1 when the pull request's findings block (`pr`: this push judged on the whole PR, so
    a new commit that does not touch an open must_fix keeps the check red); else 4 when the
    review could not be published for a reason nobody planned (GitHub failing, a bad token);
    else 0. Blocking findings outrank a failed publish: the merge must wait either way."""
    if blocking(pr, fail_on):
        floor = Severity(fail_on)
        open_blocking = len(pr.ledger.blocking(floor))
        if open_blocking:
            out.warn(f"{open_blocking} finding(s) at or above {fail_on} are open on this pull "
                     "request.")
        return ExitCode.BLOCKING
    return ExitCode.UNPUBLISHED if delivery.fault else ExitCode.OK
