"""What the run store knows of past runs, reviews and pull requests, for `report` and `stats`.

Under `.reviewloop/`:

* `runs/<run>/` — a task run (`reviewloop run`): its summary and ledger are in the run's
  checkpoints (read back here through LangGraph), its round diffs and trace beside them;
* `reviews/<run>/` — a review (`reviewloop review`, one push of a pull request): its summary
  in `summary.json`, written when the review ends, with its round diffs and trace;
* `pulls/<owner>-<repo>-<number>.json` — a pull request's findings as its latest review
  judged them (every push, `/reviewloop ignore` included): the PR's `RunSummary` and the
  reviews of its pushes. A pull request is counted once, by this record: the reviews of its
  pushes are not counted again.

A review folder named `bench-…` is a bench replay (`reviewloop bench` reviewing a past
commit), not one of the project's reviews: counted apart, never the newest. What cannot be
read is named, never taken for an empty run: a review folder without its summary (killed
or stopped by an error midway, or still running), a task run whose checkpoints hold no
state (moved aside by `runs --repair`, or not kept).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from reviewloop.config import Settings
from reviewloop.errors import StoreDamaged, UserInputError
from reviewloop.findings.ledger import Ledger
from reviewloop.reports.report import STORED, RunSummary
from reviewloop.runs import live_review
from reviewloop.runs.registry import RunRecord, new_run_id
from reviewloop.runs.trace import read_trace
from reviewloop.state_dir import state_folder

log = logging.getLogger(__name__)

SUMMARY = "summary.json"
REVIEWS, RUNS, PULLS = "reviews", "runs", "pulls"
REPLAY = "bench"  # the run id prefix of a bench replay's review (`replay_id`)
Kind = Literal["run", "review", "pull_request"]


@dataclass(frozen=True)
class StoredRun:
    """One run, review or pull request as the store holds it."""

    kind: Kind
    name: str  # the run id; `owner/repo#7` for a pull request
    summary: RunSummary
    folder: Path | None  # its round diffs and trace (None: a pull request's record)

    @property
    def trace(self) -> str:
        return read_trace(self.folder) if self.folder is not None else ""

    def diffs(self) -> dict[int, str]:
        """Each round's diff text, by round."""
        found: dict[int, str] = {}
        for path in sorted(self.folder.glob("round-*.diff")) if self.folder else ():
            number = path.stem.removeprefix("round-")
            if number.isdigit():
                found[int(number)] = path.read_text(encoding="utf-8", errors="replace")
        return found


class LostRun(UserInputError):
    """A registered task run whose checkpoints hold no state: named, never shown empty."""


@dataclass(frozen=True)
class Stored:
    """What `stored` found: the runs to count, a line for each that cannot be read, and
    the bench replays left out."""

    runs: list[StoredRun]
    unreadable: list[str]
    replays: int = 0


def review_id(*, replay: bool = False) -> str:
    """A new review's run id; a bench replay's says so (`is_replay`)."""
    return new_run_id(REPLAY if replay else "review")


def is_replay(name: str) -> bool:
    """A review folder of `reviewloop bench`'s (a past commit replayed), not the project's."""
    return name.startswith(f"{REPLAY}-")


def review_folder(root: Path, run_id: str) -> Path:
    """Where the review `run_id` keeps its files."""
    return _state(root) / REVIEWS / run_id


def save_summary(folder: Path, summary: RunSummary) -> None:
    """A review's summary beside its round diffs, replaced whole (never half-written)."""
    _write(folder / SUMMARY, summary.model_dump_json())


def save_pull(root: Path, repo: str, number: int, summary: RunSummary, *, head: str) -> Path:
    """The pull request's record after a review of `head` (`summary`: judged on the whole
    PR, `github.verdict.pr_summary`); the review of this push joins its list."""
    path = _state(root) / PULLS / f"{_slug(repo)}-{number}.json"
    old = _read_json(path) or {}
    pushes = [*old.get("pushes", []), {"run_id": summary.run_id, "head": head}]
    _write(path, json.dumps({"repo": repo, "number": number, "head": head, "pushes": pushes,
                             "summary": summary.model_dump(mode="json")}, ensure_ascii=False))
    return path


def stored(settings: Settings, root: Path) -> Stored:
    """Every run, review and pull request the store holds, and a line for each that cannot be
    read. The reviews of a pull request's pushes are counted by its record, not again; bench
    replays are not counted, only numbered."""
    found: list[StoredRun] = []
    problems: list[str] = []
    pushes: set[str] = set()
    for path in sorted((_state(root) / PULLS).glob("*.json")):
        pull = _pull(path, problems)
        if pull is not None:
            found.append(pull[0])
            pushes |= pull[1]
    reviews = [f for f in _folders(root, REVIEWS) if f.name not in pushes]
    for folder in reviews:
        if is_replay(folder.name):
            continue
        if not (folder / SUMMARY).is_file():
            problems.append(f"{_unsaved(folder)} in {folder}")
            continue
        review = _review(folder, problems)
        found += [review] if review else []
    found += _task_runs(settings, root, problems)
    return Stored(found, problems, sum(is_replay(f.name) for f in reviews))


def find(settings: Settings, root: Path, name: str | None) -> StoredRun:
    """The run or review `name` (default: the newest), for `reviewloop report`."""
    if name is not None and not re.fullmatch(r"[A-Za-z0-9._-]+", name):
        raise UserInputError(f"no run {name!r}", fix="see `reviewloop runs`")
    reviews = [f for f in _folders(root, REVIEWS) if not is_replay(f.name)]
    if name is None:
        newest = _newest(settings, root, reviews)
        if newest is None:
            raise UserInputError("no run or review to report yet", where=str(root),
                                 fix="run `reviewloop review` or `reviewloop run TASK` first")
        return newest
    folder = _state(root) / REVIEWS / name
    if folder.is_dir() and not (folder / SUMMARY).is_file():
        if (running := _running(settings, folder)) is not None:
            return running
        raise UserInputError(_unsaved(folder), where=str(folder), fix="run the review again")
    if (folder / SUMMARY).is_file():
        problems: list[str] = []
        review = _review(folder, problems)
        if review is None:
            raise UserInputError(problems[0], where=str(folder / SUMMARY),
                                 fix="run the review again")
        return review
    return _task_run(settings, root, name)


def _newest(settings: Settings, root: Path, reviews: list[Path]) -> StoredRun | None:
    from reviewloop.runs.store import registry_for

    times: list[tuple[str, str, Path | None]] = [(_mtime(_ended(f)), f.name, f)
                                                  for f in reviews]
    if _has_registry(settings, root):
        try:
            times += [(r.updated, r.run_id, None) for r in registry_for(settings, root).list()]
        except StoreDamaged as exc:  # the task runs cannot be listed: the newest review
            if not times:
                raise
            log.warning("task runs left out, the run registry cannot be read: %s",
                        " ".join(str(exc).split()))
    if not times:
        return None
    _, name, folder = max(times, key=lambda t: t[0])
    if folder is None:
        return _task_run(settings, root, name)
    problems: list[str] = []  # the newest is damaged: said, not taken for "none yet"
    if not (folder / SUMMARY).is_file():
        if (running := _running(settings, folder)) is not None:
            return running
        problems.append(_unsaved(folder))
    review = None if problems else _review(folder, problems)
    if review is None:
        raise UserInputError(problems[0], where=str(_ended(folder)),
                             fix=f"`reviewloop report RUN` shows another (`reviewloop runs` "
                                 f"lists them); remove {folder} to drop this one")
    return review


def _task_runs(settings: Settings, root: Path, problems: list[str]) -> Iterator[StoredRun]:
    """Every task run's summary. A pull request's `/reviewloop fix` run is not one: its
    findings are the pull request's, counted by the PR's record."""
    if not _has_registry(settings, root):
        return
    from reviewloop.runs.pr_fix import SPEC as PR_FIX
    from reviewloop.runs.store import registry_for

    try:
        records = registry_for(settings, root).list()
    except StoreDamaged as exc:  # named, and what else the store holds still counted
        problems.append(str(exc))
        return
    for record in records:
        if record.spec == PR_FIX:
            continue
        try:
            yield _task_run(settings, root, record.run_id, record)
        except LostRun as exc:  # names the run itself
            problems.append(str(exc))
        except UserInputError as exc:
            problems.append(f"run {record.run_id}: {exc}")


def _task_run(settings: Settings, root: Path, run_id: str,
              record: RunRecord | None = None) -> StoredRun:
    """A task run's summary from its checkpoints: the one the approval question showed (or
    the decision kept), else what its state holds so far (a run stopped before it)."""
    from reviewloop.graph.build import build_graph
    from reviewloop.runs.store import checkpointer, registry_for

    if record is None and not _has_registry(settings, root):  # asking creates no store
        raise UserInputError(f"no run {run_id!r}", where=str(root),
                             fix="see `reviewloop runs`; a review's RUN is in .reviewloop/"
                                 "reviews/")
    record = record or registry_for(settings, root).get(run_id)
    with checkpointer(settings, root, reading=True) as saver:
        snapshot = build_graph(checkpointer=saver).get_state(
            {"configurable": {"thread_id": run_id}})
    values: dict[str, Any] = dict(snapshot.values or {})
    summary = values.get("summary")
    if summary is None:
        asked = [i.value for t in snapshot.tasks for i in t.interrupts
                 if isinstance(i.value, dict) and "summary" in i.value]
        try:
            summary = RunSummary.model_validate(asked[0]["summary"], context=STORED) \
                if asked else None
        except ValidationError as exc:
            raise UserInputError(f"its summary cannot be read: {exc.errors()[0]['msg']}",
                                 fix="see `reviewloop runs`") from None
    if summary is None and not values:  # no checkpoint: not an empty run, a lost one
        raise LostRun(_lost(settings, root, record), where=f"run {run_id}",
                      fix="`reviewloop runs` lists it; its record is only where its "
                          "checkpoints were kept (a backup, or the damaged-* folder "
                          "`runs --repair` made: `sqlite3 .recover`)")
    if summary is None:
        ledger = values.get("ledger")
        summary = RunSummary(task_id=record.task_id, task_title=record.task_title,
                             ledger=ledger if isinstance(ledger, Ledger) else Ledger())
    summary = summary.model_copy(update={"run_id": run_id})
    return StoredRun("run", run_id, summary, _state(root) / RUNS / run_id)


def _lost(settings: Settings, root: Path, record: RunRecord) -> str:
    """Why a registered run has no state to read, and where its checkpoints went."""
    if record.status == "running":
        return ("its checkpoints hold no state: it is starting, or was killed before its "
                "first checkpoint")
    where = "the checkpoint store" if settings.checkpoint_url else \
        str(_state(root) / "checkpoints.sqlite")
    aside = sorted(_state(root).glob("damaged-*"))
    moved = f"; `runs --repair` moved a damaged store aside to {aside[-1]}" if aside else ""
    return (f"its checkpoints are gone ({record.status} run: its summary, findings and files "
            f"are not in {where}{moved})")


def _unsaved(folder: Path) -> str:
    """Why a review folder has no summary: its process still runs, or it was interrupted."""
    if (holder := live_review.driver(folder)) is not None:
        return (f"review {folder.name} is still running ({holder.shown()}): not counted "
                "until it ends")
    return (f"review {folder.name} was interrupted: no {SUMMARY} (killed or stopped by an "
            "error before it ended, or still running on another host); its trace and round "
            "diffs are kept")


def _running(settings: Settings, folder: Path) -> StoredRun | None:
    """A review whose process still runs, as far as it has got (`live_review`)."""
    holder = live_review.driver(folder)
    return None if holder is None else StoredRun(
        "review", folder.name, live_review.so_far(folder, holder, settings.prices), folder)


def _ended(folder: Path) -> Path:
    """A review folder's summary, or the folder itself when there is none (interrupted)."""
    return folder / SUMMARY if (folder / SUMMARY).is_file() else folder


def _review(folder: Path, problems: list[str]) -> StoredRun | None:
    try:
        summary = RunSummary.model_validate_json((folder / SUMMARY).read_bytes(),
                                                context=STORED)
    except (OSError, ValidationError) as exc:
        problems.append(f"review {folder.name}: {SUMMARY} cannot be read "
                        f"({_first(exc)})")
        return None
    return StoredRun("review", folder.name, summary.model_copy(update={"run_id": folder.name}),
                     folder)


def _pull(path: Path, problems: list[str]) -> tuple[StoredRun, set[str]] | None:
    data = _read_json(path)
    try:
        if data is None:
            raise ValueError("not JSON")
        summary = RunSummary.model_validate(data["summary"], context=STORED)
        name = f"{data['repo']}#{int(data['number'])}"
        pushes = {str(p["run_id"]) for p in data.get("pushes", [])}
    except (KeyError, TypeError, ValueError) as exc:
        problems.append(f"pull request record {path.name} cannot be read ({_first(exc)})")
        return None
    return StoredRun("pull_request", name, summary, None), pushes


def _has_registry(settings: Settings, root: Path) -> bool:
    """A run registry to read: Postgres, or the SQLite file a first run made."""
    # a folder in its place is a damaged registry, named by the registry: not "no runs"
    return bool(settings.checkpoint_url) or (_state(root) / "runs.sqlite").exists()


def _folders(root: Path, kind: str) -> list[Path]:
    base = _state(root) / kind
    return sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else []


def _state(root: Path) -> Path:
    # read only: nothing is created before the first run; exit 2 for a file there, never
    # "no runs yet" (report, stats)
    return state_folder(root)


def _slug(repo: str) -> str:
    return re.sub(r"[^A-Za-z0-9._]+", "-", repo).strip("-") or "repo"


def _mtime(path: Path) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.{os.getpid()}.part")
    part.write_text(text, encoding="utf-8")
    os.replace(part, path)


def _first(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(map(str, first['loc'])) or 'summary'}: {first['msg']}"
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
