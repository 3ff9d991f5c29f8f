"""Suppressions: an inline `reviewloop: ignore[rule]` comment, or a baseline file.

* Inline: a comment containing `reviewloop: ignore[RULE, …]` on the flagged line or the line
  just above it, in any comment syntax (`#`, `//`, `--`, `<!-- -->`). RULE is an analyzer rule
  (`B602`), a SARIF-style rule id (`bandit/B602`), a reviewer's name for its LLM findings
  (`review-security`), or `*` for anything. Text after the closing bracket is the reason.
* `.reviewloop-baseline.json` at the repository root:
  `{"version": 1, "findings": [{"fingerprint": "…", "rule": "B602", "file": "app.py",
  "by": "alice", "reason": "…"}]}` — an entry matches by fingerprint, or by rule and file
  when it has no fingerprint.
* `.gitleaksignore`: one `[commit:]file:rule:line` per line; it suppresses a secrets
  finding with that file, rule and line.

`Suppressor.load` reads the files once (at the edge); `suppression` is pure.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from reviewloop.errors import UserInputError
from reviewloop.findings.ledger import Suppression
from reviewloop.findings.schema import Finding

BASELINE = ".reviewloop-baseline.json"
GITLEAKS = ".gitleaksignore"
_INLINE = re.compile(r"reviewloop:\s*ignore\[([^\]]*)\](.*)")


@dataclass(frozen=True)
class BaselineEntry:
    source: str
    fingerprint: str | None = None
    rule: str | None = None
    file: str | None = None
    line: int | None = None
    by: str | None = None
    reason: str | None = None


@dataclass
class Suppressor:
    """What may suppress findings in one tree: its baseline entries and its files' lines."""

    root: Path | None = None
    baseline: list[BaselineEntry] = field(default_factory=list)
    _lines: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path) -> Suppressor:
        return cls(root=root, baseline=[*_baseline(root), *_gitleaks(root)])

    def __call__(self, finding: Finding) -> Suppression | None:
        return self.suppression(finding)

    def suppression(self, finding: Finding) -> Suppression | None:
        inline = self._inline(finding)
        if inline is not None:
            return inline
        for entry in self.baseline:
            if _matches(entry, finding):
                return Suppression(kind="baseline", where=entry.source, by=entry.by,
                                   reason=entry.reason)
        return None

    def _inline(self, finding: Finding) -> Suppression | None:
        lines = self._file(finding.file)
        for number in (finding.start_line, finding.start_line - 1):
            if not 1 <= number <= len(lines):
                continue
            found = _INLINE.search(lines[number - 1])
            if found and covers(found.group(1), finding):
                reason = found.group(2).strip(" -:#>*/") or None
                return Suppression(kind="inline", where=f"{finding.file}:{number}",
                                   reason=reason)
        return None

    def _file(self, path: str) -> list[str]:
        if path not in self._lines:
            self._lines[path] = _read_lines(self.root, path)
        return self._lines[path]


def covers(rules: str, finding: Finding) -> bool:
    """Whether the comma-separated `rules` of an ignore comment name this finding."""
    names = {r.strip() for r in rules.split(",") if r.strip()}
    known = {finding.agent, f"{finding.source}/{finding.rule}" if finding.rule else ""}
    if finding.rule:
        known.add(finding.rule)
    return "*" in names or bool(names & known)


def _matches(entry: BaselineEntry, finding: Finding) -> bool:
    if entry.fingerprint:
        return entry.fingerprint in finding.fingerprints
    if entry.file != finding.file or not entry.rule or entry.rule != finding.rule:
        return False
    return entry.line is None or entry.line == finding.start_line


def _read_lines(root: Path | None, path: str) -> list[str]:
    if root is None:
        return []
    full = root / path
    try:
        if full.is_symlink() or not full.resolve().is_relative_to(root.resolve()):
            return []
        return full.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _baseline(root: Path) -> list[BaselineEntry]:
    path = root / BASELINE
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        items = data["findings"]
        return [BaselineEntry(source=BASELINE, fingerprint=i.get("fingerprint"),
                              rule=i.get("rule"), file=i.get("file"), line=i.get("line"),
                              by=i.get("by"), reason=i.get("reason")) for i in items]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UserInputError(
            f"{BASELINE} is not a baseline file ({type(exc).__name__}: {exc})", where=str(path),
            fix='write {"version": 1, "findings": [{"fingerprint": "…", "reason": "…"}]}'
        ) from None


def _gitleaks(root: Path) -> list[BaselineEntry]:
    path = root / GITLEAKS
    if not path.is_file():
        return []
    entries = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split(":")
        if len(parts) >= 4:
            parts = parts[-3:]  # commit:file:rule:line
        if len(parts) != 3:
            continue
        file, rule, line = parts
        entries.append(BaselineEntry(source=GITLEAKS, file=file, rule=rule,
                                     line=int(line) if line.isdigit() else None))
    return entries
