"""What the registry records of a run stopped by an error. An approved run whose commit or
landing was refused (the user's edits in the way, the branch moved, an edit made after the
review) did not fail: it waits, as `landing_refused`, for `approve` once the cause is gone or
for `reject`. Anything else that stops a run fails it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from reviewloop.errors import (
    BlockingOutcome,
    DiskFull,
    ReviewloopError,
    UserInputError,
    is_disk_full,
)
from reviewloop.git.snapshots import TouchedFiles
from reviewloop.landing.job import LAND_PLAN
from reviewloop.runs.registry import LANDING_REFUSED, RunRecord, RunStore

LANDING_STEPS = (("commit",), ("land",))  # where an approved run's graph stops
_KEPT_ON_FULL_DISK = ("awaiting_approval", "failed", LANDING_REFUSED)


def record_stop(store: RunStore, run_id: str, before: str, exc: BaseException,
                where: Callable[[], tuple[str | None, tuple[str, ...]]]) -> None:
    """Record why the run stopped; `where` reads its commit and its next steps. A full disk
    is no failure of the run: it keeps the state it had (awaiting approval, say) or is
    interrupted, so the same command works once there is space; when the registry cannot be
    written either, it stays as is."""
    if is_disk_full(exc):
        status = before if before in _KEPT_ON_FULL_DISK else "interrupted"
        with suppress(DiskFull):
            store.update(run_id, status=status, detail="stopped: the disk was full")
        return
    # a run that stops after its commit (a landing conflict) names that commit: it is kept
    # on the run's branch, and `runs` must not show a failure with none
    commit: str | None = None
    nodes: tuple[str, ...] = ()
    with suppress(ReviewloopError, OSError):  # a damaged store: said by `exc` itself
        commit, nodes = where()
    refusal = isinstance(exc, BlockingOutcome | UserInputError)
    said = str(exc) if refusal else f"{type(exc).__name__}: {exc}"  # a crash says its kind
    status = LANDING_REFUSED if refusal and nodes in LANDING_STEPS else "failed"
    store.update(run_id, status=status, detail=said, commit_sha=commit)


def record_interrupt(store: RunStore, run_id: str, stopped: str, run_dir: Path) -> str | None:
    """Record a run stopped by Ctrl-C or a stopping signal; returns what the user must hear
    when it stopped after its landing began (the landing defers the signal, so the checkout
    is whole: landed, or not touched yet) and the run is left to finish it."""
    landing = (run_dir / LAND_PLAN).exists()
    finish = f"`reviewloop resume {run_id}` (or `reviewloop run all`) finishes it"
    store.update(run_id, status="interrupted",
                 detail=f"interrupted ({stopped})" + (f" while landing; {finish}" if landing
                                                      else ""))
    if not landing:
        return None
    return (f"Run {run_id} was stopped while landing; your checkout is whole (the commit "
            f"landed, or nothing of it did yet). {finish[0].upper()}{finish[1:]}.")


@contextmanager
def refused_again(store: RunStore, record: RunRecord) -> Iterator[None]:
    """Around the checks an approved run's commit step is retried with (`approve`, `resume`
    again): a refusal there is a landing refused, said with its own reason, not the last
    one's. A run still waiting at "Ready to commit?" stays as it is."""
    try:
        yield
    except (BlockingOutcome, UserInputError) as exc:
        if record.status in ("failed", LANDING_REFUSED):
            store.update(record.run_id, status=LANDING_REFUSED, detail=str(exc))
        raise


def changed_nothing(touched: TouchedFiles | None) -> bool:
    """A run whose saved state says it changed no file (one that never got that far is
    not said to be empty)."""
    return touched is not None and not touched.paths


def refuse_empty(record: RunRecord, touched: TouchedFiles | None) -> None:
    """A run that changed no file implemented nothing: approving it would commit the spec's
    tick alone and call the task done (docs/landing.md). Asked wherever an approval is
    applied: the prompt, --yes, `run all`, `approve`."""
    if not changed_nothing(touched):
        return
    raise UserInputError(
        f"run {record.run_id} changed no file: nothing of {record.task_id} was implemented, "
        "and approving it would commit only the task's tick in the spec", where=record.run_id,
        fix=f"`reviewloop reject {record.run_id}` and run {record.task_id} again; if it needs "
            f"no change, tick it in {record.spec} yourself and reject the run")
