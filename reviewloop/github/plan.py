"""Which new findings go where in one push's review: inline comments on lines the PR diff
shows (GitHub rejects the whole review over one bad anchor), the review body for the rest,
and a cap on inline comments. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from reviewloop.findings.schema import Finding
from reviewloop.git.diff import ChangeSet
from reviewloop.github.render import comment_body

MAX_INLINE = 30  # per review; more risks GitHub's abuse limits and buries the rest


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
    """What one push posts. Every finding given to `plan_review` is in exactly one of
    inline, body_findings, overflow, or counted in skipped_already_posted."""

    inline: list[InlineComment]
    body_findings: list[Finding]  # not on a line of the diff: listed in the review body
    skipped_already_posted: int = 0
    overflow: list[Finding] = field(default_factory=list)  # anchorable, past max_inline

    @property
    def empty(self) -> bool:
        return not (self.inline or self.body_findings or self.overflow)

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(f.fingerprint for f in (*(c.finding for c in self.inline),
                                                 *self.body_findings, *self.overflow))

    def without(self, done: Iterable[str]) -> ReviewPlan:
        """The plan minus the findings whose fingerprints are already on the PR."""
        posted = frozenset(done)
        return ReviewPlan(
            inline=[c for c in self.inline if c.finding.fingerprint not in posted],
            body_findings=[f for f in self.body_findings if f.fingerprint not in posted],
            skipped_already_posted=self.skipped_already_posted,
            overflow=[f for f in self.overflow if f.fingerprint not in posted])


def anchor(finding: Finding, changes: ChangeSet) -> tuple[int, int] | None:
    """The (start, end) lines a comment on `finding` can use: its range clipped to the first
    hunk it overlaps (RIGHT side: added or context lines), or None when no hunk shows it.
    A file-level finding is never anchored on a line: it belongs in the body."""
    found = changes.file(finding.file)
    if found is None or getattr(finding, "level", "line") == "file":
        return None
    for lo, hi in found.hunks:
        if lo <= finding.end_line and finding.start_line <= hi:
            return max(finding.start_line, lo), min(finding.end_line, hi)
    return None


def plan_review(findings: Iterable[Finding], changes: ChangeSet, key: bytes, *,
                previous_fingerprints: Iterable[str] = (),
                max_inline: int = MAX_INLINE) -> ReviewPlan:
    """Sort findings (most severe first) into inline comments, the body, and the skipped."""
    previous = frozenset(previous_fingerprints)
    inline: list[InlineComment] = []
    body: list[Finding] = []
    overflow: list[Finding] = []
    skipped = 0
    for finding in sorted(findings, key=Finding.sort_key):
        if finding.fingerprints & previous:
            skipped += 1
            continue
        span = anchor(finding, changes)
        if span is None:
            body.append(finding)
        elif len(inline) < max_inline:
            inline.append(_inline(finding, span, changes, key))
        else:
            overflow.append(finding)
    return ReviewPlan(inline=inline, body_findings=body, skipped_already_posted=skipped,
                      overflow=overflow)


def _inline(finding: Finding, span: tuple[int, int], changes: ChangeSet,
            key: bytes) -> InlineComment:
    start, end = span
    added = set(changes.changed_lines(finding.file))
    suggest = (finding.replacement is not None
               and span == (finding.start_line, finding.end_line)
               and all(n in added for n in range(start, end + 1)))
    return InlineComment(finding=finding, path=finding.file, line=end,
                         start_line=start if start < end else None,
                         body=comment_body(finding, key, span=span, suggest=suggest))
