"""`reviewloop review --github`: review a pull request inside GitHub Actions and publish.

Reads the event payload and what reviewloop posted before (its own signed markers), sends
the model only the commits since the last reviewed head (the whole PR after a force-push or
on the first run), then converges the PR: one review with what is new, fixed findings'
threads resolved, returning ones reopened, the summary comment updated in place, the job
summary and the step outputs counting what is open on the whole PR. With a
read-only token (a fork's PR) it falls back to workflow annotations and the job summary.
Nothing in the diff or the PR text can change the tools, the approval or the exit code.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reviewloop.cli import ui
from reviewloop.cli.progress import STEPS
from reviewloop.cli.review import ReviewOptions, analyzers_for, emit
from reviewloop.errors import ExitCode
from reviewloop.findings.ledger import Health
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import ChangeSet, parse_diff
from reviewloop.git.repository import Repository, open_repository
from reviewloop.github.client import GitHubClient, GitHubError, api_url, token_from
from reviewloop.github.converge import Code, converge
from reviewloop.github.event import PullRequestEvent, load_event, review_base
from reviewloop.github.markers import repository_key
from reviewloop.github.outputs import annotate, redacted, write_job_outputs
from reviewloop.github.posted import PostedState
from reviewloop.github.publish import Target, publish
from reviewloop.github.render import counts_text
from reviewloop.reports.render import to_markdown
from reviewloop.reports.report import RunSummary
from reviewloop.runs.review import DiffSource, NothingToReview, blocking, review_change
from reviewloop.runs.trusted import SettingsLoader, TrustedConfig, base_config

if TYPE_CHECKING:  # chat models load LangChain: not before the analyzers start
    from reviewloop.agent.models import ModelFactory


def run(load: SettingsLoader, root: Path, options: ReviewOptions, *,
        config_file: Path | None = None, env: Mapping[str, str] | None = None,
        model_factory: ModelFactory | None = None) -> int:
    """Review the PR with the configuration of its base commit (never the PR's own)."""
    env = os.environ if env is None else env
    event = load_event(env)
    repo = open_repository(root)
    with base_config(repo, event.base_sha, event.head_sha, load, config_file) as trusted:
        return _review(trusted, repo, root, event, options, env, model_factory)


def _review(trusted: TrustedConfig, repo: Repository, root: Path, event: PullRequestEvent,
            options: ReviewOptions, env: Mapping[str, str],
            model_factory: ModelFactory | None) -> int:
    from reviewloop.cli.llm import model_switch

    # PR code runs only when the workflow says so (`--tests`, the Action's `run-tests`).
    settings = trusted.settings.model_copy(update={
        "review": trusted.settings.review.model_copy(update={"run_tests": options.tests})})
    factory, llm = model_switch(settings, model_factory, options.require_llm)
    with GitHubClient(token_from(env), base_url=api_url(env)) as client:
        target = Target(client, event.repo, event.number, event.head_sha,
                        repository_key(event.repo_id))
        state = target.read()
        base = review_base(event, state.last_reviewed_head, repo.is_ancestor)
        incremental = base != event.base_sha
        source = DiffSource(base=base, head=event.head_sha, merge_base=not incremental)
        diff_text = source.read(repo)
        summary = review_change(root, settings, source, diff_text=diff_text,
                                model_factory=factory, llm=llm,
                                analyze=analyzers_for(settings),
                                progress=STEPS, trusted=trusted)
        if isinstance(summary, NothingToReview):
            ui.console().print(summary.message)
            return ExitCode.OK
        full = parse_diff(repo.diff_refs(event.base_sha, event.head_sha))
        reviewed = parse_diff(diff_text) if incremental else None
        summary = redacted(summary)  # everything below is posted, printed or logged
        findings = [*summary.findings_remaining, *summary.nits]
        markdown = to_markdown(summary)
        with tempfile.TemporaryDirectory(prefix="reviewloop-head-") as tmp:
            judge = Judge(state, findings, full, reviewed, code=head_files(
                repo, event.head_sha, Path(tmp)), health=summary.ledger.health)
            counts, note = _publish(target, judge, markdown)
    emit(summary, options)
    write_job_outputs(env, counts, pr_line(counts) + note + "\n\n" + markdown, options.sarif)
    return _exit_code(summary, counts, options.fail_on)


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


def head_files(repo: Repository, head_sha: str, tmp: Path) -> Code:
    """A file's lines at `head_sha` (exported from git objects, never the checkout), None
    when the head has no such regular file."""
    cache: dict[str, list[str] | None] = {}

    def read(path: str) -> list[str] | None:
        if path not in cache:
            found = path in repo.export_files(head_sha, [path], tmp)
            cache[path] = (tmp / path).read_text(encoding="utf-8", errors="replace") \
                .splitlines() if found else None
        return cache[path]
    return read


def _publish(target: Target, judge: Judge, markdown: str) -> tuple[dict[str, int], str]:
    """Publish; the PR's open counts and a note for the job summary. A read-only token and
    a head that moved are reported, never an internal error with nothing published."""
    err = ui.console(stderr=True)
    findings = judge.findings
    try:
        result = publish(target, findings, judge.full, markdown, reviewed=judge.reviewed,
                         state=judge.state, code=judge.code, health=judge.health)
        return result.open_counts, ""
    except GitHubError as exc:
        counts = converge(judge.state, findings, judge.reviewed, code=judge.code,
                          health=judge.health).ledger(target.head_sha).counts()["open"]
        if exc.forbidden:
            err.print("[yellow]The token cannot write to this pull request (a fork?): "
                      "findings go to annotations and the job summary instead.[/]")
            annotate(findings)
            return counts, ""
        if exc.head_moved:
            now = target.client.get_pull_request(target.repo, target.number)["head"]["sha"]
            note = (f"\n\n> The pull request's head moved from {target.head_sha[:12]} to "
                    f"{now[:12]} while this review ran (a force-push), so GitHub refused "
                    "comments on the reviewed commit. The findings are below and in the "
                    "SARIF; the run for the new head posts them.")
            err.print(note.strip().removeprefix("> "))
            annotate(findings)
            return counts, note
        raise


def pr_line(counts: Mapping[str, int]) -> str:
    return f"**Open on this pull request: {sum(counts.values())}** — {counts_text(counts)}"


def _exit_code(summary: RunSummary, counts: Mapping[str, int], fail_on: str) -> int:
    """Blocking when this push's review blocks, or when the PR still has open findings at or
    above `fail_on` from any push: a new commit that does not touch them keeps the check red."""
    if fail_on == "never":
        return ExitCode.OK
    floor = Severity(fail_on)
    open_blocking = sum(n for sev, n in counts.items() if Severity(sev).at_least(floor))
    if open_blocking:
        ui.console(stderr=True).print(
            f"{open_blocking} finding(s) at or above {fail_on} are open on this pull request.")
    return ExitCode.BLOCKING if blocking(summary, fail_on) or open_blocking else ExitCode.OK
