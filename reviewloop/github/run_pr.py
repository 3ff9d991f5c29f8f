"""A run's pull request (`run.land = "pr"`): its title and body from the run summary, and
opening it — or updating the one already open for the run's branch — through the REST API.

The pull request is found by its head branch, never by its text, so a re-run of a task (on
any runner) updates the pull request its first run opened instead of opening another. An
escalated run opens a draft and carries the attention label; the label comes off when a
later run of the task is no longer escalated.
"""

from __future__ import annotations

from collections.abc import Mapping

from reviewloop.agent.spend import usd
from reviewloop.findings.ledger import Status
from reviewloop.findings.schema import Severity
from reviewloop.git.repository import Repository
from reviewloop.github import remote as remotes
from reviewloop.github.client import GitHubClient, GitHubError, api_url, token_from
from reviewloop.github.render import MAX_BODY, safe
from reviewloop.landing.pull_request import ATTENTION_LABEL, PullRequestRef
from reviewloop.reports.render import code_span, model_text, plain_text, to_markdown
from reviewloop.reports.report import RunSummary, cost_text, redacted

_LABEL_COLOR = "d93f0b"
_LABEL_TEXT = "A reviewloop run escalated: read the Escalations section before merging"


# --- text (pure) ------------------------------------------------------------------------


def pr_title(summary: RunSummary) -> str:
    title = f"{summary.task_id}: {summary.task_title}".strip().rstrip(":")
    return safe(title)[:200]


def pr_body(summary: RunSummary, *, spec: str, run_id: str,
            budget_usd: float | None = None) -> str:
    """The run summary as the pull request's description: the task, escalations first, what
    was spent, findings by agent and severity, then the full report."""
    summary = redacted(summary)
    task = f"**{plain_text(summary.task_id)}: {model_text(summary.task_title)}**"
    intro = (f"Implements task {task} from {code_span(safe(spec))}; merging this pull "
             "request ticks it on the base branch.")
    lines = [intro, ""]
    if summary.escalations:
        lines += ["> [!WARNING]",
                  "> **Escalated: this run needs a human's attention before merging.**",
                  *(f"> - {model_text(e)}" for e in summary.escalations), ""]
    lines += [f"**Spend:** {spend_text(summary, budget_usd)}", ""]
    lines += findings_by_agent(summary)
    report = safe(to_markdown(summary)).rstrip()
    footer = (f"\n\n---\n<sub>Opened by reviewloop, run `{safe(run_id)}`. Approve by "
              "reviewing and merging; a new run of the task updates this pull request.</sub>\n")
    head = "\n".join(lines)
    room = MAX_BODY - len(head) - len(footer) - 2
    if len(report) > room:
        cut = report.rfind("\n", 0, room)
        report = report[:cut] + "\n\n… the rest of the report is in the run's log."
    return f"{head}\n{report}{footer}"


def spend_text(summary: RunSummary, budget_usd: float | None) -> str:
    """"$0.0123 (1,234 tokens in / 56 out) of budget_usd $0.50"."""
    text = (f"{cost_text(summary.cost_usd)} ({summary.input_tokens:,} tokens in / "
            f"{summary.output_tokens:,} out)")
    return text + (f" of budget_usd {usd(budget_usd)}" if budget_usd is not None else "")


def findings_by_agent(summary: RunSummary) -> list[str]:
    """A Markdown table: per reviewer, the findings it reported by severity, and how many of
    those the loop fixed. Empty when no reviewer ran."""
    if not summary.reviewers:
        return []
    counts: dict[str, dict[str, int]] = {r.agent: {} for r in summary.reviewers}
    for entry in summary.ledger.entries:
        if entry.status in (Status.SUPPRESSED, Status.OUT_OF_SCOPE):
            continue
        for agent in entry.reporters:
            row = counts.setdefault(agent, {})
            row[entry.severity.value] = row.get(entry.severity.value, 0) + 1
            if entry.status is Status.FIXED:
                row["fixed"] = row.get("fixed", 0) + 1
    status = {r.agent: r.status for r in summary.reviewers}
    header = ["agent", "status", *(f"{s.emoji} {s.label}" for s in Severity), "✅ fixed"]
    lines = ["### Findings by agent", "", "| " + " | ".join(header) + " |",
             "|" + "---|" * len(header)]
    for agent, row in counts.items():
        cells = [safe(agent), status.get(agent, "analyzer"),
                 *(str(row.get(s.value, 0)) for s in Severity), str(row.get("fixed", 0))]
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


# --- GitHub -----------------------------------------------------------------------------


def land_run(repo: Repository, *, commit: str, branch: str, base: str, remote: str,
             run_id: str, summary: RunSummary, spec: str, budget_usd: float | None,
             env: Mapping[str, str]) -> PullRequestRef:
    """The land step of `land = "pr"` (injected into the graph by the CLI): push `commit` from
    `repo` to `branch` on `remote`, then open or update the branch's pull request."""
    slug = remotes.repo_slug(remotes.remote_url(repo, remote), env)
    remotes.push(repo, commit, remote, branch, env)
    with GitHubClient(token_from(env), base_url=api_url(env)) as client:
        return publish(client, slug, branch=branch, base=base, title=pr_title(summary),
                       body=pr_body(summary, spec=spec, run_id=run_id, budget_usd=budget_usd),
                       escalated=bool(summary.escalations))



def publish(client: GitHubClient, repo: str, *, branch: str, base: str, title: str,
            body: str, escalated: bool) -> PullRequestRef:
    """Open the branch's pull request, or update the open one; label it when escalated."""
    head = f"{repo.split('/')[0]}:{branch}"
    found = _open_pull(client, repo, head)
    created = found is None
    if found is None:
        found, created = _create(client, repo, head=head, branch=branch, base=base,
                                 title=title, body=body, draft=escalated)
    if not created:
        found = {**found, **client.update_pull(repo, found["number"], title=title, body=body)}
    _set_label(client, repo, found, escalated)
    return PullRequestRef(repo=repo, number=found["number"], url=found.get("html_url", ""),
                          branch=branch, created=created, draft=bool(found.get("draft")),
                          escalated=escalated)


def _open_pull(client: GitHubClient, repo: str, head: str) -> dict | None:
    pulls = client.list_pulls(repo, head=head, state="open")
    return min(pulls, key=lambda p: p["number"]) if pulls else None


def _create(client: GitHubClient, repo: str, *, head: str, branch: str, base: str,
            title: str, body: str, draft: bool) -> tuple[dict, bool]:
    """(the pull request, whether this call opened it). Another runner may have opened it
    meanwhile (422), or GitHub may have opened ours before failing to answer (uncertain):
    both times the open one is read back and updated, never a second opened."""
    try:
        return client.create_pull(repo, title=title, head=branch, base=base, body=body,
                                  draft=draft), True
    except GitHubError as exc:
        if not (exc.unprocessable or exc.uncertain):
            raise
        found = _open_pull(client, repo, head)
        if found is not None:
            return found, False
        if exc.unprocessable:
            raise GitHubError(f"cannot open a pull request from {branch} into {base}: "
                              f"{exc}", status=exc.status) from None
        return client.create_pull(repo, title=title, head=branch, base=base, body=body,
                                  draft=draft), True


def _set_label(client: GitHubClient, repo: str, pull: Mapping, escalated: bool) -> None:
    names = {label.get("name") for label in pull.get("labels") or []}
    if escalated and ATTENTION_LABEL not in names:
        _ensure_label(client, repo)
        client.add_labels(repo, pull["number"], [ATTENTION_LABEL])
    elif not escalated and ATTENTION_LABEL in names:
        client.remove_label(repo, pull["number"], ATTENTION_LABEL)


def _ensure_label(client: GitHubClient, repo: str) -> None:
    """The attention label, created with its colour and description when missing."""
    if client.get_label(repo, ATTENTION_LABEL) is not None:
        return
    try:
        client.create_label(repo, ATTENTION_LABEL, color=_LABEL_COLOR, description=_LABEL_TEXT)
    except GitHubError as exc:
        if not (exc.unprocessable or exc.uncertain):
            raise  # 422 already_exists: another runner made it first
