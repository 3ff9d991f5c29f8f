"""`runs | clean`: where each run stands and works (as `runs --json` lists it), and removing
kept worktrees."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from reviewloop.app.output import Output
from reviewloop.app.preflight import has_runs, in_repository
from reviewloop.config import Settings
from reviewloop.errors import ExitCode, UserInputError
from reviewloop.git import carry
from reviewloop.git import worktrees as worktree
from reviewloop.git.repository import Repository
from reviewloop.landing.modes import modes
from reviewloop.runs import damage
from reviewloop.runs.registry import UNFINISHED, RunRecord, crashed, run_tree
from reviewloop.runs.store import postgres_url, registry_for

FINISHED = ("committed", "declined", "abandoned")


def rows(settings: Settings, root: Path) -> list[dict]:
    """Every run, as `runs --json` lists it."""
    return [row(root, r) for r in _records(settings, root)]


@dataclass(frozen=True)
class Listing:
    """The runs that read, a line for each store file that does not, and whether repairing
    would mend it."""

    rows: list[dict]
    unreadable: list[str]
    repairable: bool


def listing(settings: Settings, root: Path, *, repair: bool = False) -> tuple[Listing, list[str]]:
    """Every run that can be read, and with `repair` what repairing did first: damaged
    files moved into `.reviewloop/damaged-<time>/`."""
    in_repository(root)  # exit 2 outside a repository, creating nothing
    repaired = _repair(settings, root) if repair else []
    records, unreadable, repairable = readable(settings, root)
    return Listing([row(root, r) for r in records], unreadable, repairable), repaired


def _repair(settings: Settings, root: Path) -> list[str]:
    """`runs --repair`: move damaged store files aside and keep what reads."""
    if postgres_url(settings) is not None:
        raise UserInputError("--repair mends the SQLite store under .reviewloop/; this "
                             "project keeps its runs in Postgres", where="checkpoint_url",
                             fix="repair the database with its own tools")
    return damage.repair(root) or ["Nothing to repair: every run store file reads."]


def readable(settings: Settings, root: Path) -> tuple[list[RunRecord], list[str], bool]:
    """The runs that read, a line for what does not, and whether `--repair` would mend it
    (SQLite; Postgres reads or fails)."""
    if postgres_url(settings) is not None:
        return registry_for(settings, root).list(), [], False
    found = damage.inspect(root)
    return found.records, found.problems, found.repairable


def _records(settings: Settings, root: Path) -> list[RunRecord]:
    """The registered runs; none (and nothing created) before the first run."""
    if postgres_url(settings) is None and not has_runs(root):
        return []
    return registry_for(settings, root).list()


def row(root: Path, record: RunRecord) -> dict:
    """One run as `runs --json` prints it (docs/schemas/runs.schema.json)."""
    state, path = _where(root, record)
    tree = run_tree(record)
    return {"run_id": record.run_id, "task_id": record.task_id,
            "task_title": record.task_title, "spec": record.spec,
            "status": "crashed" if crashed(root, record) else record.status,
            "batch": record.batch, "created": record.created, "updated": record.updated,
            "commit": record.commit_sha, "detail": record.detail,
            "implementer": record.options.get("implementer"),
            "worktree": {"state": state, "path": path or None,
                         "branch": tree.branch if tree else None}}


def _where(root: Path, record: RunRecord) -> tuple[str, str]:
    """The worktree column (in use, kept, missing, a branch) and the folder, if any."""
    tree = run_tree(record)
    if tree is None:
        return "", ""
    if Path(tree.path).exists():
        return ("kept" if record.status in FINISHED else "in use"), _relative(root, tree.path)
    kept = _kept_branch(record)
    if kept is not None:
        return f"branch {kept}", ""
    if record.status in UNFINISHED:
        here = root / worktree.WORKTREES / record.run_id  # moved with the checkout: resume finds it
        moved = carry.looks_moved(root, here, tree.branch)
        return ("moved", _relative(root, str(here))) if moved else ("missing", "")
    return "", ""


def _kept_branch(record: RunRecord) -> str | None:
    """The branch a committed run left for you, as its land mode says: `runs` shows it and
    `clean` never deletes it. A mode no installed package knows any more keeps its branch."""
    tree = run_tree(record)
    if tree is None or record.status != "committed":
        return None
    mode = modes().get(str(record.options.get("land", "merge")))
    return tree.branch if mode is None else mode.kept_branch(tree)


def clean(settings: Settings, root: Path, run_ids: tuple[str, ...], everything: bool,
          out: Output) -> int:
    """Remove the worktrees (and branches) of finished runs, of the named runs, or with
    `everything` of every run (an unfinished one is then abandoned); and stray worktrees."""
    checkout = in_repository(root)  # exit 2 outside a repository, creating nothing
    records = _records(settings, root)
    unknown = set(run_ids) - {r.run_id for r in records}
    if unknown:
        raise UserInputError(f"no run {', '.join(sorted(unknown))}",
                             fix="see `reviewloop runs`")
    removed: list[str] = []
    for record in records:
        tree = run_tree(record)
        chosen = record.run_id in run_ids if run_ids else (everything
                                                            or record.status in FINISHED)
        if tree is None or not chosen or not Path(tree.path).exists():
            continue
        if record.status in UNFINISHED:
            if crashed(root, record) or record.status != "running":
                store = registry_for(settings, root)
                store.update(record.run_id, status="abandoned",
                             detail="worktree removed by reviewloop clean")
                store.forget_work(record.run_id)  # never rebuilt (runs.carry)
            else:
                out.warn(f"Run {record.run_id} is running: left alone.")
                continue
        worktree.remove(checkout, tree, branch=_kept_branch(record) is None)
        removed.append(_relative(root, tree.path))
    if not run_ids:
        trees = [run_tree(r) for r in records]
        removed += _strays(root, checkout, {str(Path(t.path).resolve()) for t in trees if t})
    out.say("Removed " + ", ".join(removed) + "." if removed
            else "Nothing to clean: no kept worktree of a finished run.")
    return ExitCode.OK


def _strays(root: Path, checkout: Repository, known: set[str]) -> list[str]:
    """Worktrees under .reviewloop/worktrees that no run owns (a crash before registering)."""
    removed = []
    for path, branch in worktree.listed(checkout).items():
        if str(Path(path).resolve()) not in known:
            tree = worktree.RunTree(path=path, branch=branch or "", base="", target=None)
            worktree.remove(checkout, tree, branch=False)
            removed.append(_relative(root, path))
    folder = root / worktree.WORKTREES
    for leftover in sorted(folder.iterdir()) if folder.is_dir() else ():
        if str(leftover.resolve()) not in known and leftover.is_dir():
            shutil.rmtree(leftover)
            removed.append(_relative(root, str(leftover)))
    checkout.try_git("worktree", "prune")
    return removed


def _relative(root: Path, path: str) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path
