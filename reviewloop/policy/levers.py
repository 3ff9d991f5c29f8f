"""The levers a run's change touches: what needs a human's approval (never --yes), what is
refused outright, and the 🟡 finding that reports each one.

Which paths are levers is `lever_files.lever`'s decision, with the config files of the
analyzers' tools, which the caller passes in (`checks.suppressions.config_files.tool_levers`:
the checks sit above this layer); this module asks it for every path a change touches and
reads what the change did to each (`weakening`). `pyproject.toml` counts when one of its
`[tool.*]` tables changed (the tools' settings and suppressions), not for a dependency or a
version bump, which are routine feature work; any `package.json` or `pyproject.toml` counts
when it alters a part that runs code at install, build or lint time (`lever_tables`: npm's
install scripts, `backend-path`, pylint's `init-hook`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reviewloop.errors import BlockingOutcome
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.changes import Version
from reviewloop.policy.lever_files import Lever, LeverKind, lever
from reviewloop.policy.lever_tables import altered, relinked, tables_of

if TYPE_CHECKING:  # what a change did to a lever is read only when it touches one
    from reviewloop.policy.weakening import Weakening

# path -> (the file before the change, after it)
Contents = Mapping[str, tuple[Version, Version]]

RULES = {LeverKind.CONFIG: "config-change", LeverKind.SUPPRESSION: "suppression-change",
         LeverKind.CLASSIFICATION: "classification-change", LeverKind.HOOK: "hook-change",
         LeverKind.EXECUTED: "executed-config-change"}
TITLES = {LeverKind.CONFIG: "changes review configuration",
          LeverKind.SUPPRESSION: "changes what the review suppresses",
          LeverKind.CLASSIFICATION: "changes which files the review sees",
          LeverKind.HOOK: "changes code that runs at commit",
          LeverKind.EXECUTED: "changes what a developer's tools or CI run or obey"}
# [tool.*] tables of pyproject.toml that package the project rather than check it
_PACKAGING = frozenset({"poetry", "pdm", "hatch", "setuptools", "setuptools_scm", "flit",
                        "uv", "maturin", "scikit-build", "pixi"})


class ApprovalRefused(BlockingOutcome):
    """A run whose change weakens the sandbox or the command policy: never approved."""


@dataclass(frozen=True)
class LeverChange:
    """One lever file a change touches, and what it loosens there."""

    path: str
    lever: Lever
    weakens: tuple[Weakening, ...] = ()
    parts: tuple[str, ...] = ()  # a lever table's keys it alters: `scripts.postinstall added`

    def describe(self) -> str:
        """`.reviewloop.toml (configuration): reconfigures the review`, plus what it lowers
        or alters."""
        text = f"{self.path} ({self.lever.kind}): {self.lever.kind.verb}"
        lowered = [*(f"{w.key} {w.change}" for w in self.weakens if not w.refused),
                   *self.parts]
        return text + (f": {'; '.join(lowered)}" if lowered else "")


@dataclass(frozen=True)
class LeverReport:
    """Every lever a change touches."""

    changes: tuple[LeverChange, ...] = field(default_factory=tuple)

    @property
    def refused(self) -> list[Weakening]:
        """What no approval may land: the host's protection loosened."""
        return [w for c in self.changes for w in c.weakens if w.refused]

    def approval_reasons(self) -> list[str]:
        return [f"needs approval: {c.describe()}" for c in self.changes]

    def refusal_reasons(self) -> list[str]:
        return [f"refused: {w.describe()}; a run may not weaken the sandbox or the command "
                "policy: make that change yourself" for w in self.refused]


def lever_report(paths: Iterable[str], read: Callable[[list[str]], Contents],
                 extra: Sequence[Lever] = (), *, tools: Sequence[Lever]) -> LeverReport:
    """The levers among `paths` whose content the change altered; `read` gives the before
    and after texts of the paths asked for (only lever paths are read). `tools` are the
    analyzers' tools' config files (required: without them a tool's skip list would pass)."""
    levers = (*extra, *tools)
    touched = sorted(set(paths))
    found = {p: hit for p in touched if (hit := lever(p, levers)) is not None}
    shared = {p: tables for p in touched if (tables := tables_of(p))}
    if not found and not shared:
        return LeverReport()
    from reviewloop.policy.weakening import PYPROJECT, weakenings  # its rules: ~1 ms to load

    texts = read(sorted({*found, *shared}))
    changes = []
    for path in sorted({*found, *shared}):
        before, after = texts.get(path, (Version(), Version()))
        hit = found.get(path)
        if hit is not None and (path != PYPROJECT or after.link
                                or _tool_tables_differ(before.text, after.text)):
            changes.append(LeverChange(path, hit, tuple(
                weakenings(path, before.text, after.text, link=after.link))))
        for table in shared.get(path, ()):
            # a whole-file lever of the same kind says it already; a link is read through
            # by the tool, never here: made one, or retargeted, it may now say anything
            link = relinked(before.target if before.link else None,
                            after.target if after.link else None)
            parts = [link] if link else altered(table, path, before.text, after.text)
            if parts and (hit is None or hit.kind is not table.kind):
                changes.append(LeverChange(path, table.lever, parts=tuple(parts)))
    return LeverReport(tuple(changes))


def refuse(report: LeverReport, run_id: str, where: str) -> None:
    """Raise `ApprovalRefused` when the change weakens the host's protection."""
    refused = report.refused
    if not refused:
        return
    lines = "\n".join(f"  {w.describe()}" for w in refused)
    raise ApprovalRefused(
        f"run {run_id} cannot be approved: its change weakens the sandbox or the command "
        f"policy, which a run may never do:\n{lines}\n  fix: if you want that setting, make "
        f"the change yourself in your checkout and commit it; then `reviewloop reject "
        f"{run_id}`, or remove it from the run's worktree ({where}) and approve again")


def repository_levers(root: Path, agents_dirs: Iterable[Path],
                      executed: Iterable[str] = ()) -> tuple[Lever, ...]:
    """Levers only this repository has: the reviewer folders its settings name, and the
    files its tools run by themselves that it names (`review.executed_files`, globs)."""
    found = [Lever(glob, LeverKind.EXECUTED, "the project (review.executed_files)")
             for glob in executed]
    for folder in agents_dirs:
        try:
            rel = folder.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue  # outside the repository: no change of the run's can touch it
        if rel != ".":
            found.append(Lever(f"/{rel}/**", LeverKind.CONFIG, "reviewloop (agents_dirs)"))
    return tuple(found)


def lever_finding(path: str, line: int, kind: LeverKind, rationale: str, suggestion: str,
                  *, level: str = "line") -> Finding:
    """The 🟡 finding that reports a change to a lever (a run's, or a pull request's)."""
    return Finding(
        severity=Severity.SHOULD_FIX, file=path, start_line=line, end_line=line,
        title=TITLES[kind], confidence=1.0, agent="review-security", source="reviewloop",
        rule=RULES[kind], rationale=rationale, suggestion=suggestion,
        level="file" if level == "file" else "line")


def run_findings(report: LeverReport) -> list[Finding]:
    """One finding per lever a run's change touches (file-level: a deleted lever counts)."""
    return [lever_finding(
        c.path, 1, c.lever.kind, level="file",
        rationale=(f"{c.describe()}. The run's change (the implementer's or the fixer's) "
                   f"touches this file, which {c.lever.owner} reads to decide what a review "
                   "checks or what runs; such a change needs your explicit approval and "
                   "--yes does not give it."),
        suggestion=("Read this change before approving. If the task did not ask for it, "
                    "reject the run or remove the change from the run's worktree, and make "
                    "such changes yourself."))
        for c in report.changes]


def _tool_tables_differ(before: str | None, after: str | None) -> bool:
    """Whether the `[tool.*]` tables that configure checks differ (unreadable: they do)."""
    return _tools(before) != _tools(after)


def _tools(text: str | None) -> object:
    if text is None:
        return {}
    try:
        tools = tomllib.loads(text).get("tool", {})
    except tomllib.TOMLDecodeError:
        return "unreadable"  # compared as a change: a broken file is worth a look
    if not isinstance(tools, dict):
        return tools
    return {name: table for name, table in tools.items() if name not in _PACKAGING}
