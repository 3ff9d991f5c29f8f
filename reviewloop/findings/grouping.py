"""Which reports are one problem: grouping cross-agent duplicates without merging rules, a
group's representative, and `same_problem`, the one rule for "the same problem, still there"
when a finding's fingerprint changed with its code.

Pure functions over `Finding` values; nothing here reads files or state. Grouping never merges
different rules: a group is the reports of one identity (same rule and location, whichever
agent ran the rule), joined by LLM findings on the lines of an analyzer finding, or by another
agent's LLM finding on the same code with a similar title. A group keeps every report (every
location and reporter); `reviewloop.findings.rounds` turns groups into ledger entries.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from itertools import groupby
from operator import itemgetter

from reviewloop.findings.schema import Finding, Severity, normalise_title

# Words that say nothing about *which* problem a title names.
_FILLER = frozenset(
    "a an the of in on at to for from by with via and or is are be may can could might "
    "possible possibly potential potentially missing".split())
_SIMILAR_TITLES = 0.6  # share of the shorter title's words the other title must contain


def group(findings: Iterable[Finding]) -> list[list[Finding]]:
    """The reports grouped by problem, each group's anchor first (an analyzer report when
    there is one, else the most severe and confident), in a deterministic order."""
    reports = list(findings)
    # each report read once, in the order given, for its key and its identity; one sort of
    # the keys gives every report its place, and an identity's place is its first report's
    keys: list[tuple[object, ...]] = []
    by_identity: dict[tuple[str, str, str], list[int]] = {}
    for at, finding in enumerate(reports):
        keys.append(_merge_order(finding))
        by_identity.setdefault((finding.rule_key, finding.file, finding.location_hash),
                               []).append(at)
    place = _places(reports, keys)
    identities = sorted((sorted(members, key=place.__getitem__) if len(members) > 1
                         else members for members in by_identity.values()),
                        key=lambda members: place[members[0]])
    groups: list[tuple[int, list[Finding]]] = []  # (the anchor's place, the group)
    candidates: list[tuple[int, list[Finding]]] = []
    for members in identities:
        placed = (place[members[0]], [reports[i] for i in members])
        (candidates if keys[members[0]][0] else groups).append(placed)
    # indexes, so each LLM report is compared only with the analyzer groups on its lines
    # and the LLM groups on its code
    by_file: dict[str, list[list[Finding]]] = {}
    for _, g in groups if candidates else ():  # none without an LLM report
        if g[0].level == "line":
            by_file.setdefault(g[0].file, []).append(g)
    spans = {file: _Spans(found) for file, found in by_file.items()}
    by_place: dict[tuple[str, str], list[list[Finding]]] = {}
    alone: list[tuple[int, list[Finding]]] = []
    for placed in candidates:
        candidate = placed[1]
        where = (candidate[0].file, candidate[0].location_hash)
        on_lines = spans[where[0]].over(candidate[0]) if where[0] in spans else ()
        home = _analyzer_home(candidate, on_lines) \
            or _llm_home(candidate, by_place.get(where, ()))
        if home is None:
            alone.append(placed)
            by_place.setdefault(where, []).append(candidate)
        else:
            home.extend(candidate)
    # two runs in order of place (analyzer groups, LLM groups of their own): one merge
    return [g for _, g in sorted(groups + alone, key=itemgetter(0))]


def representative(reports: Sequence[Finding]) -> Finding:
    """The anchor, raised to the group's highest severity and confidence, with the other
    reporters in `also_reported_by` and their identities in `merged_fingerprints`."""
    first, rest = reports[0], reports[1:]
    if not rest:
        return first
    agents = {a for f in reports for a in f.agents} - {first.agent}
    prints = {p for f in reports for p in f.fingerprints} - {first.fingerprint}
    return first.model_copy(update={
        "severity": Severity.highest(f.severity for f in reports),
        "confidence": max(f.confidence for f in reports),
        "also_reported_by": sorted(agents),
        "merged_fingerprints": sorted(prints),
        "more_here": more_here(reports),
    })


def more_here(reports: Sequence[Finding]) -> list[str]:
    """The messages of the anchor's tool's other reports of its rule at its place (one
    identity): a tool that reports a rule three times on one line is one finding that says
    so. The same report from another reviewer running the same tool is not counted again."""
    first = reports[0]
    if first.rule is None:  # an LLM's same title twice is one report said twice
        return []
    return [r.title for r in reports[1:] if r.fingerprint == first.fingerprint
            and r.agent == first.agent and r.source == first.source]


def overlaps(a: Finding, b: Finding) -> bool:
    return a.file == b.file and a.start_line <= b.end_line and b.start_line <= a.end_line


NEAR_LINES = 2  # an analyzer's rule this close to where it fired is the same problem


def same_problem(old: Finding, new: Finding) -> bool:
    """Whether `new` reports what `old` did though their fingerprints differ, because the
    flagged code changed around the problem (a `# nosec` appended, the call re-wrapped, a
    title re-worded): an analyzer's finding by the same rule in the same file, on lines at
    most `NEAR_LINES` from `old`'s; an LLM finding by the same agent on overlapping lines
    with a similar title. The one rule for "the same problem, still there": a finding is
    fixed only when nothing like it is reported any more."""
    if old.file != new.file or (old.source == "llm") != (new.source == "llm"):
        return False
    if new.source == "llm":
        return (old.agent == new.agent and overlaps(old, new)
                and similar_titles(old.title, new.title))
    if old.rule_key != new.rule_key or old.level != new.level:
        return False
    if old.level != "line":
        return old.symbol == new.symbol
    return (new.start_line <= old.end_line + NEAR_LINES
            and old.start_line <= new.end_line + NEAR_LINES)


def similar_titles(a: str, b: str) -> bool:
    """Most words of the shorter title, fillers aside, appear in the other one."""
    words_a, words_b = _words(a), _words(b)
    if not words_a or not words_b:
        return normalise_title(a) == normalise_title(b)
    shared = len(words_a & words_b)
    return shared / min(len(words_a), len(words_b)) >= _SIMILAR_TITLES


class _Spans:
    """A file's line-level analyzer groups by where their anchors start, to find those
    overlapping some lines by bisection (a group reaches back at most the longest span)."""

    def __init__(self, groups: Sequence[list[Finding]]):
        self.groups = list(groups)
        self.order = sorted(range(len(groups)), key=lambda i: groups[i][0].start_line)
        self.starts = [groups[i][0].start_line for i in self.order]
        self.longest = max(g[0].end_line - g[0].start_line for g in groups)

    def over(self, finding: Finding) -> list[list[Finding]]:
        """The groups whose anchors overlap `finding`'s lines, in their given order."""
        first = bisect_left(self.starts, finding.start_line - self.longest)
        last = bisect_right(self.starts, finding.end_line)
        return [self.groups[i] for i in sorted(self.order[first:last])
                if overlaps(finding, self.groups[i][0])]


def _analyzer_home(candidate: list[Finding], groups: Sequence[list[Finding]]
                   ) -> list[Finding] | None:
    """The analyzer group (of `groups`: the line-level ones in the candidate's file) whose
    anchor lies on the candidate's lines (the widest overlap)."""
    llm = candidate[0]
    homes = [g for g in groups if overlaps(llm, g[0])]
    if not homes:
        return None
    return max(homes, key=lambda g: (_shared_lines(llm, g[0]), -g[0].severity.rank))


def _llm_home(candidate: list[Finding], groups: Sequence[list[Finding]]
              ) -> list[Finding] | None:
    """Another agent's LLM group (of `groups`: those on the same code) whose title says the
    same thing."""
    llm = candidate[0]
    return next((g for g in groups if g[0].agent != llm.agent
                 and similar_titles(g[0].title, llm.title)), None)


def _shared_lines(a: Finding, b: Finding) -> int:
    return min(a.end_line, b.end_line) - max(a.start_line, b.start_line) + 1


def _words(title: str) -> frozenset[str]:
    return frozenset(w for w in normalise_title(title).split() if w not in _FILLER)


def _places(reports: Sequence[Finding], keys: Sequence[tuple[object, ...]]) -> list[int]:
    """Each report's place in a total order, so the grouping does not depend on the order
    reviewers finished in: its key (`_merge_order`), then, only among reports the keys
    cannot tell apart (rare), the whole report as JSON."""
    ordered: list[int] = []
    for _, same in groupby(sorted(range(len(reports)), key=keys.__getitem__),
                           key=keys.__getitem__):
        tied = list(same)
        ordered += sorted(tied, key=lambda i: reports[i].model_dump_json()) \
            if len(tied) > 1 else tied
    place = [0] * len(reports)
    for at, i in enumerate(ordered):
        place[i] = at
    return place


def _merge_order(finding: Finding) -> tuple[object, ...]:
    # Analyzer reports anchor their group; then the most severe, confident, and by place.
    return (finding.source == "llm", finding.severity.rank, -finding.confidence,
            *finding.sort_key()[1:])
