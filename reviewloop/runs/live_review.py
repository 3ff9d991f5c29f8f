"""A review in progress: the process that drives it, named in its folder as it starts, so
`reviewloop report` tells a review still running from one that was interrupted.

A review writes its summary only when it ends; until then its folder holds its round diff,
its trace and `holder` (`liveness.Holder`), locked while the review runs and removed when it
ends, however it ends (an error in a long-lived `reviewloop mcp` included). While that
process runs (`liveness.verdict`: alive) and holds the lock, `report` shows the review as a
task run's live one is shown: `unfinished: still running (pid …, at step …)`, with the
files of its change; once the process is gone without
a summary, or its holder's lock is free (the review stopped, the process goes on), it was
interrupted. A folder of an older version holds no `holder`: interrupted.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from reviewloop.git.diff import FileStatus, parse_diff
from reviewloop.reports.report import REVIEW_ID, RunSummary
from reviewloop.runs import liveness
from reviewloop.runs.trace import read_trace

HOLDER = "holder"
FIRST_DIFF = "round-1.diff"


@contextmanager
def held(folder: Path) -> Iterator[None]:
    """Name this process in the review folder `folder` as the one driving it, for as long as
    the block runs: the name is locked meanwhile (the OS drops the lock if the process dies)
    and removed on every way out, so a review that raised is never shown as running."""
    path = folder / HOLDER
    try:
        with path.open("w", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # a new file: no one else holds it
            handle.write(liveness.me().dumps())
            handle.flush()
            yield
    finally:
        path.unlink(missing_ok=True)


def driver(folder: Path) -> liveness.Holder | None:
    """The process driving the review in `folder` if it still runs it; None when it is gone,
    no longer holds the review (its lock is free), cannot be told from here (another host),
    or was never named."""
    try:
        with (folder / HOLDER).open("rb") as handle:
            holder = liveness.loads(handle.read().decode("utf-8"))
            alive = holder is not None and liveness.verdict(holder) is liveness.Verdict.ALIVE
            return holder if alive and _locked(handle.fileno()) else None
    except (OSError, UnicodeDecodeError):
        return None


def _locked(fd: int) -> bool:
    """Whether a review holds the lock on the holder file open as `fd`."""
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    fcntl.flock(fd, fcntl.LOCK_UN)
    return False


def so_far(folder: Path, holder: liveness.Holder,
           prices: Mapping[str, Mapping[str, float]] | None = None) -> RunSummary:
    """The running review in `folder` as `report` shows it: unfinished, still running at the
    steps its trace has started and not ended, with the files of the change it reviews."""
    try:
        text = (folder / FIRST_DIFF).read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:  # not written yet: the review is starting
        text = ""
    files: dict[FileStatus, list[str]] = {status: [] for status in FileStatus}
    for change in parse_diff(text, source=str(folder / FIRST_DIFF)).files:
        files[change.status].append(change.path)
    return RunSummary(
        task_id=REVIEW_ID, run_id=folder.name, files_created=files[FileStatus.ADDED],
        files_modified=[*files[FileStatus.MODIFIED], *files[FileStatus.RENAMED]],
        files_deleted=files[FileStatus.DELETED],
        unfinished=f"still running ({holder.shown()}{at_step(read_trace(folder), prices)}): "
                   "a review's summary is written when it ends; `reviewloop report "
                   f"{folder.name}` again then")


def at_step(trace: str, prices: Mapping[str, Mapping[str, float]] | None = None) -> str:
    """`, at step review (round 2)`: the steps the trace `trace` has started and not ended
    (the reviewers of a round side by side), or "" when it says none."""
    # read by `report` of a review still running: the review itself never asks (~7 M
    # instructions of import, its models built)
    from reviewloop.reports.timeline import timeline

    steps = list(dict.fromkeys(
        s.label + (f" (round {s.round})" if s.round is not None else "")
        for s in timeline(trace, prices).spans if s.status == "unfinished"))
    return f", at step {', '.join(steps)}" if steps else ""
