"""The spec files under tests/fixtures/specs and the task summary their expected.json holds."""

from __future__ import annotations

import json
from pathlib import Path

from reviewloop.spec.model import Task

SPECS = Path(__file__).resolve().parents[1] / "fixtures" / "specs"


def task_summary(task: Task) -> dict:
    """The fields an expected.json records for each task, in the reader's order."""
    return {"id": task.id, "status": task.status.value, "optional": task.optional,
            "parent": task.parent, "depends_on": list(task.depends_on),
            "requirements": list(task.requirements)}


def expected_summaries(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))
