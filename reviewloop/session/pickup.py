"""Picking a session up: the last handoff against git and the runs as they are now."""

from __future__ import annotations

from pathlib import Path

from reviewloop.session import history, names
from reviewloop.session.facts import Facts, RunFact
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
    found += _reopened(saved, now)
    before = {r.run_id: r.status for r in saved.runs}
    for run in now.runs:
        if run.run_id not in before:
            line = f"new run since: {run.run_id} ({run.task_id}) {run.status}"
        elif before[run.run_id] != run.status:
            line = f"run {run.run_id} ({run.task_id}) was {before[run.run_id]}, now {run.status}"
        else:
            continue
        found.append(line + _elsewhere(root, run, now))
    return found


def _reopened(saved: Facts, now: Facts) -> list[str]:
    """Tasks ticked at the handoff and not now (history rewound, a branch switched)."""
    ticked = {s.path: s.done_ids for s in now.specs}
    found = []
    for spec in saved.specs:
        if spec.path not in ticked:
            found.append(f"spec {spec.path} was read at the handoff and is not found now")
            continue
        undone = [t for t in spec.done_ids if t not in ticked[spec.path]]
        if undone:
            found.append(f"{spec.path}: {', '.join(undone)} done at the handoff, not done now")
    return found


def _elsewhere(root: Path, run: RunFact, now: Facts) -> str:
    """For a run committed since: its commit when HEAD's history does not hold it."""
    if not _off_branch(root, run, now):
        return ""
    return (f"; its commit {(run.commit or '')[:8]} is not in the history of "
            f"{now.branch or 'HEAD'} (its branch deleted or switched away from)")


def _off_branch(root: Path, run: RunFact, now: Facts) -> bool:
    return run.status == "committed" and bool(run.commit) and not (
        now.head and history.is_ancestor(root, run.commit or "", now.head))


def _recover(root: Path, saved: Facts, now: Facts) -> list[str]:
    """A step for each run committed since whose commit HEAD's history does not hold: its
    task reads as open here, and `run next` would do it again."""
    before = {r.run_id: r.status for r in saved.runs}
    return [f"`git cherry-pick {(r.commit or '')[:12]}` — brings back {r.task_id} "
            f"{r.task_title} (run {r.run_id}), committed but not on {now.branch or 'HEAD'}"
            for r in now.runs if before.get(r.run_id) != r.status and _off_branch(root, r, now)]


def _moved(root: Path, old: str | None, new: str | None) -> str:
    if old and new and history.is_ancestor(root, old, new):
        count = len(history.commits_between(root, old, new, limit=1000))
        return f"{count} new commit(s) since the handoff (HEAD was {old[:8]}, now {new[:8]})"
    return f"HEAD moved from {(old or 'none')[:8]} to {(new or 'none')[:8]} (not a descendant)"


def summary(root: Path, saved: Facts, now: Facts) -> dict:
    """What `pickup` prints: discrepancies, where we left off (as the handoff said), what
    next, blockers (as they are now)."""
    progress = [f"{s.path}: {s.done}/{s.total} tasks done" for s in saved.specs]
    return {
        "handoff": saved.created,
        "discrepancies": discrepancies(root, saved, now),
        "left_off": [f"branch {saved.branch}, last commit {(saved.head or '')[:8]} "
                     f"{names.printable(saved.head_subject)}".rstrip(), *progress],
        "next": [*_recover(root, saved, now), *next_steps(now)][:5],
        "blockers": blockers(now),
        "decisions": [f"{n.created[:10]}: {n.text}" for n in saved.notes
                      if n.kind == "decision"],
        "preferences": [n.text for n in saved.notes if n.kind == "preference"],
    }
