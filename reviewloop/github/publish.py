"""Publishing findings on a pull request: anchors checked against the diff, one review per
push, comments that converge across pushes, and one summary comment edited in place.

Planning (`plan_review`, the body renderers, `gone_comments`) is pure. `publish` is the
edge: it reads what reviewloop posted before and writes through a `GitHubClient`.

Convergence works through hidden markers. Each inline comment and each finding listed in a
review body ends with `<!-- reviewloop:fp=<fingerprint> -->`; a later run skips findings
whose marker is already on the PR. A comment whose finding is gone is edited to start with
"✅ Resolved in <sha>" and gets `<!-- reviewloop:resolved -->`: editing works with the
`pull-requests: write` token on github.com and Enterprise Server alike, where resolving the
review *thread* would need a second API (GraphQL) — the thread stays for a human to close.
Markers count only on comments by `trusted_authors`, so a PR author cannot suppress a
finding by pasting a marker into a comment of their own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from reviewloop.checks.secrets.scanner import redact
from reviewloop.diff import ChangeSet
from reviewloop.findings import Finding, Severity
from reviewloop.github.client import GitHubClient, GitHubError
from reviewloop.review.report import severity_counts

MAX_INLINE = 30  # per review; more risks GitHub's abuse limits and buries the rest
MAX_BODY = 60_000  # GitHub rejects comment and review bodies over 65,536 characters
BOT_LOGINS = frozenset({"github-actions[bot]"})
SUMMARY_MARKER = "<!-- reviewloop:summary -->"
RESOLVED_MARKER = "<!-- reviewloop:resolved -->"
_FP = re.compile(r"<!-- reviewloop:fp=([0-9a-f]{64}) -->")
_HEAD = re.compile(r"<!-- reviewloop:head=([0-9a-f]{7,64}) -->")
_RATIONALE_IN_BODY = 400  # characters of rationale quoted for a finding in the review body


def fp_marker(fingerprint: str) -> str:
    return f"<!-- reviewloop:fp={fingerprint} -->"


@dataclass(frozen=True)
class InlineComment:
    """A finding anchored on lines `start_line`..`line` of `path`, RIGHT side of the diff."""

    finding: Finding
    path: str
    line: int
    start_line: int | None  # None for a single-line comment
    body: str

    def payload(self) -> dict[str, Any]:
        """The comment as the REST API takes it in a review's comments[]."""
        out: dict[str, Any] = {"path": self.path, "line": self.line, "side": "RIGHT",
                               "body": self.body}
        if self.start_line is not None:
            out |= {"start_line": self.start_line, "start_side": "RIGHT"}
        return out


@dataclass(frozen=True)
class ReviewPlan:
    """What one run will post. Every finding given to `plan_review` is in exactly one of
    inline, body_findings, overflow, or counted in skipped_already_posted."""

    inline: list[InlineComment]
    body_findings: list[Finding]  # not on a line of the diff: listed in the review body
    skipped_already_posted: int = 0
    overflow: list[Finding] = field(default_factory=list)  # anchorable, past max_inline
    current: frozenset[str] = frozenset()  # fingerprints of every finding this run

    @property
    def empty(self) -> bool:
        return not (self.inline or self.body_findings or self.overflow)


def anchor(finding: Finding, changes: ChangeSet) -> tuple[int, int] | None:
    """The (start, end) lines a comment on `finding` can use: its range clipped to the first
    hunk it overlaps (RIGHT side: added or context lines), or None when no hunk shows it."""
    found = changes.file(finding.file)
    if found is None:
        return None
    for lo, hi in found.hunks:
        if lo <= finding.end_line and finding.start_line <= hi:
            return max(finding.start_line, lo), min(finding.end_line, hi)
    return None


def plan_review(findings: Iterable[Finding], changes: ChangeSet, *,
                previous_fingerprints: Iterable[str] = (),
                max_inline: int = MAX_INLINE) -> ReviewPlan:
    """Sort findings (most severe first) into inline comments, the body, and the skipped."""
    previous = frozenset(previous_fingerprints)
    inline: list[InlineComment] = []
    body: list[Finding] = []
    overflow: list[Finding] = []
    skipped = 0
    ordered = sorted(findings, key=Finding.sort_key)
    for finding in ordered:
        if finding.fingerprints & previous:
            skipped += 1
            continue
        span = anchor(finding, changes)
        if span is None:
            body.append(finding)
        elif len(inline) < max_inline:
            inline.append(_inline(finding, span, changes))
        else:
            overflow.append(finding)
    current = frozenset(fp for f in ordered for fp in f.fingerprints)
    return ReviewPlan(inline=inline, body_findings=body, skipped_already_posted=skipped,
                      overflow=overflow, current=current)


def _inline(finding: Finding, span: tuple[int, int], changes: ChangeSet) -> InlineComment:
    start, end = span
    added = set(changes.changed_lines(finding.file))
    suggest = (finding.replacement is not None
               and span == (finding.start_line, finding.end_line)
               and all(n in added for n in range(start, end + 1)))
    return InlineComment(finding=finding, path=finding.file, line=end,
                         start_line=start if start < end else None,
                         body=comment_body(finding, span=span, suggest=suggest))


def comment_body(finding: Finding, *, span: tuple[int, int] | None = None,
                 suggest: bool = False) -> str:
    """Severity, agent, title, rationale, suggestion (and a ```suggestion block when
    `suggest`), then the hidden fingerprint marker. Secrets are redacted."""
    sev = finding.severity
    head = f"{sev.emoji} **{sev.label}** · {', '.join(finding.agents)}"
    if finding.rule:
        head += f" · `{finding.source}/{finding.rule}`"
    parts = [head, f"**{finding.title}**", finding.rationale]
    if span is not None and span != (finding.start_line, finding.end_line):
        parts.append(f"_Reported on lines {finding.start_line}–{finding.end_line}; only "
                     f"lines {span[0]}–{span[1]} are in the diff._")
    if finding.suggestion:
        parts.append(f"**Suggestion:** {finding.suggestion}")
    if suggest and finding.replacement is not None:
        parts.append(_suggestion_block(finding.replacement))
    parts.append(f"<sub>reviewloop · {finding.short_id} · confidence "
                 f"{finding.confidence:.0%}</sub>")
    return redact("\n\n".join(parts)) + "\n" + fp_marker(finding.fingerprint)


def _suggestion_block(replacement: str) -> str:
    """A fenced ```suggestion block, its fence longer than any backtick run inside."""
    longest = max((len(run) for run in re.findall(r"`+", replacement)), default=0)
    fence = "`" * max(3, longest + 1)
    text = replacement.removesuffix("\n")
    return f"{fence}suggestion\n{text}\n{fence}" if text else f"{fence}suggestion\n{fence}"


def review_body(plan: ReviewPlan, head_sha: str, *,
                rejected: Sequence[Finding] = ()) -> str:
    """The review's own text: counts, then every finding that is not an inline comment."""
    listed = [*plan.body_findings, *rejected]
    posted = len(plan.inline) - len(rejected)
    everything = [c.finding for c in plan.inline] + plan.body_findings + plan.overflow
    lines = [f"### reviewloop: {len(everything)} new finding(s) on {head_sha[:12]}",
             "", f"{_counts(everything)} — {posted} inline"]
    if listed:
        lines += ["", "#### Not on a line of this diff", ""]
        lines += [_body_item(f, detail=True) for f in sorted(listed, key=Finding.sort_key)]
    if plan.overflow:
        lines += ["", (f"#### {len(plan.overflow)} more past the limit of inline comments "
                       f"({_counts(plan.overflow)})"), ""]
        lines += [_body_item(f, detail=False) for f in plan.overflow]
    if plan.skipped_already_posted:
        lines += ["", (f"_{plan.skipped_already_posted} finding(s) already posted on "
                       "earlier commits are not repeated._")]
    return _cap("\n".join(lines) + "\n")


def _body_item(finding: Finding, *, detail: bool) -> str:
    sev = finding.severity
    text = (f"- {sev.emoji} **{sev.label}** `{finding.location}` {finding.title} "
            f"({', '.join(finding.agents)})")
    if detail:
        rationale = " ".join(finding.rationale.split())
        if len(rationale) > _RATIONALE_IN_BODY:
            rationale = rationale[:_RATIONALE_IN_BODY - 1] + "…"
        text += f"\n  {rationale}"
    return redact(text) + " " + fp_marker(finding.fingerprint)


def _counts(findings: Iterable[Finding]) -> str:
    return " · ".join(f"{Severity(k).emoji} {n} {Severity(k).label}"
                      for k, n in severity_counts(findings).items())


def _cap(text: str) -> str:
    """Cut a body to GitHub's limit at a line boundary; unlisted findings come back next run
    because their markers are not posted."""
    if len(text) <= MAX_BODY:
        return text
    cut = text.rfind("\n", 0, MAX_BODY - 200)
    dropped = text[cut:].count(fp_marker("")[:-4])
    return text[:cut] + f"\n\n… {dropped} more not shown here (GitHub's size limit); see " \
                        "the summary and the SARIF results.\n"


def summary_body(summary_markdown: str, head_sha: str) -> str:
    """The summary comment: the run's Markdown report, the last reviewed commit, markers."""
    return _cap(redact(summary_markdown).rstrip() + f"\n\n_Last reviewed commit: "
                f"{head_sha}_\n") + f"\n{SUMMARY_MARKER}\n<!-- reviewloop:head={head_sha} -->\n"


# --- what is already on the PR ----------------------------------------------------------


@dataclass(frozen=True)
class PostedComment:
    """A review comment reviewloop posted on an earlier run."""

    id: int
    fingerprint: str
    path: str
    line: int | None  # None when GitHub marks it outdated: the line left the diff
    resolved: bool
    body: str


@dataclass(frozen=True)
class PostedState:
    comments: list[PostedComment] = field(default_factory=list)
    review_fingerprints: frozenset[str] = frozenset()
    summary_comment_id: int | None = None
    last_reviewed_head: str | None = None

    @property
    def fingerprints(self) -> frozenset[str]:
        """Fingerprints already shown on the PR and not marked resolved."""
        return self.review_fingerprints | {c.fingerprint for c in self.comments
                                           if not c.resolved}


def _trusted(item: dict[str, Any], authors: frozenset[str] | None) -> bool:
    return authors is None or (item.get("user") or {}).get("login") in authors


def read_state(review_comments: list[dict[str, Any]], reviews: list[dict[str, Any]],
               issue_comments: list[dict[str, Any]], *,
               trusted_authors: frozenset[str] | None = BOT_LOGINS) -> PostedState:
    """Parse what the API returned into what reviewloop posted before."""
    comments = []
    for c in review_comments:
        match = _FP.search(c.get("body") or "")
        if match and _trusted(c, trusted_authors):
            comments.append(PostedComment(
                id=c["id"], fingerprint=match.group(1), path=c.get("path", ""),
                line=c.get("line"), resolved=RESOLVED_MARKER in c["body"], body=c["body"]))
    in_reviews = frozenset(fp for r in reviews if _trusted(r, trusted_authors)
                           for fp in _FP.findall(r.get("body") or ""))
    summary = next((c for c in issue_comments if SUMMARY_MARKER in (c.get("body") or "")
                    and _trusted(c, trusted_authors)), None)
    head = _HEAD.search(summary["body"]) if summary else None
    return PostedState(comments=comments, review_fingerprints=in_reviews,
                       summary_comment_id=summary["id"] if summary else None,
                       last_reviewed_head=head.group(1) if head else None)


def fetch_state(client: GitHubClient, repo: str, pr_number: int, *,
                trusted_authors: frozenset[str] | None = BOT_LOGINS) -> PostedState:
    return read_state(client.list_review_comments(repo, pr_number),
                      client.list_reviews(repo, pr_number),
                      client.list_issue_comments(repo, pr_number),
                      trusted_authors=trusted_authors)


def gone_comments(state: PostedState, current: frozenset[str],
                  reviewed: ChangeSet | None = None) -> list[PostedComment]:
    """Open comments whose finding this run no longer reports.

    With `reviewed` (an incremental review of the commits since the last run) only comments
    the new commits could have fixed count: outdated ones, or ones on lines the new diff
    shows. A finding on code nobody touched was simply not looked at again.
    """
    return [c for c in state.comments
            if not c.resolved and c.fingerprint not in current
            and (reviewed is None or c.line is None or reviewed.contains(c.path, c.line))]


def resolved_body(body: str, head_sha: str) -> str:
    return (f"✅ **Resolved** in {head_sha[:12]}: reviewloop no longer reports this.\n"
            f"{RESOLVED_MARKER}\n\n{body}")


# --- the edge -----------------------------------------------------------------------------


@dataclass
class PublishResult:
    review_id: int | None = None
    inline_posted: int = 0
    moved_to_body: list[Finding] = field(default_factory=list)  # rejected by GitHub (422)
    resolved: int = 0
    skipped_already_posted: int = 0
    summary_comment_id: int | None = None


def publish(client: GitHubClient, repo: str, pr_number: int, head_sha: str,
            plan: ReviewPlan, summary_markdown: str, *, state: PostedState | None = None,
            reviewed: ChangeSet | None = None,
            trusted_authors: frozenset[str] | None = BOT_LOGINS) -> PublishResult:
    """Post the plan as one review, resolve what is gone, update the summary comment.

    A 422 on the review (an anchor GitHub will not take) falls back to posting the comments
    one by one; those rejected go to the review body. Other API errors propagate as
    `GitHubError` (`.forbidden` for a read-only fork token) for the caller to fall back to
    annotations and the job summary.
    """
    if state is None:
        state = fetch_state(client, repo, pr_number, trusted_authors=trusted_authors)
    result = PublishResult(skipped_already_posted=plan.skipped_already_posted)
    if not plan.empty:
        _post_review(client, repo, pr_number, head_sha, plan, result)
    for comment in gone_comments(state, plan.current, reviewed):
        client.update_review_comment(repo, comment.id, resolved_body(comment.body, head_sha))
        result.resolved += 1
    body = summary_body(summary_markdown, head_sha)
    if state.summary_comment_id is not None:
        client.update_issue_comment(repo, state.summary_comment_id, body)
        result.summary_comment_id = state.summary_comment_id
    else:
        result.summary_comment_id = client.create_issue_comment(repo, pr_number, body)["id"]
    return result


def _post_review(client: GitHubClient, repo: str, pr_number: int, head_sha: str,
                 plan: ReviewPlan, result: PublishResult) -> None:
    try:
        review = client.create_review(
            repo, pr_number, commit_id=head_sha, body=review_body(plan, head_sha),
            comments=[c.payload() for c in plan.inline])
        result.review_id, result.inline_posted = review["id"], len(plan.inline)
        return
    except GitHubError as exc:
        if not exc.unprocessable or not plan.inline:
            raise
    for comment in plan.inline:
        try:
            client.create_review_comment(repo, pr_number, commit_id=head_sha,
                                         comment=comment.payload())
            result.inline_posted += 1
        except GitHubError as exc:
            if not exc.unprocessable:
                raise
            result.moved_to_body.append(comment.finding)
    review = client.create_review(
        repo, pr_number, commit_id=head_sha, comments=[],
        body=review_body(plan, head_sha, rejected=result.moved_to_body))
    result.review_id = review["id"]


def review_pull_request(client: GitHubClient, repo: str, pr_number: int, head_sha: str,
                        findings: Sequence[Finding], changes: ChangeSet,
                        summary_markdown: str, *, reviewed: ChangeSet | None = None,
                        max_inline: int = MAX_INLINE,
                        trusted_authors: frozenset[str] | None = BOT_LOGINS
                        ) -> PublishResult:
    """Read what is posted, plan against the full PR diff `changes`, publish."""
    state = fetch_state(client, repo, pr_number, trusted_authors=trusted_authors)
    plan = plan_review(findings, changes, previous_fingerprints=state.fingerprints,
                       max_inline=max_inline)
    return publish(client, repo, pr_number, head_sha, plan, summary_markdown, state=state,
                   reviewed=reviewed, trusted_authors=trusted_authors)
