"""The findings ledger: every finding of a run (or a pull request), its lifecycle, and health.

One source of truth. Reviewers and analyzers *report* `Finding`s; the ledger *decides* what
each one is: an `Entry` groups the reports of one problem (same rule and location, or an
LLM finding on an analyzer finding's lines — never two different rules), keeps every
location and reporter, and carries an explicit `Status` with a reason for every transition:

    open ──► fixed         only when a re-analysis of the current content no longer reports it
      │ ▲                  (a fixed finding reported again is reopened, never posted twice)
      │ └─── (reported again)
      ├───► escalated      still open when the loop stops: a human decides; blocks --yes
    out_of_scope           not on a line the run wrote, in any round; shown with the reason
    suppressed             an inline `reviewloop: ignore[rule]` comment or a baseline file

`Health` says, per reviewer and per analyzer, whether it ran (`ok`), was not installed
(`missing`), failed (`failed`, with the reason) or had nothing to look at (`skipped`); any
missing or failed one makes the review incomplete, never clean. An analyzer's health also
holds its row of the coverage matrix: the changed files it was to read (`files`) and those
it did not read after all, with why (`unread`). A file an analyzer for it could not read —
too large, unparsable, ignored by the tool — is `unanalysed`, and an unanalysed file fails
the review (`reviewloop.review.matrix` adds the files no analyzer could be given).

Everything shown — the terminal summary, `--format json|markdown`, SARIF, PR comments,
outputs and the exit code — is computed from a `Ledger` by one function each. The ledger is
plain pydantic data: it is persisted in the run's checkpoint state (`model_dump(mode="json")`)
and read back with `Ledger.model_validate`. The rules that move entries between states live in
`reviewloop.findings.rounds`; grouping lives in `reviewloop.findings.grouping`. The JSON shape is
documented in docs/ledger.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from reviewloop.findings.schema import Finding, Severity

LEDGER_VERSION = 1


class Status(StrEnum):
    OPEN = "open"
    FIXED = "fixed"
    ESCALATED = "escalated"
    OUT_OF_SCOPE = "out_of_scope"
    SUPPRESSED = "suppressed"

    @property
    def unresolved(self) -> bool:
        """Open or escalated: still a problem of this change."""
        return self in _UNRESOLVED


# asked of every entry a view reads (a member named through its class is a slow look-up)
_UNRESOLVED = (Status.OPEN, Status.ESCALATED)


class Transition(BaseModel):
    """One change of an entry's status, with why and when (review round or push number)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: Status
    reason: str
    round: int = Field(ge=0)


class Suppression(BaseModel):
    """What silenced a finding: an inline comment, a baseline file, or a writer's
    `/reviewloop ignore` on the pull request; and who said so."""

    # built when a finding is first suppressed, not at import (#41)
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    kind: Literal["inline", "baseline", "command"]
    # "app.py:12" for a comment, ".reviewloop-baseline.json" for a baseline file, the
    # command's comment for `/reviewloop ignore`
    where: str
    by: str | None = None  # who suppressed it, when the baseline entry says
    reason: str | None = None  # the justification written next to it


class Entry(BaseModel):
    """One problem: the representative finding, every report of it, and its lifecycle."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[0-9a-f]{64}$",
                    description="The fingerprint of the group's anchor report; stable.")
    finding: Finding  # representative: the anchor's identity, the group's highest severity
    reports: list[Finding]  # every location and reporter, the anchor first
    status: Status
    history: list[Transition] = Field(min_length=1)
    suppression: Suppression | None = None

    @classmethod
    def single(cls, finding: Finding, status: Status, reason: str, round_no: int = 1,
               suppression: Suppression | None = None) -> Entry:
        """An entry of one report (e.g. rebuilt from a posted comment)."""
        return cls(id=finding.fingerprint, finding=finding, reports=[finding], status=status,
                   history=[Transition(status=status, reason=reason, round=round_no)],
                   suppression=suppression)

    @property
    def reason(self) -> str:
        return self.history[-1].reason

    @property
    def fingerprints(self) -> frozenset[str]:
        """Every identity this entry answers to (the anchor's, its reports', merged ones)."""
        found = {self.id}
        for report in (self.finding, *self.reports):  # `Finding.fingerprints`, unbuilt
            found.add(report.fingerprint)
            found.update(report.merged_fingerprints)
        return frozenset(found)

    @property
    def severity(self) -> Severity:
        return self.finding.severity

    @property
    def reporters(self) -> tuple[str, ...]:
        """Every agent that reported it, the anchor's first."""
        return tuple(dict.fromkeys(a for r in self.reports for a in r.agents))

    @property
    def last_round(self) -> int:
        return self.history[-1].round

    def moved_to(self, status: Status, reason: str, round_no: int) -> Entry:
        """A copy in `status`; the history records the reason (a repeated status with the
        same reason is not recorded twice)."""
        last = self.history[-1]
        if last.status is status and last.reason == reason:
            return self
        step = Transition(status=status, reason=reason, round=round_no)
        return self.model_copy(update={"status": status, "history": [*self.history, step]})


HealthStatus = Literal["ok", "missing", "failed", "skipped"]

class Health(BaseModel):
    """Whether one reviewer or analyzer ran; `agent` is the reviewer an analyzer served."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["reviewer", "analyzer"]
    name: str
    agent: str | None = None
    status: HealthStatus
    reason: str | None = None
    round: int = Field(default=1, ge=0)
    # an analyzer's row of the coverage matrix: the changed files it was to read, and of
    # those the ones it did not read, with why (a parse error, its size, the tool's ignore)
    files: tuple[str, ...] = ()
    unread: dict[str, str] = Field(default_factory=dict)
    # of those it read, the ones where some of its tool's findings were deliberately left
    # out, with how many and why (bandit's asserts in test code); the file was analysed
    left_out: dict[str, str] = Field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.name, self.agent or "")

    @property
    def complete(self) -> bool:
        return self.status in ("ok", "skipped")

    @property
    def label(self) -> str:
        """`bandit (review-security)` for an analyzer, the agent's name for a reviewer."""
        return f"{self.name} ({self.agent})" if self.agent else self.name

    def describe(self) -> str:
        return f"{self.kind} {self.label} {self.status}" + (
            f": {self.reason}" if self.reason else "")

    def gaps(self) -> dict[str, str]:
        """The files of its row it did not read, with why: all of them when it failed (its
        reason), none when it is not installed (the user's choice, reported apart)."""
        if self.status == "failed":
            return dict.fromkeys(self.files, f"{self.name} failed: {self.reason}")
        if self.status == "missing":
            return {}
        return {path: f"{self.name}: {why}" for path, why in self.unread.items()}

    def merged(self, newer: Health) -> Health:
        """This row with a later round's: the later answer for each file it read again;
        the worse status, with the reason that made it so."""
        files = tuple(dict.fromkeys((*self.files, *newer.files)))
        again = set(newer.files)
        unread = {p: why for p, why in self.unread.items() if p not in again}
        unread.update(newer.unread)
        left_out = {p: why for p, why in self.left_out.items() if p not in again}
        left_out.update(newer.left_out)
        base = newer if _WORSE[newer.status] > _WORSE[self.status] else self
        return base.model_copy(update={"files": files, "unread": unread,
                                       "left_out": left_out})


_WORSE = {"failed": 3, "missing": 2, "skipped": 1, "ok": 0}


class Ledger(BaseModel):
    """Every finding of a run and whether every reviewer and analyzer ran."""

    model_config = ConfigDict(extra="forbid")

    version: int = LEDGER_VERSION
    round: int = Field(default=0, ge=0)  # the last round (or push) recorded
    entries: list[Entry] = Field(default_factory=list[Entry])
    health: list[Health] = Field(default_factory=list[Health])

    @field_validator("version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        """A ledger of a later schema is not read as this one (its findings misread)."""
        if not 1 <= value <= LEDGER_VERSION:
            raise ValueError(f"ledger version {value} is not one this reviewloop reads (1 to "
                             f"{LEDGER_VERSION}): upgrade reviewloop to read it")
        return value

    # -- queries --------------------------------------------------------------------------

    def with_status(self, *statuses: Status) -> list[Entry]:
        wanted = set(statuses)
        return [e for e in _in_order(self.entries) if e.status in wanted]

    @property
    def unresolved(self) -> list[Entry]:
        """Open and escalated entries, most severe first."""
        return self.with_status(Status.OPEN, Status.ESCALATED)

    def blocking(self, floor: Severity) -> list[Entry]:
        """Unresolved entries at or above `floor`."""
        return [e for e in self.unresolved if e.severity.at_least(floor)]

    def find(self, fingerprints: Iterable[str]) -> Entry | None:
        """The entry answering to any of `fingerprints`."""
        wanted = frozenset(fingerprints)
        return next((e for e in self.entries if e.fingerprints & wanted), None)

    @property
    def actionable(self) -> list[Finding]:
        """What the fixer works on: open (not escalated) must-fix and should-fix findings."""
        return [e.finding for e in self.with_status(Status.OPEN) if e.severity.actionable]

    def findings(self, *statuses: Status) -> list[Finding]:
        """The representative findings of the entries in `statuses`."""
        return [e.finding for e in self.with_status(*statuses)]

    def counts(self) -> dict[str, dict[str, int]]:
        """Entries per status and severity, every level present."""
        counted = Counter((e.status, e.finding.severity) for e in self.entries)
        return {status.value: {s.value: counted[status, s] for s in Severity}
                for status in Status}

    def incomplete(self) -> list[Health]:
        """Reviewers and analyzers that did not run (missing or failed), worst first."""
        return sorted((h for h in self.health if not h.complete),
                      key=lambda h: (-_WORSE[h.status], h.kind, h.name, h.agent or ""))

    def unanalysed(self) -> dict[str, list[str]]:
        """Changed files an analyzer that applies to them did not read, each with every
        reason (`Health.gaps`), by path."""
        found: dict[str, list[str]] = {}
        for h in self.health:
            for path, why in h.gaps().items():
                if why not in found.setdefault(path, []):
                    found[path].append(why)
        return dict(sorted(found.items()))

    @property
    def complete(self) -> bool:
        return not self.incomplete() and not self.unanalysed()

    def __iter__(self) -> Iterator[Entry]:  # type: ignore[override]
        return iter(_in_order(self.entries))

    # -- updates (pure: each returns a new ledger) ---------------------------------------

    def with_health(self, reports: Iterable[Health]) -> Ledger:
        """Add health reports; per reviewer/analyzer the worst status over the run is kept,
        with the reason that made it so."""
        merged = {h.key: h for h in self.health}
        for h in reports:
            old = merged.get(h.key)
            merged[h.key] = h if old is None else old.merged(h)
        return self.model_copy(update={"health": sorted(merged.values(), key=lambda h: h.key)})

    def escalate(self, reason: str, *, round_no: int | None = None,
                 floor: Severity = Severity.SHOULD_FIX,
                 only: Iterable[str] | None = None) -> Ledger:
        """Every open entry at or above `floor` becomes escalated with `reason`; with
        `only`, just the entries answering to one of those fingerprints."""
        at = self.round if round_no is None else round_no
        wanted = None if only is None else frozenset(only)
        entries = [e.moved_to(Status.ESCALATED, reason, at)
                   if e.status is Status.OPEN and e.severity.at_least(floor)
                   and (wanted is None or e.fingerprints & wanted) else e
                   for e in self.entries]
        return self.model_copy(update={"entries": entries})


def _entry_order(entry: Entry) -> tuple[object, ...]:
    return (*entry.finding.sort_key(), entry.id)


# The views of a run's ledger (the verdict, the panel, each report) ask it for its entries in
# order a dozen times: sorting 1,300 entries each time cost a review ~10 ms. The last list of
# entries sorted is remembered with its order: a ledger's entries are never changed in place
# (every update is a copy with a new list), and a list of another length is sorted again.
_ORDERED: tuple[list[Entry], int, list[Entry]] | None = None


def _in_order(entries: list[Entry]) -> list[Entry]:
    """`entries` sorted by `_entry_order` (stable: filtering the order of all keeps it)."""
    global _ORDERED
    last = _ORDERED
    if last is not None and last[0] is entries and last[1] == len(entries):
        return last[2]
    ordered = sorted(entries, key=_entry_order)
    _ORDERED = (entries, len(entries), ordered)
    return ordered
