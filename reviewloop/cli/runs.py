"""`reviewloop runs | clean`: the runs as a table or JSON (`app/runs.py` lists them), and
their kept worktrees removed."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rich.table import Table
from rich.text import Text

from reviewloop.app import cleanup, runs
from reviewloop.cli import ui
from reviewloop.cli.terminal import terminal
from reviewloop.config import Settings
from reviewloop.errors import ExitCode
from reviewloop.runs.registry import LANDING_REFUSED, REPAIR_FIX


def list_runs(settings: Settings, root: Path, *, as_json: bool = False,
              repair: bool = False) -> int:
    """Every run that can be read; with a damaged store, exit 2 after naming what cannot.
    With `repair`, damaged files are first moved into `.reviewloop/damaged-<time>/`."""
    found, repaired = runs.listing(settings, root, repair=repair)
    if repaired:
        ui.console().print("\n".join(repaired), markup=False, highlight=False, soft_wrap=True)
    if as_json:
        extra = {"unreadable": found.unreadable} if found.unreadable else {}
        print(json.dumps({"root": str(root), "runs": found.rows, **extra}, indent=2,
                         ensure_ascii=False))
    elif found.rows or not found.unreadable:
        _print_table(found.rows, found.unresumable)
    if found.unreadable:
        err = ui.console(stderr=True)
        fix = f"\n  fix: {REPAIR_FIX}" if found.repairable else ""
        err.print("Cannot read:\n" + "\n".join(f"  {line}" for line in found.unreadable) + fix,
                  markup=False, highlight=False, soft_wrap=True)
        return ExitCode.USAGE
    return ExitCode.OK


def clean(settings: Settings, root: Path, run_ids: tuple[str, ...], everything: bool,
          force: bool = False) -> int:
    return cleanup.clean(settings, root, run_ids, everything, terminal(), force=force)


def _print_table(rows: list[dict], unresumable: frozenset[str] = frozenset()) -> None:
    out = ui.console()
    if not rows:
        out.print("No runs yet: `reviewloop run TASK|next|all` starts one.")
        return
    table = Table(title="reviewloop runs")
    table.add_column("run", no_wrap=True)
    for name in ("task", "status", "updated", "commit", "worktree"):
        table.add_column(name)
    for row in rows:
        # as text: a task's title (the spec's) is never read as rich markup
        table.add_row(*(Text(cell) for cell in (
            row["run_id"], f"{row['task_id']} {row['task_title']}"[:30], _status(row),
            row["updated"].replace("T", " ")[:16], (row["commit"] or "")[:12],
            row["worktree"]["state"])))
    out.print(table)
    where = [f"  {r['run_id']}: {r['worktree']['path']}" for r in rows if r["worktree"]["path"]]
    if where:
        out.print("Worktrees:\n" + "\n".join(where), soft_wrap=True, markup=False)
    for row in rows:
        if row["status"] == "failed" and row["commit"]:  # approved; its landing stopped
            out.print(f"Run {row['run_id']}: {row['detail']}", soft_wrap=True, markup=False)
        if row["status"] == LANDING_REFUSED:
            out.print(f"Run {row['run_id']} waits, its landing refused: {row['detail']}\n"
                      f"  `reviewloop approve {row['run_id']}` lands it once that is dealt with;"
                      f" `reviewloop reject {row['run_id']}` drops it.", soft_wrap=True,
                      markup=False)
        if row["status"] == "crashed" and row["run_id"] in unresumable:
            out.print(f"Run {row['run_id']} stopped without finishing and has no checkpoint to "
                      f"resume: `reviewloop run all` abandons it and runs task "
                      f"{row['task_id']} afresh.", soft_wrap=True, markup=False)
        elif row["status"] == "crashed":
            out.print(f"Run {row['run_id']} stopped without finishing (its process is gone): "
                      f"`reviewloop resume {row['run_id']}` continues it.", soft_wrap=True)
    stale = sum(r["worktree"]["state"] == "kept" for r in rows)
    if stale:
        out.print(f"{stale} worktree(s) of finished runs are kept: `reviewloop clean` "
                  "removes them.", soft_wrap=True)


_CANNOT = re.compile(r"^.*?\bcannot (?:land|approve)(?: run \S+)?: ")
_SHORT = 60


def _status(row: dict) -> str:
    """The status column: a landing refused says it waits, and in short why."""
    if row["status"] != LANDING_REFUSED:
        return row["status"].replace("_", " ")
    why = _CANNOT.sub("", (row["detail"] or "").split("\n", 1)[0]).split("; ", 1)[0]
    why = why if len(why) <= _SHORT else why[:_SHORT - 1].rstrip() + "…"
    return f"waiting: landing refused — {why}" if why else "waiting: landing refused"
