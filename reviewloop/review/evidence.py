"""The evidence behind a reviewer: its analyzers, run on the changed files in its scope.

`run_for_agent` runs the analyzers an agent lists (`reviewloop.checks.analyzers.ANALYZERS`)
on the changed files in the agent's scope, and keeps only findings on added lines,
attributed to the agent and fingerprinted on the flagged code. A tool that is not installed
is reported in `AnalyzerReport.missing`, never skipped silently; a tool that fails is in
`errors`. `skipped_reason` is the one rule for which changed files' content may be read at
all (no symlinks, nothing outside the checkout, size and binary limits); the run summary
lists what it left out.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from reviewloop.checks.analyzers import ANALYZERS, Analyzer, AnalyzerContext, AnalyzerError
from reviewloop.diff import ChangeSet, FileStatus, parse_diff
from reviewloop.findings import Finding
from reviewloop.policy.sensitive import is_sensitive
from reviewloop.review.definitions import AgentDefinition

log = logging.getLogger(__name__)
MAX_ANALYZED_BYTES = 1_000_000
_BINARY_PROBE = 8192


def skipped_reason(root: Path, path: str, sensitive: Sequence[str] = ()) -> str | None:
    """Why the content of the changed file `path` is not read by analyzers and reviewers,
    or None when it may be (a deleted file has no content and no reason)."""
    full = root / path
    if os.path.islink(full):
        return "a symlink: reviewed as a link, its target is never read"
    if sensitive and is_sensitive(PurePosixPath(path), sensitive):
        return "may hold secrets: never read, sent to a model or committed"
    if not full.exists():
        return None
    if not full.resolve().is_relative_to(root.resolve()):
        return "leads outside the repository"
    if not full.is_file():
        return "not a regular file"
    size = full.stat().st_size
    if size > MAX_ANALYZED_BYTES:
        return f"too large to analyze ({size:,} bytes; the limit is {MAX_ANALYZED_BYTES:,})"
    with full.open("rb") as fh:
        if b"\0" in fh.read(_BINARY_PROBE):
            return "a binary file"
    return None


def skipped_files(root: Path, paths: Iterable[str], sensitive: Sequence[str] = ()) -> list[str]:
    """`path: reason` for every changed file whose content was not read."""
    return [f"{p}: {reason}" for p in sorted(set(paths))
            if (reason := skipped_reason(root, p, sensitive)) is not None]


@dataclass(frozen=True)
class AnalyzerReport:
    """What an agent's analyzers found, which tools were missing, and which failed."""

    findings: list[Finding] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # "<name>: <reason with the install fix>"
    errors: list[str] = field(default_factory=list)  # "<name>: <what went wrong>"

    @property
    def complete(self) -> bool:
        """True when every listed analyzer ran."""
        return not self.missing and not self.errors


def run_for_agent(agent: AgentDefinition, root: Path, diff_text: str, *,
                  test_command: str | None = None, timeout: float = 600,
                  registry: Mapping[str, Analyzer] | None = None) -> AnalyzerReport:
    """Run `agent`'s analyzers on the changed files in its scope."""
    table = ANALYZERS if registry is None else registry
    if not agent.analyzers:
        return AnalyzerReport()
    changes = parse_diff(diff_text, source=f"{agent.name} diff")
    ctx = AnalyzerContext(root=root, changes=changes, diff_text=diff_text, agent=agent.name,
                          files=_scoped_files(agent, root, changes),
                          test_command=test_command, timeout=timeout)
    report = AnalyzerReport()
    for name in agent.analyzers:
        analyzer = table.get(name)
        if analyzer is None:
            report.errors.append(f"{name}: unknown analyzer in {agent.name}; known: "
                                 f"{', '.join(table)}")
            continue
        reason = analyzer.available()
        if reason is not None:
            report.missing.append(f"{name}: {reason}")
            continue
        try:
            found = analyzer.run(ctx)
        except AnalyzerError as exc:
            report.errors.append(f"{name}: {exc}")
            continue
        # The per-analyzer boundary: a broken adapter is a recorded error, not a lost review.
        except Exception as exc:  # noqa: BLE001
            report.errors.append(f"{name}: crashed: {type(exc).__name__}: {exc}")
            continue
        report.findings.extend(_kept(found, ctx))
    report.findings.sort(key=Finding.sort_key)
    return report


def analyze(agent: AgentDefinition, diff_text: str, root: Path) -> list[Finding]:
    """The loop's view: the findings only. Missing tools and failures are logged as warnings;
    call `run_for_agent` to show them in a report."""
    report = run_for_agent(agent, root, diff_text)
    from reviewloop.checks.secrets.scanner import redact

    for problem in (*report.missing, *report.errors):  # a tool's output may quote a secret
        log.warning("%s analyzer %s", agent.name, redact(problem))
    return report.findings


def _scoped_files(agent: AgentDefinition, root: Path, changes: ChangeSet) -> tuple[str, ...]:
    """Changed files the agent reviews that exist in the new tree as readable text."""
    return tuple(f.path for f in changes.files
                 if f.status is not FileStatus.DELETED and not f.binary
                 and agent.applies_to(f.path) and (root / f.path).is_file()
                 and skipped_reason(root, f.path) is None)


def _kept(found: Sequence[Finding], ctx: AnalyzerContext) -> list[Finding]:
    """Findings on added lines of in-scope files, attributed and fingerprinted on their code."""
    kept = []
    in_scope = set(ctx.files)
    sources: dict[str, list[str] | None] = {}
    for finding in found:
        if finding.file not in in_scope or not ctx.changes.contains(
                finding.file, finding.start_line, finding.end_line, added_only=True):
            continue
        if finding.file not in sources:
            sources[finding.file] = _lines(ctx.root / finding.file)
        attributed = finding.model_copy(update={"agent": ctx.agent})
        kept.append(attributed.with_code(sources[finding.file]))
    return kept


def _lines(path: Path) -> list[str] | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
    except OSError:
        return None

