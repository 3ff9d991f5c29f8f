"""The `$defs` of the JSON Schemas here that come from reviewloop's pydantic models.

A command's JSON holds model dumps (a finding, a ledger entry, a task); their schemas are
generated from the models, never written twice (they are the capitalised `$defs` names; the
lower-case ones are written by hand and kept). Run `python docs/schemas/defs.py` after
changing one of those models; tests/cli/test_json_schemas.py fails while a file is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic.json_schema import models_json_schema

HERE = Path(__file__).resolve().parent


def models() -> dict[str, list[type]]:
    """Schema file → the models whose dumps its command prints."""
    from reviewloop.bench.cases import CaseLine
    from reviewloop.bench.report import BenchReport
    from reviewloop.findings.ledger import Ledger
    from reviewloop.reports.report import ReviewerOutcome
    from reviewloop.reports.stats import Stats
    from reviewloop.review.matrix import FileCoverage
    from reviewloop.session.facts import Facts
    from reviewloop.spec.model import Diagnostic, Task

    return {"handoff.schema.json": [Facts],
            "review.schema.json": [Ledger, ReviewerOutcome, FileCoverage],
            "tasks.schema.json": [Task, Diagnostic],
            "plan.schema.json": [Diagnostic],
            "bench.schema.json": [BenchReport],
            "bench-case.schema.json": [CaseLine],
            "stats.schema.json": [Stats]}


def generated(kinds: list[type]) -> dict:
    _, schema = models_json_schema([(m, "serialization") for m in kinds],
                                   ref_template="#/$defs/{model}")
    return schema["$defs"]


def _by_hand(defs: dict) -> dict:
    return {key: value for key, value in defs.items() if key[:1].islower()}


def stale() -> list[str]:
    """The schema files whose generated `$defs` differ from the models'."""
    found = []
    for name, kinds in models().items():
        defs = json.loads((HERE / name).read_text())["$defs"]
        if {k: v for k, v in defs.items() if k not in _by_hand(defs)} != generated(kinds):
            found.append(name)
    return found


def write() -> None:
    for name, kinds in models().items():
        path = HERE / name
        schema = json.loads(path.read_text())
        schema["$defs"] = {**_by_hand(schema["$defs"]), **generated(kinds)}
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    write()
    sys.exit(0)
