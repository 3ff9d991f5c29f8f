"""A review in progress: the process that drives it, named in its folder as it starts, so
`reviewloop report` tells a review still running from one that was interrupted.

A review writes its summary only when it ends; until then its folder holds its round diff,
its trace and `holder` (`liveness.Holder`). While that process runs (`liveness.verdict`:
alive), `report` shows the review as a task run's live one is shown: `unfinished: still
running (pid …, at step …)`, with the files of its change; once the process is gone without
a summary, it was interrupted. A folder of an older version holds no `holder`: interrupted.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from reviewloop.git.diff import FileStatus, parse_diff
from reviewloop.reports.report import REVIEW_ID, RunSummary
from reviewloop.reports.timeline import timeline
from reviewloop.runs import liveness
from reviewloop.runs.trace import read_trace

HOLDER = "holder"
FIRST_DIFF = "round-1.diff"


def hold(folder: Path) -> None:
    """Name this process in the review folder `folder` as the one driving it."""
    (folder / HOLDER).write_text(liveness.me().dumps(), encoding="utf-8")


def driver(folder: Path) -> liveness.Holder | None:
    """The process driving the review in `folder` if it still runs; None when it is gone,
    cannot be told from here (another host), or was never named."""
    try:
        holder = liveness.loads((folder / HOLDER).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    alive = holder is not None and liveness.verdict(holder) is liveness.Verdict.ALIVE
    return holder if alive else None


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
    steps = list(dict.fromkeys(
        s.label + (f" (round {s.round})" if s.round is not None else "")
        for s in timeline(trace, prices).spans if s.status == "unfinished"))
    return f", at step {', '.join(steps)}" if steps else ""
