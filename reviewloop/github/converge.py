"""How one push changes the pull request's findings: what is new, fixed, back again, or
still open — and the PR's `Ledger` that the summary, the outputs and the exit code count.
Pure; `github/publish.py` carries the decisions out.

Each push is judged against the whole PR at the new head. A finding already posted keeps its
identity (`Finding.fingerprint`: rule, file and a location hash that survives lines moving),
so a moved finding is the same finding — never "resolved and posted again". A posted finding
is **fixed** only when a re-analysis of the current content no longer reports it, nor the
same problem where its code changed (`findings.grouping.same_problem`: a `# nosec` the push
added keeps the finding open under its posted id):

* its reporter (the reviewer, or the analyzer and its reviewer) ran this push — a missing
  or failed one judges nothing;
* and the content it points at was analysed again: the whole PR was reviewed, or its flagged
  code is gone from the file at the new head, or the new commits *added* the lines where
  that code now is (found by its location hash, wherever it moved). A diff's context lines
  do not count, and neither does a push that only changed other lines: code nobody touched
  was not looked at again, so what was open there stays open.

Where the code cannot be located (no content given, a location hash from lines only) the
comment's place decides: an outdated comment (GitHub saw its lines change) or one on added
lines was looked at again; a finding listed in a review body waits for a full review.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace

from reviewloop.findings.grouping import same_problem
from reviewloop.findings.ledger import Entry, Health, Ledger, Status
from reviewloop.findings.schema import CodeIndex, Finding, location_hash
from reviewloop.git.diff import ChangeSet
from reviewloop.github.ignores import IgnoreRecord
from reviewloop.github.posted import PostedFinding, PostedState
from reviewloop.github.records import FindingRecord
from reviewloop.github.render import severity_counts

Code = Callable[[str], Sequence[str] | None]  # path → its lines at the new head, None: absent
GONE = "gone"


@dataclass(frozen=True)
class Convergence:
    new: list[Finding] = field(default_factory=list)  # never posted: post them
    fixed: list[PostedFinding] = field(default_factory=list)  # open → fixed at this head
    reopened: list[PostedFinding] = field(default_factory=list)  # fixed → open again
    still_open: list[PostedFinding] = field(default_factory=list)  # posted, open, unchanged
    fixed_before: list[PostedFinding] = field(default_factory=list)  # and still fixed
    waiting: dict[str, str] = field(default_factory=dict)  # fingerprint → why not judged
    # a writer's `/reviewloop ignore` covers them: suppressed, reported again or not
    ignored: list[tuple[Finding, IgnoreRecord]] = field(default_factory=list)

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

    def ledger(self, head_sha: str) -> Ledger:
        """The PR's findings as one `Ledger`: what was posted, with this push's transitions,
        and what is new. Its open entries are what the summary and the outputs count."""
        at = head_sha[:12]
        entries = [_entry(p, Status.OPEN, Status.OPEN, self.waiting.get(
                       p.fingerprint, f"open at {at}")) for p in self.still_open]
        entries += [_entry(p, Status.FIXED, Status.OPEN, f"reported again at {at}")
                    for p in self.reopened]
        entries += [_entry(p, Status.OPEN, Status.FIXED,
                           f"re-analysed at {at} and no longer reported") for p in self.fixed]
        entries += [_entry(p, Status.FIXED, Status.FIXED, "fixed on an earlier push")
                    for p in self.fixed_before]
        entries += [Entry.single(f, Status.OPEN, f"reported at {at}", 1) for f in self.new]
        entries += [Entry.single(f, Status.SUPPRESSED, f"ignored by @{i.by}: {i.reason}", 1,
                                 suppression=i.suppression()) for f, i in self.ignored]
        return Ledger(round=1, entries=entries)


def posted_ledger(state: PostedState) -> Ledger:
    """The PR's `Ledger` as its comments stand, rebuilt from the markers alone."""
    items = list(state.findings.values())
    live = [p for p in items if p.fingerprint not in state.ignored]
    return Convergence(still_open=[p for p in live if p.state == "open"],
                       fixed_before=[p for p in live if p.state == "fixed"],
                       ignored=[(p.record.finding(), state.ignored[p.fingerprint])
                                for p in items if p.fingerprint in state.ignored]
                       ).ledger(state.last_reviewed_head or "unknown")


def _entry(posted: PostedFinding, before: Status, after: Status, reason: str) -> Entry:
    entry = Entry.single(posted.record.finding(), before, "posted on the pull request", 0)
    return entry.moved_to(after, reason, 1)


def converge(posted: PostedState, current: Sequence[Finding],
             reviewed: ChangeSet | None = None, *, code: Code | None = None,
             health: Sequence[Health] = ()) -> Convergence:
    """Decide each finding's state. `current`: what the analysis at the new head reports;
    `reviewed`: the part of the PR it looked at (None: the whole PR); `code`: the files at
    the new head; `health`: which reviewers and analyzers ran."""
    out = Convergence()
    reported: set[str] = set()
    seen_new: set[str] = set()
    ordered = sorted(current, key=Finding.sort_key)
    exact = {fp for f in ordered for fp in f.fingerprints if fp in posted.findings}
    for finding in ordered:
        ignore = posted.ignore_of(finding.fingerprints)
        if ignore is not None:
            reported |= finding.fingerprints
            if not any(f.fingerprint == finding.fingerprint for f, _ in out.ignored):
                out.ignored.append((finding, ignore))
            continue
        match = next((fp for fp in sorted(finding.fingerprints) if fp in posted.findings),
                     None) or _same_problem(posted, finding, exact | reported)
        if match is None:
            if finding.fingerprint not in seen_new:
                seen_new.add(finding.fingerprint)
                out.new.append(finding)
            continue
        reported.add(match)
    for fp, p in posted.findings.items():
        if fp in posted.ignored:
            if fp not in reported:  # not reported at this head: its record stands for it
                out.ignored.append((p.record.finding(), posted.ignored[fp]))
            continue
        if fp in reported:
            (out.reopened if p.state == "fixed" else out.still_open).append(p)
        elif p.state == "fixed":
            out.fixed_before.append(p)
        else:
            why_not = not_rechecked(p, reviewed, code=code, health=health)
            if why_not is None:
                out.fixed.append(p)
            else:
                out.still_open.append(p)
                out.waiting[fp] = why_not
    return out


def _same_problem(posted: PostedState, finding: Finding, taken: set[str]) -> str | None:
    """The open posted finding `finding` is about though its fingerprint changed with the
    code (`grouping.same_problem`: a `# nosec` added, a call re-wrapped), that no other report
    at this head has: still open, under its posted id, not fixed beside a new one."""
    return next((fp for fp, p in sorted(posted.findings.items())
                 if fp not in taken and fp not in posted.ignored and p.state == "open"
                 and same_problem(p.record.finding(), finding)), None)


def not_rechecked(posted: PostedFinding, reviewed: ChangeSet | None, *,
                  code: Code | None = None, health: Sequence[Health] = ()) -> str | None:
    """None when the analysis at this head looked at what `posted` points at again (so not
    reporting it means fixed); else why it could not judge it."""
    record = posted.record
    broken = _reporter_down(record, health)
    if broken:
        return broken
    if reviewed is None:
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
