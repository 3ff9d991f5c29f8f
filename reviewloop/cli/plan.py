"""`reviewloop plan`: the tasks a batch may start now, as text, JSON or a GitHub matrix.

Exit 1 when none may start and none ever will as things stand: the batch budget is spent,
or every task left is in (or waits on) a dependency cycle or only in the uncommitted spec.
Tasks that only wait for a run's approval are no failure: the approval moves the batch on.
"""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from reviewloop.app import plan
from reviewloop.cli import ui
from reviewloop.config import Settings
from reviewloop.errors import ExitCode
from reviewloop.spec.batch import Wave, github_matrix


def run(settings: Settings, root: Path, *, fmt: str = "text", limit: int | None = None,
        ref: str | None = None) -> int:
    wave, refusal = plan.wave(settings, root, limit=limit, ref=ref)
    if refusal:
        ui.console(stderr=True).print(refusal, markup=False)
    if fmt == "github-matrix":
        print(json.dumps(github_matrix(wave), ensure_ascii=False))  # one line for $GITHUB_OUTPUT
    elif fmt == "json":
        print(json.dumps(plan.to_json(wave, ref), indent=2, ensure_ascii=False))
    else:
        _print_text(wave, ref)
    if (wave.waiting or wave.unstartable) and fmt != "text":  # stdout stays the matrix/JSON
        _print_waiting(wave, ui.console(stderr=True))
    if wave.diagnostics:  # on stderr in every format: stdout stays the matrix or the JSON
        err = ui.console(stderr=True)
        err.print(f"{len(wave.diagnostics)} line(s) of the spec could not be understood:",
                  style="bold yellow")
        err.print(ui.diagnostics(wave.diagnostics), end="")
    stuck = wave.stuck()  # an empty matrix that exits 0 would end a batch green, tasks open
    if stuck:
        ui.console(stderr=True).print(stuck, markup=False, highlight=False)
    return ExitCode.BLOCKING if refusal or stuck else ExitCode.OK


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
    _print_waiting(wave, out)


def _print_waiting(wave: Wave, out: Console) -> None:
    for task_id, why in wave.waiting:
        out.print(f"Not planned again: task {task_id}: {why}", markup=False, highlight=False)
    for _task_id, why in wave.unstartable:
        out.print(f"Cannot start: {why}", markup=False, highlight=False)
