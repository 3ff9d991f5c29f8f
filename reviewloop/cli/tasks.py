"""`reviewloop tasks`: the spec's tasks as a table or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reviewloop.cli import ui
from reviewloop.config import Settings
from reviewloop.spec import select
from reviewloop.spec.loader import load_spec
from reviewloop.spec.model import Diagnostic, Spec


def run(settings: Settings, root: Path, *, as_json: bool) -> int:
    spec = load_spec(root, settings.spec)
    plan = select.waves(spec.tasks)
    wave_of = select.wave_of(plan)
    diagnostics = tuple(dict.fromkeys((*spec.diagnostics, *plan.diagnostics)))
    if as_json:
        print(json.dumps(to_json(spec, wave_of, diagnostics), indent=2, ensure_ascii=False))
        return 0
    out = ui.console()
    out.print(ui.tasks_table(spec, wave_of))
    if diagnostics:
        err = ui.console(stderr=True)
        err.print(f"{len(diagnostics)} line(s) could not be understood:", style="bold yellow")
        err.print(ui.diagnostics(diagnostics), end="")
    return 0


def to_json(spec: Spec, wave_of: dict[str, int],
            diagnostics: Sequence[Diagnostic]) -> dict[str, Any]:
    tasks = []
    for task in spec.tasks:
        item = task.model_dump(mode="json")
        item["wave"] = wave_of.get(task.id)
        tasks.append(item)
    return {
        "spec": {"format": spec.format.value, "dialect": spec.dialect,
                 "file": str(spec.tasks_file)},
        "tasks": tasks,
        "diagnostics": [d.model_dump(mode="json") for d in diagnostics],
    }
