"""`reviewloop plan`: the tasks a batch may start now, as text, JSON or a GitHub matrix."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from reviewloop.agent.spend import usd
from reviewloop.cli import ui
from reviewloop.config import Settings
from reviewloop.errors import ExitCode
from reviewloop.git.repository import open_repository
from reviewloop.runs.budget import SpendLog, spec_key
from reviewloop.spec.batch import Wave, eligible_wave, github_matrix
from reviewloop.spec.loader import load_spec, parse_tasks, read_text
from reviewloop.spec.model import Spec


def run(settings: Settings, root: Path, *, fmt: str = "text", limit: int | None = None,
        ref: str | None = None) -> int:
    spec = load_spec(root, settings.spec)
    merged = ticked_at(spec, root, ref) if ref else set()
    wave = eligible_wave(spec.tasks, merged=merged, limit=limit)
    refusal = _batch_budget_spent(settings, root, spec)
    if refusal:
        ui.console(stderr=True).print(refusal, markup=False)
        wave = Wave(held=tuple(t.id for t in wave.tasks) + wave.held,
                    remaining=wave.remaining, diagnostics=wave.diagnostics)
    if fmt == "github-matrix":
        print(json.dumps(github_matrix(wave), ensure_ascii=False))  # one line for $GITHUB_OUTPUT
    elif fmt == "json":
        print(json.dumps(to_json(wave, ref), indent=2, ensure_ascii=False))
    else:
        _print_text(wave, ref)
    return ExitCode.BLOCKING if refusal else ExitCode.OK


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


def ticked_at(spec: Spec, root: Path, ref: str) -> set[str]:
    """Ids of the tasks ticked in the spec's tasks file as committed at `ref`."""
    repo = open_repository(root)
    relative = spec.tasks_file.resolve().relative_to(repo.root.resolve()).as_posix()
    with tempfile.TemporaryDirectory(prefix="reviewloop-plan-") as folder:
        if not repo.export_files(ref, [relative], Path(folder)):
            return set()  # the spec is not in the target yet: nothing of it is merged
        text = read_text(Path(folder) / relative)
    parsed = parse_tasks(repo.root, spec.tasks_file, text)
    return {t.id for t in parsed.tasks if t.is_done}


def to_json(wave: Wave, ref: str | None) -> dict:
    return {
        "ref": ref,
        "tasks": [{"task": t.id, "title": t.title, "file": t.file, "line": t.line}
                  for t in wave.tasks],
        "held": list(wave.held),
        "remaining": wave.remaining,
        "diagnostics": [d.model_dump(mode="json") for d in wave.diagnostics],
    }


def _print_text(wave: Wave, ref: str | None) -> None:
    out = ui.console()
    merged = f" (counting what is ticked in {ref})" if ref else ""
    if not wave.tasks:
        out.print(f"No task can start now{merged}; {wave.remaining} not done.")
    else:
        out.print(f"{len(wave.tasks)} task(s) can start now{merged}; "
                  f"{wave.remaining} not done in all:")
        for task in wave.tasks:
            out.print(f"  {task.id}  {task.title}", markup=False, highlight=False)
    if wave.held:
        out.print(f"Held back by --max: {', '.join(wave.held)}", markup=False)
    if wave.diagnostics:
        err = ui.console(stderr=True)
        err.print(ui.diagnostics(wave.diagnostics), end="")
