"""What a marker says about one finding: the compact record reviewloop writes into its PR
comments, enough to rebuild the PR's findings (identity, severity, place, reporter) from
the comments alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reviewloop.findings.schema import Finding, Severity

POSTED = "Posted on the pull request; the comment there has the details."


@dataclass(frozen=True)
class FindingRecord:
    """A finding as posted: its identity (`fingerprint`, from `reviewloop.findings.schema`) and
    what the summary and the outputs count it by."""

    fingerprint: str
    severity: Severity
    file: str
    start_line: int
    end_line: int
    title: str
    agent: str
    source: str
    rule: str | None
    level: str = "line"
    location_hash: str = ""  # `Finding.location_hash`: where its code is, without lines
    symbol: str | None = None
    confidence: float = 0.5
    # what the comment's head says beside the title: the other agents that reported it
    # (`Finding.also_reported_by`) and its rule's other messages at its place (`more_here`,
    # its headline's "and 2 more on this line"): lost, a finding rebuilt from its comment
    # was another finding's words on the PR's summary
    also: tuple[str, ...] = ()
    more_here: tuple[str, ...] = ()

    @classmethod
    def of(cls, finding: Finding) -> FindingRecord:
        return cls(finding.fingerprint, finding.severity, finding.file, finding.start_line,
                   finding.end_line, finding.title, finding.agent, finding.source,
                   finding.rule, finding.level, finding.location_hash, finding.symbol,
                   finding.confidence, tuple(finding.also_reported_by),
                   tuple(finding.more_here))

    def finding(self, rationale: str = POSTED) -> Finding:
        """The finding as the ledger holds it, identity unchanged (its text is on the PR)."""
        return Finding(severity=self.severity, file=self.file, start_line=self.start_line,
                       end_line=self.end_line, title=self.title, rationale=rationale,
                       confidence=self.confidence, agent=self.agent, source=self.source,
                       rule=self.rule, level=self.level, symbol=self.symbol,  # type: ignore[arg-type]
                       location_hash=self.location_hash, fingerprint=self.fingerprint,
                       also_reported_by=list(self.also), more_here=list(self.more_here))

    def data(self) -> dict[str, Any]:
        """Plain JSON for a marker (short keys: markers count against the body limit)."""
        out: dict[str, Any] = {"fp": self.fingerprint, "sev": self.severity.value,
                               "file": self.file, "l": [self.start_line, self.end_line],
                               "t": self.title, "a": self.agent, "src": self.source}
        if self.rule:
            out["rule"] = self.rule
        if self.level != "line":
            out["lvl"] = self.level
        if self.symbol:
            out["sym"] = self.symbol
        out["lh"], out["c"] = self.location_hash, round(self.confidence, 2)
        if self.also:
            out["also"] = list(self.also)
        if self.more_here:
            out["m"] = list(self.more_here)
        return out

    @classmethod
    def parse(cls, data: Any) -> FindingRecord | None:
        """The record in a verified marker; None when its shape is not one we write."""
        try:
            start, end = (int(n) for n in data["l"])
            return cls(str(data["fp"]), Severity(data["sev"]), str(data["file"]), start, end,
                       str(data["t"]), str(data["a"]), str(data["src"]), data.get("rule"),
                       str(data.get("lvl", "line")), str(data.get("lh", "")),
                       data.get("sym"), float(data.get("c", 0.5)),
                       _texts(data.get("also", ())), _texts(data.get("m", ())))
        except (KeyError, TypeError, ValueError):
            return None

    @property
    def location(self) -> str:
        if self.level == "file":
            return self.file
        if self.start_line == self.end_line:
            return f"{self.file}:{self.start_line}"
        return f"{self.file}:{self.start_line}-{self.end_line}"


def _texts(value: Any) -> tuple[str, ...]:
    """A marker's list of texts (absent in an earlier release's: none); anything else is
    not a shape we write."""
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError("not a list of texts")
    return tuple(value)
