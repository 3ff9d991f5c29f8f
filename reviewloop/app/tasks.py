"""`tasks`: the spec's tasks with their wave, and what its readers could not understand, as
`tasks --json` lists them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reviewloop.config import Settings
from reviewloop.spec import select
from reviewloop.spec.loader import load_spec
from reviewloop.spec.model import Diagnostic, Spec


def planned(settings: Settings, root: Path
            ) -> tuple[Spec, dict[str, int], tuple[Diagnostic, ...]]:
    """The spec, each task's wave, and the diagnostics of the spec and of its waves."""
    spec = load_spec(root, settings.spec)
    plan = select.waves(spec.tasks)
    diagnostics = tuple(dict.fromkeys((*spec.diagnostics, *plan.diagnostics)))
    return spec, select.wave_of(plan), diagnostics


def listing(settings: Settings, root: Path) -> dict[str, Any]:
    return to_json(*planned(settings, root))


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
