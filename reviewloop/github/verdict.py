"""The pull request's verdict from one source, and whether the review reached the PR.

`pr_summary` is this push's summary with the PR's findings ledger in place of the push's:
the summary comment's headline and its **Verdict** line, the job summary, the step outputs
and the exit code all read it, so none can say "clean" while another counts open findings.

`Delivery` says what publishing achieved. A failure never takes the results with it: the
SARIF, the job summary and the step outputs are written either way and state it
(`published=false`, `publish_error`); a failure nobody planned for also sets the exit code
(`app/pull_request.py`), while a designed fallback — a read-only token, a head that moved —
leaves the exit code to the findings.
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewloop.findings.ledger import Ledger, Status
from reviewloop.github.client import GitHubError
from reviewloop.reports.report import RunSummary

_PUSH_ONLY = (Status.OUT_OF_SCOPE, Status.SUPPRESSED)  # shown for this push, not tracked


def pr_summary(summary: RunSummary, pr_ledger: Ledger) -> RunSummary:
    """`summary` judged on the whole PR: the PR's open and fixed findings, with this push's
    reviewer and analyzer health and the entries it set aside (outside the change,
    suppressed) so the report still shows them."""
    aside = [e for e in summary.ledger.entries if e.status in _PUSH_ONLY]
    ledger = pr_ledger.model_copy(update={"entries": [*pr_ledger.entries, *aside],
                                          "health": list(summary.ledger.health)})
    return summary.model_copy(update={"ledger": ledger})


@dataclass(frozen=True)
class Delivery:
    """What publishing the review on the pull request achieved."""

    published: bool = True
    error: str = ""  # why the review is not (or not all) on the PR: one line
    fallback: bool = False  # a designed fallback (read-only token, moved head), not a fault
    note: str = ""  # Markdown for the top of the job summary

    @classmethod
    def failed(cls, exc: GitHubError | str, doing: str) -> Delivery:
        """A fault while `doing` (what reviewloop was writing or reading)."""
        error = " ".join(f"{doing}: {exc}".split())
        return cls(published=False, error=error, note=(
            f"> [!WARNING]\n> **Not published to the pull request** — {error}\n>\n"
            "> The findings are below, in the SARIF and in the step outputs. Re-run this "
            "job once GitHub answers again: it posts what is missing, never twice."))

    @classmethod
    def fell_back(cls, error: str, note: str) -> Delivery:
        return cls(published=False, error=" ".join(error.split()), fallback=True, note=note)

    @property
    def fault(self) -> bool:
        """Publishing failed in a way nobody planned for: the exit code says so."""
        return not self.published and not self.fallback


PUBLISHED = Delivery()
UNFINISHED = Delivery.failed("reviewloop stopped with an internal error while publishing",
                             "publishing")  # what the outputs say when publishing raised
