"""`reviewloop review --github`: review a pull request inside GitHub Actions and publish.

Reads the event payload, reviews only the commits since the last reviewed head (the whole
PR after a force-push or on the first run), then posts one review with inline comments,
updates the summary comment in place, writes the job summary and the step outputs. With a
read-only token (a fork's PR) it falls back to workflow annotations and the job summary.
Nothing in the diff or the PR text can change the tools, the approval or the exit code.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from reviewloop.cli import ui
from reviewloop.cli.review import ReviewOptions, emit
from reviewloop.diff import parse_diff
from reviewloop.errors import ExitCode
from reviewloop.findings import Severity
from reviewloop.git import open_repository
from reviewloop.github.client import GitHubClient, GitHubError, api_url, token_from
from reviewloop.github.event import load_event, review_base
from reviewloop.github.outputs import annotate, open_posted, redacted, write_job_outputs
from reviewloop.github.publish import fetch_state, review_pull_request
from reviewloop.graph.review_only import DiffSource, blocking, review_change
from reviewloop.graph.trusted import SettingsLoader, TrustedConfig, base_config
from reviewloop.review.evidence import analyze
from reviewloop.review.report import to_markdown


def run(load: SettingsLoader, root: Path, options: ReviewOptions, *,
        config_file: Path | None = None, env: Mapping[str, str] | None = None,
        model_factory=None) -> int:
    """Review the PR with the configuration of its base commit (never the PR's own)."""
    env = os.environ if env is None else env
    event = load_event(env)
    repo = open_repository(root)
    with base_config(repo, event.base_sha, event.head_sha, load, config_file) as trusted:
        return _review(trusted, repo, root, event, options, env, model_factory)


def _review(trusted: TrustedConfig, repo, root: Path, event, options: ReviewOptions,
            env: Mapping[str, str], model_factory) -> int:
    from reviewloop.cli.run import model_switch

    settings = trusted.settings
    factory, llm = model_switch(settings, model_factory, options.require_llm)
    with GitHubClient(token_from(env), base_url=api_url(env)) as client:
        state = fetch_state(client, event.repo, event.number)
        base = review_base(event, state.last_reviewed_head, repo.is_ancestor)
        incremental = base != event.base_sha
        source = DiffSource(base=base, head=event.head_sha, merge_base=not incremental)
        diff_text = source.read(repo)
        summary = review_change(root, settings, source, diff_text=diff_text,
                                model_factory=factory, llm=llm, analyze=analyze,
                                progress=ui.progress, trusted=trusted)
        full = parse_diff(repo.diff_refs(event.base_sha, event.head_sha))
        reviewed = parse_diff(diff_text) if incremental else None
        summary = redacted(summary)  # everything below is posted, printed or logged
        findings = [*summary.findings_remaining, *summary.nits]
        markdown = to_markdown(summary)
        current = frozenset(f.fingerprint for f in findings)
        try:
            review_pull_request(client, event.repo, event.number, event.head_sha, findings,
                                full, markdown, reviewed=reviewed)
            still_open = open_posted(fetch_state(client, event.repo, event.number), current)
        except GitHubError as exc:
            if not exc.forbidden:
                raise
            ui.console(stderr=True).print(
                "[yellow]The token cannot write to this pull request (a fork?): findings go "
                "to annotations and the job summary instead.[/]")
            annotate(findings)
            still_open = open_posted(state, current)
    emit(summary, options)
    write_job_outputs(env, summary, markdown, options.sarif)
    # Findings posted for earlier pushes and not resolved still count: a new commit that
    # does not touch them must not turn the check green.
    floor = None if options.fail_on == "never" else Severity(options.fail_on)
    old_blocking = floor is not None and any(s.at_least(floor) for s in still_open)
    if old_blocking:
        ui.console(stderr=True).print(
            f"{len(still_open)} finding(s) posted for earlier pushes are still open.")
    return ExitCode.BLOCKING if blocking(summary, options.fail_on) or old_blocking \
        else ExitCode.OK
