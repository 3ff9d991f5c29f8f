"""Whether a change needs a human's explicit approval (never --yes), and which rule says so.

One place decides, from the merged `Policy`: reviewloop's and `.kiro/config.yaml`'s limits and
protected paths, and `.kiro/governance.yaml`'s file patterns, change types and thresholds.
Each reason names the rule that asked and the file it is written in, so a user knows what to
change. The summary asks this module; nothing else decides it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reviewloop.git.diff import ChangeSet
from reviewloop.policy import change_types, globs
from reviewloop.policy.governance import Policy, protected_by

_LISTED_PATHS = 5


@dataclass(frozen=True)
class Complexity:
    """The change's complexity increase as measured, or why it could not be measured."""

    increase: int | None = None
    error: str | None = None
    before: int | None = None  # the changed files' complexity before (for "20%" limits)


def approval_reasons(policy: Policy, *, files: Sequence[str], added: int, removed: int,
                     changes: ChangeSet | None = None,
                     complexity: Complexity | None = None,
                     base_lines: int | None = None) -> list[str]:
    """Why the change needs an explicit human approval; empty when it does not. `changes`
    (the parsed diff) lets change types be recognised by content; `complexity` is asked for
    only when a complexity threshold is set (`needs_complexity`), `base_lines` (the changed
    files' line count before the change) when a line threshold is a percentage
    (`needs_base_lines`)."""
    reasons = _limits(policy, files, added, removed)
    hits = [(path, pattern) for path in files
            if (pattern := protected_by(policy, path)) is not None]
    if hits:
        what = "a protected path" if len(hits) == 1 else f"{len(hits)} protected paths"
        reasons.append(f"touches {what}: {_listed(hits)}")
    reasons += _governance_file(policy, files, (added, removed), changes, complexity)
    reasons += _relative_lines(policy, (added, removed), base_lines)
    return reasons


def needs_complexity(policy: Policy) -> bool:
    """Whether deciding needs the change's complexity increase measured."""
    human = policy.human
    return human.complexity_increase is not None or "complexity_increase" in human.relative


def needs_base_lines(policy: Policy) -> bool:
    """Whether deciding needs the changed files' line count before the change."""
    return bool({"lines_added", "lines_changed"} & set(policy.human.relative))


def _limits(policy: Policy, files: Sequence[str], added: int, removed: int) -> list[str]:
    reasons = []
    if policy.max_files is not None and len(files) > policy.max_files:
        reasons.append(f"{len(files)} files changed (limit {policy.max_files}, "
                       f"{policy.rules.get('max_files', 'governance.max_files')})")
    lines = added + removed
    if policy.max_lines is not None and lines > policy.max_lines:
        reasons.append(f"{lines} lines changed (limit {policy.max_lines}, "
                       f"{policy.rules.get('max_lines', 'governance.max_lines')})")
    return reasons


def _governance_file(policy: Policy, files: Sequence[str], lines: tuple[int, int],
                     changes: ChangeSet | None, complexity: Complexity | None) -> list[str]:
    human = policy.human
    reasons = []
    for name, count, what in (("files_changed", len(files), "files changed"),
                              ("lines_added", lines[0], "lines added"),
                              ("lines_changed", sum(lines), "lines changed")):
        limit = getattr(human, name)
        if limit is not None and count > limit:
            reasons.append(f"{count} {what} (limit {limit}, {human.rule(name)})")
    if human.file_patterns:
        hits = [(path, pattern) for path in files if (pattern := next(
            (p for p in human.file_patterns if globs.matches(p, path, ignore_case=True)),
            None)) is not None]
        if hits:
            reasons.append(f"touches {_listed(hits)} ({human.rule('file_patterns')})")
    if human.change_types and changes is not None:
        for kind, evidence in change_types.detect(human.change_types, changes):
            reasons.append(f"{change_types.label(kind)} change: {evidence} "
                           f"({human.rule('change_types')})")
    if needs_complexity(policy):
        reasons += _complexity(policy, complexity)
    return reasons


def _complexity(policy: Policy, measured: Complexity | None) -> list[str]:
    limit, rule = policy.human.complexity_increase, policy.human.rule("complexity_increase")
    share = policy.human.relative.get("complexity_increase")
    if measured is None or measured.increase is None or (
            share is not None and measured.before is None):
        # unmeasured is not "under the limit": a human looks
        why = measured.error if measured and measured.error else "not measured"
        return [f"complexity increase could not be measured ({why}; {rule})"]
    if limit is not None and measured.increase > limit:
        return [f"complexity up by {measured.increase} decision points (limit {limit}, "
                f"{rule})"]
    if share is not None and measured.before is not None and \
            measured.increase > share * measured.before:
        return [f"complexity up by {measured.increase} decision points, "
                f"{_grown(measured.increase, measured.before, 'decision points')} "
                f"(limit {_percent(share)}, {rule})"]
    return []


def _relative_lines(policy: Policy, lines: tuple[int, int], base: int | None) -> list[str]:
    """Line thresholds written as a percentage: against what the changed files held."""
    human, reasons = policy.human, []
    for name, count, what in (("lines_added", lines[0], "lines added"),
                              ("lines_changed", sum(lines), "lines changed")):
        share = human.relative.get(name)
        if share is None:
            continue
        if base is None:
            reasons.append(f"{what} could not be compared with the files' size before the "
                           f"change ({human.rule(name)})")
        elif count > share * base:
            reasons.append(f"{count} {what}, {_grown(count, base, 'lines')} "
                           f"(limit {_percent(share)}, {human.rule(name)})")
    return reasons


def _grown(count: int, base: int, unit: str) -> str:
    if not base:
        return f"where its files had no {unit} before"
    return f"{count / base:.0%} of the {base} {unit} its files had"


def _percent(share: float) -> str:
    return f"{share * 100:g}%"


def _listed(hits: Sequence[tuple[str, str]]) -> str:
    shown = ", ".join(f"{path} (matches {pattern})" for path, pattern in hits[:_LISTED_PATHS])
    more = f" and {len(hits) - _LISTED_PATHS} more" if len(hits) > _LISTED_PATHS else ""
    return shown + more
