"""How one push changes the pull request's findings: what is new, fixed, back again, or
still open — and the PR's `Ledger` that the summary, the outputs and the exit code count.
Pure; `github/publish.py` carries the decisions out.

Each push is judged against the whole PR at the new head. A finding already posted keeps its
identity (`Finding.fingerprint`: rule, file and a location hash that survives lines moving),
so a moved finding is the same finding — never "resolved and posted again". The entries are
moved by the ledger's one mover, as a run's rounds move theirs (`findings.rounds.move`): a
posted finding is **fixed** only when a re-analysis of the current content no longer reports
it, nor the same problem where its code changed (`findings.grouping.same_problem`: a
`# nosec` the push added keeps the finding open under its posted id), and this module says
when a push re-checked it:

* its reporter (the reviewer, or the analyzer and its reviewer) ran this push — a missing
  or failed one judges nothing;
* and the content it points at was analysed again: the whole PR was reviewed, or its file
  was read with its whole part of the PR's diff (`wide`: as a fresh review reads it — its
  kind of change in the PR's diff changed, say a rename git no longer pairs), or its flagged
  code is gone from the file at the new head, or the new commits *added* the lines where
  that code now is (found by its location hash, wherever it moved). A diff's context lines
  do not count, and neither does a push that only changed other lines: code nobody touched
  was not looked at again, so what was open there stays open.

A finding on a file the PR's change no longer holds (the push reverted it to the base) is
neither fixed nor open: it is **no longer in this pull request** (`Status.OUT_OF_SCOPE`, `LEFT`),
its thread resolved saying so; it is open again if a later push brings it back.

Where the code cannot be located (no content given, a location hash from lines only) the
comment's place decides: an outdated comment (GitHub saw its lines change) or one on added
lines was looked at again; a finding listed in a review body waits for a full review.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from types import SimpleNamespace

from reviewloop.findings.code_index import CodeIndex
from reviewloop.findings.ledger import Entry, Health, Ledger, Status, Suppression
from reviewloop.findings.rounds import Said, move
from reviewloop.findings.schema import Finding, location_hash
from reviewloop.git.diff import ChangeSet
from reviewloop.github.posted import PostedFinding, PostedState
from reviewloop.github.records import FindingRecord
from reviewloop.github.render import severity_counts
from reviewloop.github.whole_checks import WHOLE

Code = Callable[[str], Sequence[str] | None]  # path → its lines at the new head, None: absent
GONE = "gone"
LEFT = "no longer in this pull request: its file is not part of the PR's change (not fixed)"


@dataclass(frozen=True)
class Convergence:
    new: list[Finding] = field(default_factory=list)  # never posted: post them
    fixed: list[PostedFinding] = field(default_factory=list)  # open → fixed at this head
    reopened: list[PostedFinding] = field(default_factory=list)  # fixed → open again
    still_open: list[PostedFinding] = field(default_factory=list)  # posted, open, unchanged
    fixed_before: list[PostedFinding] = field(default_factory=list)  # and still fixed
    left: list[PostedFinding] = field(default_factory=list)  # open → its file left the PR
    left_before: list[PostedFinding] = field(default_factory=list)  # and still out of it
    waiting: dict[str, str] = field(default_factory=dict)  # fingerprint → why not judged
    push: Push | None = None  # what was decided from: `ledger` words it at the new head

    @property
    def open_records(self) -> list[FindingRecord]:
        """Every finding open on the PR after this push, across all pushes."""
        return [*(p.record for p in (*self.still_open, *self.reopened)),
                *(FindingRecord.of(f) for f in self.new)]

    @property
    def fixed_records(self) -> list[FindingRecord]:
        return [p.record for p in (*self.fixed_before, *self.fixed)]

    @property
    def open_counts(self) -> dict[str, int]:
        return severity_counts(self.open_records)

    def body_fixed(self) -> list[str]:
        """Fixed findings that only a review body lists: the summary marker keeps their
        state, having no comment of their own to carry it."""
        return [p.fingerprint for p in (*self.fixed_before, *self.fixed) if not p.inline]

    def body_left(self) -> list[str]:
        """Findings only a review body lists whose file left the PR: as `body_fixed`."""
        return [p.fingerprint for p in (*self.left_before, *self.left) if not p.inline]

    def ledger(self, head_sha: str) -> Ledger:
        """The PR's findings as one `Ledger`: what was posted, moved by this push
        (`findings.rounds.move`), and what is new. Its open entries are what the summary
        and the outputs count."""
        return self.push.ledger(head_sha[:12]) if self.push is not None else Ledger(round=1)


@dataclass(frozen=True)
class Push:
    """One push as the ledger's one mover takes it: the posted findings (`PostedState`) as
    entries, each report at the new head as its own group (the review grouped them
    already), and the PR's rule for what this push re-checked (`not_rechecked`)."""

    posted: PostedState
    current: Sequence[Finding]
    reviewed: ChangeSet | None = None
    code: Code | None = None
    health: Sequence[Health] = ()
    left: frozenset[str] = frozenset()  # files the PR's change no longer holds
    wide: frozenset[str] = frozenset()  # files read with their whole part of the PR's diff

    def ledger(self, at: str) -> Ledger:
        return move(_left(posted_ledger(self.posted), self.posted, self.left),
                    [[f] for f in self.current], 1,
                    judge=partial(_judge, self.posted, at), rechecked=self._rechecked,
                    said=Said(reopened=f"reported again at {at}",
                              fixed=lambda _: f"re-analysed at {at} and no longer reported",
                              kept=True))

    def _rechecked(self, entry: Entry) -> str | None:
        return not_rechecked(self.posted.findings[entry.id], self.reviewed, code=self.code,
                             health=self.health, left=self.left, wide=self.wide)


def _judge(posted: PostedState, at: str, reports: Sequence[Finding]
           ) -> tuple[Status, str, Suppression | None]:
    """A report at this head: open, unless a writer's `/reviewloop ignore` covers it."""
    ignore = posted.ignore_of(frozenset(p for f in reports for p in f.fingerprints))
    if ignore is None:
        return Status.OPEN, f"reported at {at}", None
    return Status.SUPPRESSED, f"ignored by @{ignore.by}: {ignore.reason}", ignore.suppression()


def _left(ledger: Ledger, posted: PostedState, left: frozenset[str]) -> Ledger:
    """`ledger` with each open entry on a file the PR's change no longer holds set aside as
    no longer in the PR (`LEFT`): no re-analysis can fix or keep it open, its file is not the
    PR's; a report there later (the file back in the PR) opens it again."""
    if not left:
        return ledger
    entries = [e.moved_to(Status.OUT_OF_SCOPE, LEFT, 1)
               if e.status is Status.OPEN and posted.findings[e.id].record.file in left else e
               for e in ledger.entries]
    return ledger.model_copy(update={"entries": entries})


def posted_ledger(state: PostedState) -> Ledger:
    """The PR's `Ledger` as its comments stand, rebuilt from the markers alone."""
    entries = []
    for fp, p in state.findings.items():
        ignore = state.ignored.get(fp)
        status, reason = ((Status.SUPPRESSED, f"ignored by @{ignore.by}: {ignore.reason}")
                          if ignore is not None else
                          (Status.FIXED, "fixed on an earlier push") if p.state == "fixed"
                          else (Status.OUT_OF_SCOPE, LEFT) if p.state == "left"
                          else (Status.OPEN, "posted on the pull request"))
        entry = Entry.single(p.record.finding(), status, reason, 0,
                             suppression=ignore.suppression() if ignore else None)
        entries.append(entry.model_copy(update={"id": fp}))
    return Ledger(round=1, entries=entries)


def converge(posted: PostedState, current: Sequence[Finding],
             reviewed: ChangeSet | None = None, *, code: Code | None = None,
             health: Sequence[Health] = (), left: frozenset[str] = frozenset(),
             wide: frozenset[str] = frozenset()) -> Convergence:
    """Decide each finding's state: the posted findings' entries moved by what the analysis
    at the new head reports (`current`), as `findings.rounds.move` moves a run's entries;
    `reviewed`: the part of the PR it looked at (None: the whole PR); `code`: the files at
    the new head; `health`: which reviewers and analyzers ran; `left`: the files the PR
    changed at the last review and no longer changes, `wide` the files of `reviewed` read
    with their whole part of the PR's diff (`github.followup`)."""
    push = Push(posted, sorted(current, key=Finding.sort_key), reviewed, code, health, left,
                wide)
    out = Convergence(push=push)
    for entry in push.ledger("this push").entries:
        was = posted.findings.get(entry.id)
        if was is None:
            if entry.status is Status.OPEN:
                out.new.append(entry.finding)
        elif entry.status is Status.SUPPRESSED:
            continue
        elif was.state in ("fixed", "left"):
            before = out.fixed_before if was.state == "fixed" else out.left_before
            (out.reopened if entry.status is Status.OPEN else before).append(was)
        elif entry.status is Status.FIXED:
            out.fixed.append(was)
        elif entry.status is Status.OUT_OF_SCOPE:
            out.left.append(was)
        else:
            out.still_open.append(was)
            if entry.history[-1].round == 1:  # not reported again, and not re-checked
                out.waiting[entry.id] = entry.reason
    return out


def not_rechecked(posted: PostedFinding, reviewed: ChangeSet | None, *,
                  code: Code | None = None, health: Sequence[Health] = (),
                  left: frozenset[str] = frozenset(),
                  wide: frozenset[str] = frozenset()) -> str | None:
    """None when the analysis at this head looked at what `posted` points at again (so not
    reporting it means fixed) — a check of the whole PR (`whole_checks`) does at every
    push, and so does a read of its file's whole part of the PR's diff (`wide`) — or its
    file left the PR's change; else why it could not judge it."""
    record = posted.record
    broken = _reporter_down(record, health)
    if broken:
        return broken
    if reviewed is None or record.file in left or record.file in wide \
            or record.source in WHOLE:
        return None
    where = locate(record, code) if code is not None else None
    if where == GONE:
        return None
    if isinstance(where, tuple):
        added = reviewed.changed_lines(record.file)
        if any(n in added for n in range(where[0], where[1] + 1)):
            return None
        return "its code was not changed by this push, so it was not analysed again"
    if reexamined(posted, reviewed):
        return None
    return "not analysed again by this push"


def reexamined(posted: PostedFinding, reviewed: ChangeSet | None) -> bool:
    """By the comment's place alone: whether this push looked at it again."""
    if reviewed is None:
        return True
    if posted.outdated:
        # its lines changed since it was posted — unless it came back elsewhere after that,
        # and then the comment's place says nothing about where it is now
        return not posted.away
    if not posted.inline or posted.line is None:
        return False  # listed in a body: only a review of the whole PR re-judges it
    first = posted.start_line or posted.line
    added = reviewed.changed_lines(posted.path)
    return any(n in added for n in range(first, posted.line + 1))


def locate(record: FindingRecord, code: Code) -> tuple[int, int] | str | None:
    """Where the finding's code is at the new head: (start, end), `GONE` when the file or
    the code is no longer there, None when its location hash does not say (lines only, a
    symbol or the whole file while the file exists)."""
    lh = record.location_hash
    if not lh or lh.startswith("L"):
        return None
    lines = code(record.file)
    if lines is None:
        return GONE
    if lh == "file" or lh.startswith("symbol:"):
        return None
    height = record.end_line - record.start_line
    index = CodeIndex(lines)
    digest = lh.split(":", 1)[0]
    for start in range(1, len(lines) + 1):
        window = index.window(start, start + height)
        # a cheap filter; `location_hash` (the one definition) has the last word
        if window and hashlib.sha256(window.encode()).hexdigest()[:16] == digest:
            at = SimpleNamespace(level="line", symbol=None, start_line=start,
                                 end_line=start + height)
            if location_hash(at, index) == lh:  # type: ignore[arg-type]
                return (start, start + height)
    return GONE


def _reporter_down(record: FindingRecord, health: Sequence[Health]) -> str | None:
    """Why the reviewer or analyzer that reported `record` could not re-check it."""
    for h in health:
        mine = (h.kind == "reviewer" and h.name == record.agent) or (
            h.kind == "analyzer" and h.name == record.source
            and h.agent in (None, record.agent))
        if mine and h.status in ("missing", "failed"):
            return f"{h.label} {h.status} at this push: nothing re-checked it"
    return None
