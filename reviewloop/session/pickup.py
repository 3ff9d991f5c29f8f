"""Picking a session up: the last handoff against git and the runs as they are now."""

from __future__ import annotations

from pathlib import Path

from reviewloop.session import history
from reviewloop.session.facts import Facts
from reviewloop.session.handoff import blockers, next_steps


def discrepancies(root: Path, saved: Facts, now: Facts) -> list[str]:
    """Where the handoff and reality disagree, branch and commits first."""
    found = []
    if saved.branch != now.branch:
        found.append(f"branch differs: the handoff was on {saved.branch or '(detached)'}, "
                     f"you are on {now.branch or '(detached)'}")
    if saved.head != now.head:
        found.append(_moved(root, saved.head, now.head))
    if bool(saved.dirty) != bool(now.dirty):
        found.append(f"working tree was {'dirty' if saved.dirty else 'clean'}, now "
                     f"{'dirty' if now.dirty else 'clean'}")
    before = {r.run_id: r.status for r in saved.runs}
    for run in now.runs:
        if run.run_id not in before:
            found.append(f"new run since: {run.run_id} ({run.task_id}) {run.status}")
        elif before[run.run_id] != run.status:
            found.append(f"run {run.run_id} ({run.task_id}) was {before[run.run_id]}, "
                         f"now {run.status}")
    return found


def _moved(root: Path, old: str | None, new: str | None) -> str:
    if old and new and history.is_ancestor(root, old, new):
        count = len(history.commits_between(root, old, new, limit=1000))
        return f"{count} new commit(s) since the handoff (HEAD was {old[:8]}, now {new[:8]})"
    return f"HEAD moved from {(old or 'none')[:8]} to {(new or 'none')[:8]} (not a descendant)"


def summary(root: Path, saved: Facts, now: Facts) -> dict:
    """What `pickup` prints: discrepancies, where we left off, what next, blockers."""
    progress = [f"{s.path}: {s.done}/{s.total} tasks done" for s in now.specs]
    return {
        "handoff": saved.created,
        "discrepancies": discrepancies(root, saved, now),
        "left_off": [f"branch {saved.branch}, last commit {(saved.head or '')[:8]} "
                     f"{saved.head_subject}".rstrip(), *progress],
        "next": next_steps(now)[:5],
        "blockers": blockers(now),
    }
