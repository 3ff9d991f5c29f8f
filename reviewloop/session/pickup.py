"""Picking a session up: the last handoff against git and the runs as they are now."""

from __future__ import annotations

from pathlib import Path

from reviewloop.session import history, names
from reviewloop.session.facts import Facts, RunFact
from reviewloop.session.handoff import blockers, next_steps
from reviewloop.state_dir import STATE_DIR

_TREE = "could not read the working tree"


def discrepancies(git: history.Reader, saved: Facts, now: Facts) -> list[str]:
    """Where the handoff and reality disagree, branch and commits first; a git read that
    failed (now, or here) is said, never taken as "nothing changed"."""
    found = []
    if saved.branch != now.branch:
        found.append(f"branch differs: the handoff was on {saved.branch or '(detached)'}, "
                     f"you are on {now.branch or '(detached)'}")
    if saved.head != now.head:
        found.append(_moved(git, saved.head, now.head))
    if any(line.startswith(_TREE) for line in now.unread):
        found.append(f"working tree was {'dirty' if saved.dirty else 'clean'}, now unknown "
                     "(git could not read it: see the blockers)")
    elif bool(saved.dirty) != bool(now.dirty):
        found.append(f"working tree was {'dirty' if saved.dirty else 'clean'}, now "
                     f"{'dirty' if now.dirty else 'clean'}")
    found += [f"{path}: {', '.join(ids)} done at the handoff, not done now"
              if ids else f"spec {path} was read at the handoff and is not found now"
              for path, ids in _reopened(saved, now).items()]
    before = {r.run_id: r.status for r in saved.runs}
    stranded = {r.run_id for r in _stranded(git, saved, now)}
    for run in now.runs:
        if run.run_id not in before:
            line = f"new run since: {run.run_id} ({run.task_id}) {run.status}"
        elif before[run.run_id] != run.status:
            line = f"run {run.run_id} ({run.task_id}) was {before[run.run_id]}, now {run.status}"
        elif run.run_id in stranded:
            line = f"run {run.run_id} ({run.task_id}) was committed at the handoff"
        else:
            continue
        found.append(line + _elsewhere(git, run, now))
    found += _vanished(git, saved, now, stranded)
    return found + [line for line in git.unread if line not in now.unread]


def _reopened(saved: Facts, now: Facts) -> dict[str, list[str]]:
    """Tasks ticked at the handoff and not now (history rewound, a branch switched), by spec;
    a spec the handoff read and that is not found now has none listed."""
    ticked = {s.path: s.done_ids for s in now.specs}
    found: dict[str, list[str]] = {}
    for spec in saved.specs:
        undone = [t for t in spec.done_ids if t not in ticked.get(spec.path, [])]
        if spec.path not in ticked or undone:
            found[spec.path] = undone if spec.path in ticked else []
    return found


def _elsewhere(git: history.Reader, run: RunFact, now: Facts) -> str:
    """For a committed run: its commit when HEAD's history does not hold it, and whether the
    repository still has it (then it can be brought back) or not (then the task is redone)."""
    if not _off_branch(git, run, now):
        return ""
    sha = (run.commit or "")[:8]
    if not git.has(run.commit or ""):
        return (f"; its commit {sha} is gone from this repository (on no branch, not in the "
                f"reflog): {run.task_id} must be done again")
    return (f"; its commit {sha} is not in the history of {now.branch or 'HEAD'} (its branch "
            f"deleted, reset or switched away from) and is still in this repository")


def _off_branch(git: history.Reader, run: RunFact, now: Facts) -> bool:
    return run.status == "committed" and bool(run.commit) and not (
        now.head and git.is_ancestor(run.commit or "", now.head))


def _stranded(git: history.Reader, saved: Facts, now: Facts) -> list[RunFact]:
    """Committed runs whose commit HEAD's history does not hold, which `run next` would do
    again: committed since the handoff, or committed at it and their task open again since
    (its branch deleted or reset), also when the registry no longer lists them."""
    before = {r.run_id: r.status for r in saved.runs}
    listed = {r.run_id for r in now.runs}
    reopened = _reopened(saved, now)
    runs = [*now.runs, *(r for r in saved.runs if r.run_id not in listed)]
    return [r for r in runs if _off_branch(git, r, now) and (
        before.get(r.run_id) != r.status
        or any(r.task_id in ids and r.spec in ("", path) for path, ids in reopened.items()))]


def _recover(git: history.Reader, saved: Facts, now: Facts) -> list[str]:
    """A step for each stranded run whose commit the repository still has: its task reads
    as open here, and `run next` would do it again."""
    return [f"`git cherry-pick {(r.commit or '')[:12]}` — brings back {r.task_id} "
            f"{r.task_title} (run {r.run_id}), committed but not on {now.branch or 'HEAD'}"
            for r in _stranded(git, saved, now) if git.has(r.commit or "")]


def _vanished(git: history.Reader, saved: Facts, now: Facts, stranded: set[str]) -> list[str]:
    """The runs the handoff listed that the run registry no longer holds (deleted, emptied)."""
    listed = {r.run_id for r in now.runs}
    gone = [r for r in saved.runs if r.run_id not in listed]
    if not gone:
        return []
    registry = git.root / STATE_DIR / "runs.sqlite"
    why = ("the registry .reviewloop/runs.sqlite is gone" if not registry.exists()
           else "the registry .reviewloop/runs.sqlite is empty"
           if registry.is_file() and registry.stat().st_size == 0
           else "not in .reviewloop/runs.sqlite")
    shown = ", ".join(f"{r.run_id} ({r.task_id}) {r.status}" for r in gone[:5])
    more = f" and {len(gone) - 5} more" if len(gone) > 5 else ""
    lines = [f"{len(gone)} run(s) the handoff listed are no longer recorded ({why}): "
             f"{shown}{more}; `reviewloop runs`, `resume` and `approve` no longer know them"]
    return lines + [f"run {r.run_id} ({r.task_id}) was committed{_elsewhere(git, r, now)}"
                    for r in gone if r.run_id in stranded]


def _moved(git: history.Reader, old: str | None, new: str | None) -> str:
    if old and new and git.is_ancestor(old, new):
        count = len(git.commits_between(old, new, limit=1000))
        return f"{count} new commit(s) since the handoff (HEAD was {old[:8]}, now {new[:8]})"
    return f"HEAD moved from {(old or 'none')[:8]} to {(new or 'none')[:8]} (not a descendant)"


def summary(root: Path, saved: Facts, now: Facts) -> dict:
    """What `pickup` prints: discrepancies, where we left off (as the handoff said), what
    next, blockers (as they are now)."""
    git = history.Reader(root)
    progress = [f"{s.path}: {s.done}/{s.total} tasks done" for s in saved.specs]
    return {
        "handoff": saved.created,
        "discrepancies": discrepancies(git, saved, now),
        "left_off": [f"branch {saved.branch}, last commit {(saved.head or '')[:8]} "
                     f"{names.printable(saved.head_subject)}".rstrip(), *progress],
        "next": [*_recover(git, saved, now), *next_steps(now)][:5],
        "blockers": [*blockers(now), *(line for line in git.unread if line not in now.unread)],
        "decisions": [f"{n.created[:10]}: {n.text}" for n in saved.notes
                      if n.kind == "decision"],
        "preferences": [n.text for n in saved.notes if n.kind == "preference"],
    }
