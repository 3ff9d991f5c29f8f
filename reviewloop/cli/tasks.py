"""`reviewloop tasks`: the spec's tasks as a table or JSON."""

from __future__ import annotations

import json
from pathlib import Path

from reviewloop.app import tasks
from reviewloop.cli import ui
from reviewloop.config import Settings


def run(settings: Settings, root: Path, *, as_json: bool) -> int:
    spec, wave_of, diagnostics = tasks.planned(settings, root)
    if as_json:
        print(json.dumps(tasks.to_json(spec, wave_of, diagnostics), indent=2,
                         ensure_ascii=False))
        return 0
    out = ui.console()
    out.print(ui.tasks_table(spec, wave_of))
    if diagnostics:
        err = ui.console(stderr=True)
        err.print(f"{len(diagnostics)} line(s) could not be understood:", style="bold yellow")
        err.print(ui.diagnostics(diagnostics), end="")
    return 0
