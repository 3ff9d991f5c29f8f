"""Recording one review round (or one push of a pull request) in the ledger (pure).

`move` is the one place that moves ledger entries between states, for a run's rounds
(`record`) and a pull request's pushes (`github.converge`) alike:

* every report of the round is grouped (`grouping.group`) and classified: `suppressed` when a
  suppression covers a report, `out_of_scope` (with the reason) when no report lies on a line
  the run wrote in any round nor spans a place where it removed lines, else `open`; a group
  matching an existing entry (any shared fingerprint) updates it, so a finding reported
  again is one entry, and a fixed one reopens; so does a group about the same problem as an
  unresolved entry whose fingerprint changed with its code (`grouping.same_problem`: a
  `# nosec` the fixer appended, a re-wrapped call), which keeps the entry's id — the
  problem is still there, so it is not fixed;
* an unresolved entry nobody reported becomes `fixed` only when its reporter re-checked the
  current content this round: the reviewer ran (`ok`) with every analyzer it lists (what a
  model answers never closes an analyzer's finding: the reviewer's outcome carries it for as
  long as the analyzer reports it), and —
  for an LLM finding in a round that reviewed only a fix — the fix targeted it and changed
  its file; for an analyzer's finding, the analyzers re-ran on its file (`rechecked_files`:
  the fix's files and those of the analyzer findings it targeted — a coverage finding is
  fixed by a test in another file). Otherwise it stays open, with the reason it could not be
  judged.

Inside the change means on a line the run wrote, or spanning a place where it removed lines:
a deleted `encrypted = true` makes the resource an analyzer reports around it part of the
change; so is an analyzer finding the change introduced elsewhere (`Finding.introduced`: the
analyzer's run on the base does not have it). "Outside the change" is kept for findings the
change did not touch in any of these ways (`outside_reason`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from reviewloop.findings.grouping import group, representative, same_problem
from reviewloop.findings.ledger import Entry, Health, Ledger, Status, Suppression, Transition
from reviewloop.findings.schema import Finding
from reviewloop.findings.written import Written
from reviewloop.findings.written import normalise_scope as normalise_scope
from reviewloop.git.diff import removed_within
from reviewloop.memo import no_cycle_collection

Suppressor = Callable[[Finding], Suppression | None]
Scope = Mapping[str, Collection[int]]  # repo-relative path → lines the run wrote (new file)


def never(_: Finding) -> Suppression | None:
    """The suppressor of a round nothing suppresses in."""
    return None


@dataclass(frozen=True)
class RoundInput:
    """What one round reported and what it covered."""

    round: int
    reported: Sequence[Finding]  # every report (severity floors already applied)
    scope: Scope  # path → lines the run wrote, in any round, numbered in the current files
    # path → where the run removed lines (the current line after which they were removed)
    removals: Scope = field(default_factory=dict)
    health: Sequence[Health] = ()  # every reviewer and analyzer of this round
    whole: bool = True  # the reviewers saw the whole change (round 1, a PR push)
    addressed: Collection[str] = ()  # fingerprints of the findings the last fix targeted
    fix_files: Collection[str] = ()  # files the last fix changed
    analyzed_files: Collection[str] = ()  # files the analyzers re-ran on (`rechecked_files`)
    suppress: Suppressor = field(default=never)


def outside_reason(finding: Finding, scope: Mapping[str, Written],
                   removals: Mapping[str, Written | Sequence[int]] | None = None) -> str | None:
    """Why `finding` lies outside the change (None when inside): one the change introduced
    (`Finding.introduced`) is inside, a file-level finding is inside when the change wrote or
    removed lines of its file, any other when its lines contain a written line or span a
    place where lines were removed. `scope` as `normalise_scope` gives it; `removals`
    (path → the new-file line after which lines were removed) the same, or each file's
    lines ascending."""
    if finding.introduced:  # the analyzer's run on the base does not have it
        return None
    written = scope.get(finding.file)
    cuts = (removals or {}).get(finding.file, ())
    cuts = cuts.lines if isinstance(cuts, Written) else cuts
    if written is None:
        return "in a file this change does not touch"
    if finding.level == "file" and (written or cuts):
        return None
    start, end = finding.start_line, finding.end_line
    if written.within(start, end) or removed_within(cuts, start, end):
        return None
    if not written and (cuts or removals is None):
        return ("in a file this change only deletes from, and not around a removed line: "
                "no line of it was written")
    if not written:  # touched without a text line: a binary file, a rename, a mode change
        return ("in a file this change wrote no text line of (a binary file, a rename or "
                "a mode change)")
    return (f"on lines this change did not write ({finding.location}; the nearest written "
            f"line is {written.nearest(start, end)})")


def rechecked_files(fix_files: Collection[str], addressed: Sequence[Finding]) -> frozenset[str]:
    """The files a fix-only round's analyzers re-run on: those the fix changed, and those of
    the analyzer findings it targeted, whose fix may lie elsewhere (a test for an untested
    function, a config entry): only a re-run there can show such a finding gone."""
    return frozenset(fix_files) | {f.file for f in addressed if f.source != "llm"}


Judge = Callable[[Sequence[Finding]], tuple[Status, str, Suppression | None]]
Rechecked = Callable[[Entry], str | None]  # why an entry was NOT re-checked (None: it was)


@dataclass(frozen=True)
class Said:
    """How the moves are worded where they happen: a run's round, a pull request's push."""

    reopened: str  # a fixed entry reported again
    fixed: Callable[[Entry], str]  # an unresolved entry re-checked and no longer reported
    kept: bool = False  # an unresolved entry that could not be judged records why


def in_round(round_no: int) -> Said:
    """A run's round's wording."""
    def fixed(entry: Entry) -> str:
        by = entry.finding.agent if entry.finding.source == "llm" else entry.finding.source
        return f"{by} re-checked the current content in round {round_no} and no longer reports it"
    return Said(reopened=f"reopened: reported again in round {round_no} after it was fixed",
                fixed=fixed)


def record(ledger: Ledger, rnd: RoundInput) -> Ledger:
    """The ledger after round `rnd` (see the module docstring)."""
    with no_cycle_collection():  # scope, groups and entries: see `move`
        scope = normalise_scope(rnd.scope)
        removals = normalise_scope(rnd.removals)
        health = [h.model_copy(update={"round": rnd.round}) for h in rnd.health]
        return move(ledger, group(rnd.reported), rnd.round,
                    judge=lambda reports: _classify(reports, (scope, removals), rnd),
                    rechecked=_rechecked(health, rnd),
                    said=in_round(rnd.round)).with_health(health)


def move(ledger: Ledger, groups: Sequence[Sequence[Finding]], round_no: int, *, judge: Judge,
         rechecked: Rechecked, said: Said) -> Ledger:
    """The one place ledger entries move: each group of reports updates the entry it is
    about (a shared fingerprint, else the same problem, `Entries.match`) or becomes a new
    one, with the status `judge` gives it (a fixed entry reopens, an escalated one stays a
    human's); an unresolved entry nobody reported becomes fixed when `rechecked` says its
    reporter looked again, else stays. A run's rounds (`record`) and a pull request's pushes
    (`github.converge`) differ only in `judge`, `rechecked` and the wording."""
    with no_cycle_collection():  # 100k findings: a third of the time was the collector
        entries = _Entries(ledger.entries)
        seen: set[str] = set()
        for reports in groups if entries else ():  # a first round matches nothing before
            entries.take(entries.exact(reports))
        for reports in groups:
            index = entries.match(reports)
            if index is not None and entries[index].id in seen:  # another group of the round
                reports = [*entries[index].reports, *reports]  # shares its fingerprints: both
            status, reason, suppression = judge(reports)
            if index is None:
                index = entries.add(_new_entry(reports, status, reason, suppression, round_no))
            else:
                entries.replace(index, _updated(entries[index], reports, status, reason,
                                                suppression, round_no, said))
            entries.take(index)  # one report of a round per entry; two new ones are two findings
            seen.add(entries[index].id)
        final = [e if e.id in seen or not e.status.unresolved
                 else _unreported(e, rechecked, round_no, said) for e in entries]
        return ledger.model_copy(update={"round": max(ledger.round, round_no),
                                         "entries": final})


class _Entries(list[Entry]):
    """The ledger's entries being recorded, indexed by fingerprint, and the unresolved ones
    no report of the round has taken yet by kind, so matching a group costs the entries
    that could match, not all."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        super().__init__()
        self._by_print: dict[str, set[int]] = {}
        self._prints: list[frozenset[str]] = []  # each entry's fingerprints, computed once
        # (file, kind): the entries `same_problem` can pair a report with — an analyzer's by
        # its rule, an LLM's by its agent — among those `match` may still give: the ledger's
        # unresolved entries no report of the round took (an entry added or updated in the
        # round is taken at once), so an unmatched report costs its own kind's open entries
        self._open: dict[tuple[str, str], set[int]] = {}
        self._open_kind: dict[int, tuple[str, str]] = {}  # where `take` finds an entry
        for entry in entries:
            index = self.add(entry)
            if entry.status.unresolved:
                kind = self._open_kind[index] = _kind(entry.finding)
                self._open.setdefault(kind, set()).add(index)

    def add(self, entry: Entry) -> int:
        self.append(entry)
        self._index(len(self) - 1)
        return len(self) - 1

    def replace(self, index: int, entry: Entry) -> None:
        self[index] = entry
        self._index(index)  # stale keys stay; `exact` re-checks every candidate

    def take(self, index: int | None) -> None:
        """Mark the entry a report of the round is about: `match` no longer gives it for
        the same problem."""
        kind = self._open_kind.pop(index, None) if index is not None else None
        if kind is not None:
            self._open[kind].discard(index)

    def exact(self, reports: Sequence[Finding]) -> int | None:
        """The first entry sharing a fingerprint with the reports."""
        if len(reports) == 1 and not reports[0].merged_fingerprints:  # most groups: one
            # report, one fingerprint (a replaced entry's stale keys re-checked, as below)
            print_ = reports[0].fingerprint
            indexed = self._by_print.get(print_)
            return min((i for i in indexed if print_ in self._prints[i]),
                       default=None) if indexed else None
        prints = {r.fingerprint for r in reports}
        for r in reports:
            prints.update(r.merged_fingerprints)
        sharing = [i for p in prints for i in self._by_print.get(p, ())]
        return min((i for i in sharing if not self._prints[i].isdisjoint(prints)),
                   default=None)

    def match(self, reports: Sequence[Finding]) -> int | None:
        """The entry these reports are about: the first sharing a fingerprint, else the
        first unresolved entry about the same problem (`grouping.same_problem`: its code
        changed — a marker appended, a line re-wrapped — or an LLM re-worded it) that no
        other report of the round has taken."""
        exact = self.exact(reports)
        if exact is not None or not self._open:  # a first round: no entry to be taken
            return exact
        kinds = {_kind(r) for r in reports}
        return min((i for kind in kinds for i in self._open.get(kind, ())
                    if any(same_problem(self[i].finding, r) for r in reports)), default=None)

    def _index(self, index: int) -> None:
        prints = self[index].fingerprints
        if index == len(self._prints):
            self._prints.append(prints)
        else:
            self._prints[index] = prints
        for p in prints:
            self._by_print.setdefault(p, set()).add(index)


def _kind(finding: Finding) -> tuple[str, str]:
    """What `same_problem` needs equal before it looks closer: the file, and the rule of an
    analyzer's finding or the agent of an LLM's."""
    return finding.file, f"llm:{finding.agent}" if finding.source == "llm" else finding.rule_key


_Lines = Mapping[str, Written]


def _classify(reports: Sequence[Finding], scope: tuple[_Lines, _Lines], rnd: RoundInput
              ) -> tuple[Status, str, Suppression | None]:
    """Suppressed, else outside the change (written and removed lines), else open."""
    for report in reports:
        suppression = rnd.suppress(report)
        if suppression is not None:
            return Status.SUPPRESSED, f"suppressed by {suppression.where}", suppression
    reasons = [outside_reason(r, *scope) for r in reports]
    if all(reasons):
        return Status.OUT_OF_SCOPE, f"outside the change: {reasons[0]}", None
    agents = ", ".join(dict.fromkeys(a for r in reports for a in r.agents))
    return Status.OPEN, f"reported by {agents} in round {rnd.round}", None


def _new_entry(reports: Sequence[Finding], status: Status, reason: str,
               suppression: Suppression | None, round_no: int) -> Entry:
    anchor = representative(reports)
    return Entry(id=anchor.fingerprint, finding=anchor, reports=list(reports), status=status,
                 history=[_transition(status, reason, round_no)], suppression=suppression)


@lru_cache(maxsize=1024)
def _transition(status: Status, reason: str, round_no: int) -> Transition:
    """One transition for the many entries a round opens with the same words ("reported by
    bandit in round 1"): frozen, so shared (a model each cost a round of 1,300 new entries
    a tenth of their making)."""
    return Transition(status=status, reason=reason, round=round_no)


def _updated(entry: Entry, reports: Sequence[Finding], status: Status, reason: str,
             suppression: Suppression | None, round_no: int, said: Said) -> Entry:
    """The entry with this round's reports (current lines), the highest severity ever seen,
    and its identity kept."""
    current = representative(reports)
    merged = sorted({*entry.finding.merged_fingerprints, *current.fingerprints} - {entry.id})
    severity = min((entry.finding.severity, current.severity), key=lambda s: s.rank)
    update = {"severity": severity, "fingerprint": entry.id, "merged_fingerprints": merged}
    # most often the report itself, as a new entry's finding is (a copy each: 100k of them)
    finding = current if all(getattr(current, k) == v for k, v in update.items()) \
        else current.model_copy(update=update)
    if entry.status is Status.FIXED and status is Status.OPEN:
        reason = said.reopened
    elif entry.status is Status.ESCALATED and status is Status.OPEN:
        status = Status.ESCALATED  # a human already has it; reporting it again changes nothing
        reason = entry.reason
    moved = entry.model_copy(update={"finding": finding, "reports": list(reports),
                                     "suppression": suppression})
    if entry.status is status and status is Status.OPEN:
        return moved  # still open: the reason it was opened stands
    return moved.moved_to(status, reason, round_no)


def _rechecked(health: Sequence[Health], rnd: RoundInput) -> Rechecked:
    """A function saying why an entry was NOT re-checked this round (None: it was)."""
    reviewers = {h.name: h for h in health if h.kind == "reviewer"}
    analyzers = [h for h in health if h.kind == "analyzer"]
    addressed = frozenset(rnd.addressed)
    fixed_files = frozenset(rnd.fix_files)
    analyzed = fixed_files | frozenset(rnd.analyzed_files)

    def why_not(entry: Entry) -> str | None:
        anchor = entry.finding
        agent = reviewers.get(anchor.agent)
        if agent is None or agent.status != "ok":
            state = agent.status if agent else "did not run"
            return f"not re-checked: reviewer {anchor.agent} {state} in round {rnd.round}"
        broken = [h for h in analyzers if h.agent == anchor.agent and not h.complete]
        if broken:
            return f"not re-checked: {broken[0].describe()}"
        if not rnd.whole:  # a re-review looks at the fix only (reviewers and analyzers)
            if anchor.source == "llm" and not entry.fingerprints & addressed:
                return f"not addressed by the fix of round {rnd.round - 1}"
            if anchor.file not in (fixed_files if anchor.source == "llm" else analyzed):
                return f"the fix did not change {anchor.file}"
        return None

    return why_not


def _unreported(entry: Entry, rechecked: Rechecked, round_no: int, said: Said) -> Entry:
    why_not = rechecked(entry)
    if why_not is None:
        return entry.moved_to(Status.FIXED, said.fixed(entry), round_no)
    # still open (or escalated): nothing showed it is gone
    return entry.moved_to(entry.status, why_not, round_no) if said.kept else entry


def outcome_health(outcomes: Sequence[Mapping[str, Any]]) -> list[Health]:
    """Reviewer and analyzer health from reviewer outcomes (`ReviewerOutcome` as JSON)."""
    reviewers: dict[tuple[str, int], Health] = {}
    analyzers: list[Health] = []
    for outcome in outcomes:
        key = (outcome["agent"], outcome.get("round", 1))
        mine = Health(kind="reviewer", name=key[0], status=outcome["status"],
                      reason=outcome.get("error") or (outcome.get("summary") if
                                                      outcome["status"] == "skipped" else None),
                      round=key[1])
        # A reviewer of several chunks is as healthy as its worst chunk.
        if key not in reviewers or _WORSE[mine.status] > _WORSE[reviewers[key].status]:
            reviewers[key] = mine
        analyzers += [Health.model_validate(h) for h in outcome.get("analyzers", [])]
    return [*reviewers.values(), *analyzers]


_WORSE = {"skipped": 0, "ok": 1, "missing": 2, "failed": 3}
