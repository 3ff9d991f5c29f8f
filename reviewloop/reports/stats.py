"""How each reviewer, rule and analyzer fared over every ledger the store knows (pure).

Each ledger entry (one problem) ends in one outcome, read from its status — never guessed:

    fixed         a re-analysis no longer reported it
    ignored       a writer dismissed it on the pull request (`/reviewloop ignore`)
    suppressed    an inline ignore or a baseline file of the trusted side silenced it
    escalated     still open when the loop stopped: a human has it
    open          still open
    out_of_scope  on no line the change wrote

An entry counts once for each reviewer that reported it, once for each analyzer among its
reports' sources, and once for its rule (`Finding.rule_key` of the entry's finding:
`source:rule` for an analyzer's, the reviewer and the normalised title for a model's).
`noise` is what people or the trusted side dismissed (ignored + suppressed): the rows with
the most come first, so a team sees which rule or agent file to tune. Nothing here says a
finding was wrong; it says what happened to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reviewloop.findings.ledger import Entry, Ledger, Status

STATS_VERSION = 1
Outcome = Literal["fixed", "ignored", "suppressed", "escalated", "open", "out_of_scope"]
OUTCOMES: tuple[Outcome, ...] = ("fixed", "ignored", "suppressed", "escalated", "open",
                                 "out_of_scope")
_BY_STATUS: dict[Status, Outcome] = {Status.FIXED: "fixed", Status.ESCALATED: "escalated",
                                     Status.OPEN: "open", Status.OUT_OF_SCOPE: "out_of_scope"}


def outcome(entry: Entry) -> Outcome:
    if entry.status is Status.SUPPRESSED:
        command = entry.suppression is not None and entry.suppression.kind == "command"
        return "ignored" if command else "suppressed"
    return _BY_STATUS[entry.status]


class OutcomeRow(BaseModel):
    """One reviewer's, rule's or analyzer's findings by outcome."""

    model_config = ConfigDict(extra="forbid")

    name: str
    findings: int = Field(default=0, ge=0, description="Entries it reported, any outcome.")
    fixed: int = 0
    ignored: int = 0
    suppressed: int = 0
    escalated: int = 0
    open: int = 0
    out_of_scope: int = 0
    noise: int = Field(default=0, ge=0, description="ignored + suppressed")
    reviewers: list[str] = Field(default_factory=list[str],
                                 description="The reviewers that reported it (a rule's agent "
                                             "files); empty on a reviewer's own row.")

    def add(self, entry: Entry, reviewers: Iterable[str] = ()) -> None:
        result = outcome(entry)
        setattr(self, result, getattr(self, result) + 1)
        self.findings += 1
        self.noise = self.ignored + self.suppressed
        self.reviewers = sorted({*self.reviewers, *reviewers})


class Sources(BaseModel):
    """What the figures were counted over."""

    model_config = ConfigDict(extra="forbid")

    runs: int = 0  # task runs
    reviews: int = 0  # `reviewloop review` outside a pull request
    pull_requests: int = 0  # each counted once, as its latest review judged it
    bench_replays: int = Field(default=0, ge=0,
                               description="Reviews of past commits `reviewloop bench` "
                                           "made: not the project's reviews, not counted.")
    unreadable: list[str] = Field(default_factory=list[str],
                                  description="What of the store could not be read.")


class Stats(BaseModel):
    """`reviewloop stats --json`: per reviewer, rule and analyzer, noisiest first."""

    model_config = ConfigDict(extra="forbid")

    version: int = STATS_VERSION
    outcomes: list[Outcome] = Field(default_factory=lambda: list(OUTCOMES))
    sources: Sources = Field(default_factory=Sources)
    reviewers: list[OutcomeRow] = Field(default_factory=list[OutcomeRow])
    rules: list[OutcomeRow] = Field(default_factory=list[OutcomeRow])
    analyzers: list[OutcomeRow] = Field(default_factory=list[OutcomeRow])


def tally(ledgers: Iterable[Ledger], sources: Sources | None = None) -> Stats:
    """The outcomes of every entry of `ledgers`, per reviewer, rule and analyzer."""
    reviewers: dict[str, OutcomeRow] = {}
    rules: dict[str, OutcomeRow] = {}
    analyzers: dict[str, OutcomeRow] = {}
    for ledger in ledgers:
        for entry in ledger.entries:
            who = entry.reporters
            for agent in who:
                _row(reviewers, agent).add(entry)
            for source in sorted({r.source for r in entry.reports if r.source != "llm"}):
                _row(analyzers, source).add(entry, who)
            _row(rules, entry.finding.rule_key).add(entry, who)
    return Stats(sources=sources or Sources(), reviewers=noisiest(reviewers.values()),
                 rules=noisiest(rules.values()), analyzers=noisiest(analyzers.values()))


def noisiest(rows: Iterable[OutcomeRow]) -> list[OutcomeRow]:
    """Most dismissed first, then most findings, then by name."""
    return sorted(rows, key=lambda r: (-r.noise, -r.findings, r.name))


def _row(rows: dict[str, OutcomeRow], name: str) -> OutcomeRow:
    if name not in rows:
        rows[name] = OutcomeRow(name=name)
    return rows[name]
