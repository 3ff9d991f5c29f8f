"""What a finished run left in its worktree: the tree `clean` compares the worktree with, so
that work the user added there afterwards (a declined run's worktree is kept for them) is
never removed unasked."""

from __future__ import annotations

from pathlib import Path

from reviewloop.errors import ReviewloopError
from reviewloop.git.repository import open_repository
from reviewloop.git.worktrees import RunTree
from reviewloop.runs.registry import run_dir
from reviewloop.state_dir import STATE_DIR

LEFT = "worktree-left"  # in the run folder: the worktree's tree id when the run finished


def record(root: Path, run_id: str, tree: RunTree | None) -> None:
    """Write down the run's worktree as it is now (nothing when it has none)."""
    if tree is None or not Path(tree.path).is_dir():
        return
    try:
        left = open_repository(Path(tree.path)).worktree_tree()
    except ReviewloopError:  # unreadable now: `clean` then keeps it unless forced
        return
    folder = run_dir(root, run_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / LEFT).write_text(left + "\n", encoding="utf-8")


def recorded(root: Path, run_id: str) -> str | None:
    """The tree the run left, when it wrote one down."""
    try:
        text = (root / STATE_DIR / "runs" / run_id / LEFT).read_text(encoding="utf-8")
    except OSError:
        return None
    return text.strip() or None
