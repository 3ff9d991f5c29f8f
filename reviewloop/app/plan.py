"""`plan`: the tasks a batch may start now (their dependencies done, or ticked at a ref where
the wave's pull requests merged), held back when the spec's batch budget is spent; a task
whose run waits for a decision is named, not planned again; a task only in the uncommitted
spec is named with the fix, never offered (`run` refuses it: `runs.committed_spec`)."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from reviewloop.agent.spend import usd
from reviewloop.app.runs import awaiting_decision, decision_needed
from reviewloop.config import Settings
from reviewloop.git.repository import open_repository
from reviewloop.runs import committed_spec
from reviewloop.runs.budget import SpendLog, spec_key
from reviewloop.spec.batch import Wave, eligible_wave
from reviewloop.spec.loader import load_spec, parse_tasks, read_text, require_tasks
from reviewloop.spec.model import Diagnostic, Spec


def wave(settings: Settings, root: Path, *, limit: int | None = None,
         ref: str | None = None) -> tuple[Wave, str | None]:
    """The wave that may start now, and why none may (every task held) when the budget is
    spent."""
    spec = load_spec(root, settings.spec)
    require_tasks(spec)  # no task read is no plan: an empty matrix would say "all done"
    merged, at_ref = ticked_at(spec, root, ref) if ref else (set(), ())
    waiting = {tid: decision_needed(record) for tid, record in
               awaiting_decision(settings, root, spec.tasks_file).items()}
    found = eligible_wave(spec.tasks, merged=merged, limit=limit, waiting=waiting,
                          unstartable=_uncommitted(root, spec))
    # what `tasks` says about the spec (a duplicate id, an unknown dependency) is said here
    # too: a batch that never schedules a task must say why
    found = replace(found, diagnostics=tuple(dict.fromkeys((*spec.diagnostics, *at_ref,
                                                            *found.diagnostics))))
    refusal = _batch_budget_spent(settings, root, spec)
    if refusal:
        found = replace(found, tasks=(), held=tuple(t.id for t in found.tasks) + found.held)
    return found, refusal


def _uncommitted(root: Path, spec: Spec) -> dict[str, str]:
    """Not-done tasks only in the uncommitted spec, with why and the fix: `run TASK` and
    `run all` refuse them (a run starts from your last commit), so no plan offers them."""
    open_ids = [t.id for t in spec.tasks if not t.is_done]
    return {tid: "; ".join(committed_spec.reason(spec.tasks_file, root, tid))
            for tid in committed_spec.uncommitted(root, spec.tasks_file, open_ids)}


def _batch_budget_spent(settings: Settings, root: Path, spec: Spec) -> str | None:
    """Why no task may start: the spec's batch has spent `batch_budget_usd`."""
    budget = settings.batch_budget_usd
    if budget is None:
        return None
    spent = SpendLog(settings, root).total(spec_key(spec.tasks_file, root))
    if spent < budget:
        return None
    return (f"batch budget spent: {usd(spent)} of batch_budget_usd {usd(budget)} for "
            f"{spec_key(spec.tasks_file, root)}; no task started (raise batch_budget_usd "
            "to go on)")


def ticked_at(spec: Spec, root: Path, ref: str) -> tuple[set[str], tuple[Diagnostic, ...]]:
    """Ids of the tasks ticked in the spec's tasks file as committed at `ref` that are the
    same tasks here (the same id and title), and what `plan` says about the rest: a tasks
    file missing at `ref`, or an id ticked there that names another task (a revised,
    renumbered spec), is not taken as merged without a word."""
    repo = open_repository(root)
    relative = spec.tasks_file.resolve().relative_to(repo.root.resolve()).as_posix()
    with tempfile.TemporaryDirectory(prefix="reviewloop-plan-") as folder:
        if not repo.export_files(ref, [relative], Path(folder)):
            return set(), (Diagnostic(file=relative, line=1, message=(
                f"not in {ref}: no task counts as merged there (commit the spec to {ref}, "
                "or name the ref the wave's pull requests merge into)")),)
        text = read_text(Path(folder) / relative)
    parsed = parse_tasks(repo.root, spec.tasks_file, text)
    here = {t.id: t for t in spec.tasks}
    merged: set[str] = set()
    said: list[Diagnostic] = []
    for task in parsed.tasks:
        if not task.is_done or task.id not in here:
            continue
        local = here[task.id]
        if _same_title(local.title, task.title):
            merged.add(task.id)
        elif not local.is_done:
            said.append(Diagnostic(file=relative, line=local.line, message=(
                f"task {task.id} is ticked in {ref} as {task.title!r}, another task than "
                f"{local.title!r} here: not taken as merged (the spec was revised there; "
                f"merge {ref} into this branch, or renumber the tasks alike)")))
    return merged, tuple(said)


def _same_title(one: str, other: str) -> bool:
    return " ".join(one.casefold().split()) == " ".join(other.casefold().split())


def to_json(found: Wave, ref: str | None) -> dict:
    return {
        "ref": ref,
        "tasks": [{"task": t.id, "title": t.title, "file": t.file, "line": t.line}
                  for t in found.tasks],
        "held": list(found.held),
        "waiting": [{"task": tid, "why": why} for tid, why in found.waiting],
        "unstartable": [{"task": tid, "why": why} for tid, why in found.unstartable],
        "remaining": found.remaining,
        "left_out": list(found.left_out),
        "diagnostics": [d.model_dump(mode="json") for d in found.diagnostics],
    }
