"""`runs`: where each run stands and works (as `runs --json` lists it); `clean` (`cleanup.py`)
removes kept worktrees."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from reviewloop.app.preflight import has_runs, in_repository
from reviewloop.config import Settings
from reviewloop.errors import PluginError, UserInputError
from reviewloop.git import carry
from reviewloop.git import worktrees as worktree
from reviewloop.landing.modes import modes
from reviewloop.runs import damage
from reviewloop.runs.budget import spec_key
from reviewloop.runs.registry import (
    LANDING_REFUSED,
    UNFINISHED,
    RunRecord,
    crashed,
    run_tree,
    shown_detail,
)
from reviewloop.runs.store import postgres_url, registry_for

FINISHED = ("committed", "declined", "abandoned")
log = logging.getLogger(__name__)
_FAILED_MODES: set[str] = set()  # the land modes whose failing `kept_branch` was said


def rows(settings: Settings, root: Path) -> list[dict]:
    """Every run, as `runs --json` lists it."""
    return [row(root, r) for r in records(settings, root)]


@dataclass(frozen=True)
class Listing:
    """The runs that read, a line for each store file that does not, and whether repairing
    would mend it."""

    rows: list[dict]
    unreadable: list[str]
    repairable: bool
    unresumable: frozenset[str] = frozenset()  # stopped runs with no checkpoint to resume


def listing(settings: Settings, root: Path, *, repair: bool = False) -> tuple[Listing, list[str]]:
    """Every run that can be read, and with `repair` what repairing did first: damaged
    files moved into `.reviewloop/damaged-<time>/`."""
    in_repository(root)  # exit 2 outside a repository, creating nothing
    repaired = _repair(settings, root) if repair else []
    if postgres_url(settings) is not None:
        found = damage.Damage(registry_for(settings, root).list())
    else:
        found = damage.inspect(root)
    return Listing([row(root, r) for r in found.records], found.problems, found.repairable,
                   frozenset(found.unresumable)), repaired


def _repair(settings: Settings, root: Path) -> list[str]:
    """`runs --repair`: move damaged store files aside and keep what reads."""
    if postgres_url(settings) is not None:
        raise UserInputError("--repair mends the SQLite store under .reviewloop/; this "
                             "project keeps its runs in Postgres", where="checkpoint_url",
                             fix="repair the database with its own tools")
    return damage.repair(root) or ["Nothing to repair: every run store file reads."]


def records(settings: Settings, root: Path) -> list[RunRecord]:
    """The registered runs; none (and nothing created) before the first run."""
    if postgres_url(settings) is None and not has_runs(root):
        return []
    return registry_for(settings, root).list()


def awaiting_decision(settings: Settings, root: Path, spec_file: Path) -> dict[str, RunRecord]:
    """Task id -> the newest run of it (in the spec at `spec_file`) that waits for a decision:
    its approval, or its landing refused. `run next` and `plan` do not start such a task
    again: a second run would implement it, and be paid for, twice."""
    key = spec_key(spec_file, root)
    found: dict[str, RunRecord] = {}
    for record in records(settings, root):  # newest first
        if record.status in ("awaiting_approval", LANDING_REFUSED) and \
                spec_key(Path(record.spec), root) == key:
            found.setdefault(record.task_id, record)
    return found


def decision_needed(record: RunRecord) -> str:
    """Why a task is not started again, and the commands that settle its run."""
    what = "waits for approval" if record.status == "awaiting_approval" else \
        "was approved and waits, its landing refused"
    return (f"run {record.run_id} {what}: `reviewloop approve {record.run_id}` or "
            f"`reviewloop reject {record.run_id}`")


def row(root: Path, record: RunRecord) -> dict:
    """One run as `runs --json` prints it (docs/schemas/runs.schema.json)."""
    state, path = _where(root, record)
    tree = run_tree(record)
    return {"run_id": record.run_id, "task_id": record.task_id,
            "task_title": record.task_title, "spec": record.spec,
            "status": "crashed" if crashed(root, record) else record.status,
            "batch": record.batch, "created": record.created, "updated": record.updated,
            "commit": record.commit_sha, "detail": shown_detail(record),
            "implementer": record.options.get("implementer"),
            "worktree": {"state": state, "path": path or None,
                         "branch": tree.branch if tree else None}}


def _where(root: Path, record: RunRecord) -> tuple[str, str]:
    """The worktree column (in use, kept, elsewhere, moved, missing, a branch) and the
    folder, if any. A folder that is there but not under this checkout's own folder is
    another checkout's (the original of a `cp -a` copy, whose `.reviewloop/` came along):
    not in use here, and not this checkout's `clean` to remove (`cleanup`)."""
    tree = run_tree(record)
    if tree is None:
        return "", ""
    if Path(tree.path).exists() and not ours(root, Path(tree.path)):
        return "elsewhere", tree.path
    if Path(tree.path).exists():
        return ("kept" if record.status in FINISHED else "in use"), relative(root, tree.path)
    kept = kept_branch(record)
    if kept is not None:
        return f"branch {kept}", ""
    here = root / worktree.WORKTREES / record.run_id  # moved with the checkout: `resume`
    if carry.looks_moved(root, here, tree.branch):  # finds it, or `clean` removes it
        return "moved", relative(root, str(here))
    return ("missing", "") if record.status in UNFINISHED else ("", "")


def ours(root: Path, path: Path) -> bool:
    """Whether `path` is a folder directly under this checkout's `.reviewloop/worktrees/`,
    where every run of this checkout's makes its worktree (`worktrees.create`)."""
    return os.path.realpath(path.parent) == os.path.realpath(root / worktree.WORKTREES)


def kept_branch(record: RunRecord) -> str | None:
    """The branch a committed run left for you, as its land mode says: `runs` shows it and
    `clean` never deletes it. A mode no installed package knows any more keeps its branch,
    and so does a plugin's mode whose `kept_branch` fails: `runs` still lists every run, and
    the failure (naming the mode, its package and the fix) is said once, as a warning."""
    tree = run_tree(record)
    if tree is None or record.status != "committed":
        return None
    mode = modes().get(str(record.options.get("land", "merge")))
    try:
        return tree.branch if mode is None else mode.kept_branch(tree)
    except PluginError as exc:
        if mode is not None and mode.name not in _FAILED_MODES:
            _FAILED_MODES.add(mode.name)
            log.warning("%s", exc)
        return tree.branch


def relative(root: Path, path: str) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path
