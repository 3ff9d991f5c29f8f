"""A run's commit message: the subject (plain `T2: title`, or a conventional-commit subject),
the review stats in the body and the trailers that find the commit again after a crash.

Conventional subjects (`[commit] conventional`): "on" always, "off" never, "auto" (the
default) when at least half of the branch's last 20 non-merge subjects are conventional, so a
repository that writes `feat:`/`fix:` keeps doing so and one that does not is left alone.
The type is `[commit] type` when set, else derived from the task title by the first of these
that names a word in it: fix (fix, bug, bugfix, hotfix, repair, crash, regression, broken),
docs (doc, docs, documentation, readme), test (test, tests, testing), refactor (refactor,
restructure, rename, cleanup), perf (perf, performance, optimise, optimize), ci (ci),
build (dependency, dependencies, bump, upgrade); anything else is feat. Words that are often
features too ("build", "document", "workflow", "pipeline") decide nothing. `[commit] scope`
adds a scope: `feat(api): …`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from reviewloop.config import Commits
from reviewloop.findings.ledger import Ledger, Status

TRAILER = "Reviewloop-Run"
TASK_TRAILER = "Reviewloop-Task"
SPEC_TRAILER = "Reviewloop-Spec"  # the spec file (repository-relative) the task is in
SUBJECT_CHARS = 72
RECENT_SUBJECTS = 20  # how far back "auto" looks

_CONVENTIONAL = re.compile(r"^[a-z]+(\([^)\s]+\))?!?: \S")
_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("fix", ("fix", "fixes", "bug", "bugs", "bugfix", "hotfix", "repair", "crash",
             "regression", "broken")),
    ("docs", ("doc", "docs", "documentation", "readme")),
    ("test", ("test", "tests", "testing")),
    ("refactor", ("refactor", "refactoring", "restructure", "rename", "cleanup")),
    ("perf", ("perf", "performance", "optimise", "optimize")),
    ("ci", ("ci",)),
    ("build", ("dependency", "dependencies", "bump", "upgrade")),
)


@dataclass(frozen=True)
class CommitFacts:
    """What the commit message tells: the run, its task, and what review and tests said."""

    run_id: str
    task_id: str
    ledger: Ledger
    rounds: int
    passed_tests: int | None
    style: Commits = field(default_factory=Commits)
    spec: str = ""  # the spec file, repository-relative: which spec's task this commit is


def commit_message(facts: CommitFacts, title: str, recent: Sequence[str] = ()) -> str:
    """The message; `recent` are the branch's latest subjects (for "auto")."""
    ledger = facts.ledger
    fixed = len(ledger.with_status(Status.FIXED))
    remaining = [e for e in ledger.unresolved if e.severity.actionable]
    nits = len([e for e in ledger.unresolved if not e.severity.actionable])
    stats = (f"{facts.rounds} review round(s), {fixed} finding(s) fixed, "
             f"{len(remaining)} open, {nits} nit(s)")
    if facts.passed_tests is not None:
        stats += f", {facts.passed_tests} tests passing"
    return (subject(facts, title, recent) + "\n\n"
            f"Implemented and reviewed with reviewloop: {stats}.\n\n"
            f"{TRAILER}: {facts.run_id}\n{TASK_TRAILER}: {facts.task_id}\n"
            + (f"{SPEC_TRAILER}: {facts.spec}\n" if facts.spec else ""))


def subject(facts: CommitFacts, title: str, recent: Sequence[str] = ()) -> str:
    """`T2: title`, or `feat: title (T2)` when conventional subjects are on."""
    if not conventional(facts.style, recent):
        return f"{facts.task_id}: {title}".strip()[:SUBJECT_CHARS]
    kind = facts.style.type or commit_type(title)
    scope = f"({facts.style.scope})" if facts.style.scope else ""
    head = f"{kind}{scope}: "
    tail = f" ({facts.task_id})"
    room = SUBJECT_CHARS - len(head) - len(tail)
    return f"{head}{(title.strip() or 'task')[:room].rstrip()}{tail}"


def conventional(style: Commits, recent: Sequence[str]) -> bool:
    """Whether to write a conventional subject."""
    if style.conventional != "auto":
        return style.conventional == "on"
    subjects = [s for s in recent if not s.startswith("Merge ")][:RECENT_SUBJECTS]
    return bool(subjects) and 2 * sum(bool(_CONVENTIONAL.match(s)) for s in subjects) \
        >= len(subjects)


def commit_type(title: str) -> str:
    """The conventional-commit type a task title suggests (feat when nothing else does)."""
    words = set(re.findall(r"[a-z]+", title.lower()))
    return next((kind for kind, names in _TYPES if words.intersection(names)), "feat")
