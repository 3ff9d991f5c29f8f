"""`reviewloop runs | clean`: where each run stands and works, and removing kept worktrees."""

from __future__ import annotations

import shutil
from pathlib import Path

from rich.table import Table

from reviewloop import worktree
from reviewloop.cli import ui
from reviewloop.config import Settings
from reviewloop.errors import ExitCode, UserInputError
from reviewloop.git import open_repository
from reviewloop.graph.runner import run_tree
from reviewloop.graph.runs import UNFINISHED, RunRecord, crashed
from reviewloop.graph.shared import registry_for

FINISHED = ("committed", "declined", "abandoned")


def list_runs(settings: Settings, root: Path) -> int:
    table = Table(title="reviewloop runs")
    table.add_column("run", no_wrap=True)
    for name in ("task", "status", "updated", "commit", "worktree"):
        table.add_column(name)
    stale, gone, where = 0, [], []
    for r in registry_for(settings, root).list():
        state, path = _where(root, r)
        stale += state == "kept"
        if path:
            where.append(f"  {r.run_id}: {path}")
        status = r.status.replace("_", " ")
        if crashed(root, r):
            status = "crashed"
            gone.append(r.run_id)
        table.add_row(r.run_id, f"{r.task_id} {r.task_title}"[:30], status,
                      r.updated.replace("T", " ")[:16], (r.commit_sha or "")[:12], state)
    out = ui.console()
    out.print(table)
    if where:
        out.print("Worktrees:\n" + "\n".join(where), soft_wrap=True)
    for run_id in gone:
        out.print(f"Run {run_id} stopped without finishing (its process is gone): "
                  f"`reviewloop resume {run_id}` continues it.", soft_wrap=True)
    if stale:
        out.print(f"{stale} worktree(s) of finished runs are kept: `reviewloop clean` "
                  "removes them.", soft_wrap=True)
    return ExitCode.OK


def _where(root: Path, record: RunRecord) -> tuple[str, str]:
    """The worktree column (in use, kept, missing, a branch) and the folder, if any."""
    tree = run_tree(record)
    if tree is None:
        return "", ""
    if Path(tree.path).exists():
        return ("kept" if record.status in FINISHED else "in use"), _relative(root, tree.path)
    if record.status == "committed" and record.options.get("land") == "branch-only":
        return f"branch {tree.branch}", ""
    if record.status in UNFINISHED:
        return "missing", ""
    return "", ""


def clean(settings: Settings, root: Path, run_ids: tuple[str, ...], everything: bool) -> int:
    """Remove the worktrees (and branches) of finished runs, of the named runs, or with
    `everything` of every run (an unfinished one is then abandoned); and stray worktrees."""
    registry = registry_for(settings, root)
    checkout = open_repository(root)
    records = registry.list()
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
                registry.update(record.run_id, status="abandoned",
                                detail="worktree removed by reviewloop clean")
            else:
                ui.console(stderr=True).print(f"Run {record.run_id} is running: left alone.")
                continue
        keep_branch = record.status == "committed" and record.options.get("land") == \
            "branch-only"
        worktree.remove(checkout, tree, branch=not keep_branch)
        removed.append(_relative(root, tree.path))
    if not run_ids:
        trees = [run_tree(r) for r in records]
        removed += _strays(root, checkout, {str(Path(t.path).resolve()) for t in trees if t})
    out = ui.console()
    if removed:
        out.print("Removed " + ", ".join(removed) + ".")
    else:
        out.print("Nothing to clean: no kept worktree of a finished run.")
    return ExitCode.OK


def _strays(root: Path, checkout, known: set[str]) -> list[str]:
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
