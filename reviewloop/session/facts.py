"""The facts of a handoff, gathered from git, the run registry, the specs and the notes."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from reviewloop.runs.registry import (
    LANDING_REFUSED,
    Registry,
    RunRecord,
    shown_detail,
)
from reviewloop.session import history, notes, resources
from reviewloop.session.notes import Note
from reviewloop.session.resources import Deployed
from reviewloop.spec import select
from reviewloop.spec.loader import find_specs, load_spec
from reviewloop.spec.model import Task
from reviewloop.state_dir import STATE_DIR


class _Fact(BaseModel):
    model_config = ConfigDict(extra="ignore")


class RunFact(_Fact):
    run_id: str
    task_id: str
    task_title: str
    status: str
    updated: str
    spec: str = ""  # the spec's path in the repository ("" when outside it, or unknown)
    commit: str | None = None
    detail: str | None = None
    passed_tests: int | None = None
    fixed: int = 0
    escalated: int = 0


class OpenTask(_Fact):
    id: str
    title: str
    status: str
    notes: str = ""


class SpecFact(_Fact):
    path: str
    format: str
    done: int
    total: int
    next_task: str | None = None  # "id title" of what `run next` picks
    next_id: str | None = None  # its id
    open: list[OpenTask] = Field(default_factory=list[OpenTask])
    diagnostics: int = 0
    done_ids: list[str] = Field(default_factory=list[str])  # ticked (absent: an older handoff)


class Facts(_Fact):
    """Everything a handoff states; `pickup` compares a saved copy with a fresh one."""

    created: str
    branch: str | None
    head: str | None
    head_subject: str = ""
    dirty: list[str] = Field(default_factory=list[str])
    upstream: str | None = None
    unpushed: list[str] = Field(default_factory=list[str])
    specs: list[SpecFact] = Field(default_factory=list[SpecFact])
    runs: list[RunFact] = Field(default_factory=list[RunFact])  # every run, newest first
    commits_since: list[str] = Field(default_factory=list[str])
    files_touched: list[str] = Field(default_factory=list[str])
    notes: list[Note] = Field(default_factory=list[Note])
    spec_sessions: list[str] = Field(default_factory=list[str])  # unfinished `spec new` sessions
    missing_credentials: str | None = None
    previous: str | None = None  # when the last handoff was written
    deployed: list[Deployed] = Field(default_factory=list[Deployed])  # from the outputs files
    # sources that could not be read
    deployed_problems: list[str] = Field(default_factory=list[str])
    # git reads that failed ("could not read the working tree: <git's message>"): blockers,
    # and what they would have said is unknown, never "clean"
    unread: list[str] = Field(default_factory=list[str])

    @property
    def pending(self) -> list[RunFact]:
        return [r for r in self.runs if r.status == "awaiting_approval"]

    @property
    def failed(self) -> list[RunFact]:
        return [r for r in self.runs if r.status in ("failed", "interrupted", LANDING_REFUSED)]

    def runs_since(self) -> list[RunFact]:
        return [r for r in self.runs if self.previous is None or r.updated > self.previous]

    def last_tests(self) -> int | None:
        return next((r.passed_tests for r in self.runs if r.passed_tests is not None), None)


def gather(root: Path, *, previous: Facts | None, spec_sessions: list[str],
           missing_credentials: str | None, outputs: Sequence[str] = ()) -> Facts:
    git = history.Reader(root)
    tree = git.tree_state()
    since = previous.head if previous and previous.head and tree.head and \
        git.is_ancestor(previous.head) else None
    new = git.commits_between(since, limit=20 if since else 10) if tree.head else ()
    dirty_paths = [line[3:] for line in tree.dirty]
    touched = list(dict.fromkeys([*dirty_paths, *(f for c in new for f in c.files)]))
    after = previous.created if previous else None
    deployed, unread = resources.read_outputs(root, outputs)
    return Facts(
        created=datetime.now(UTC).isoformat(timespec="seconds"), branch=tree.branch,
        head=tree.head, head_subject=tree.head_subject, dirty=list(tree.dirty),
        upstream=tree.upstream, unpushed=[c.line() for c in tree.unpushed],
        specs=spec_facts(root), runs=run_facts(root), commits_since=[c.line() for c in new],
        files_touched=touched[:30],
        notes=handed_over(notes.read(root), previous, tree.head),
        spec_sessions=spec_sessions, missing_credentials=missing_credentials, previous=after,
        deployed=deployed, deployed_problems=unread, unread=list(git.unread))


def handed_over(recorded: list[Note], previous: Facts | None, head: str | None) -> list[Note]:
    """The notes a handoff lists: every preference; the decisions the last handoff did not
    list, recorded in or after its second (a note of the same second is not lost); and, when
    nothing was committed since it (the handoff written again, to refresh it), the ones it
    listed, so no decision is dropped before a session after it could read it."""
    if previous is None:
        return recorded
    listed = set(previous.notes)
    carried = previous.head == head
    return [n for n in recorded if n.kind == "preference" or (carried and n in listed)
            or (n not in listed and n.created >= previous.created)]


def spec_facts(root: Path) -> list[SpecFact]:
    facts = []
    for path in find_specs(root):
        spec = load_spec(root, path)
        done, total = spec.progress()
        upcoming = select.next_task(spec.tasks)
        facts.append(SpecFact(
            path=path.relative_to(root).as_posix(), format=spec.format.value, done=done,
            total=total, next_task=f"{upcoming.id} {upcoming.title}" if upcoming else None,
            next_id=upcoming.id if upcoming else None,
            open=[OpenTask(id=t.id, title=t.title, status=t.status.value,
                           notes=_task_note(t)) for t in spec.tasks
                  if not t.is_done and t.is_leaf and not t.optional],
            diagnostics=len(spec.diagnostics),
            done_ids=[t.id for t in spec.tasks if t.is_done]))
    return facts


def _task_note(task: Task) -> str:
    deps = [d for d in task.depends_on if d not in task.children]
    return f"after {', '.join(deps)}" if deps else ""


def run_facts(root: Path) -> list[RunFact]:
    """Every run the registry holds; none, and no registry made, when there is no registry
    file or it is empty (0 bytes): a handoff and `pickup` only read it. `pickup` names the
    runs its handoff listed that are gone."""
    registry = Registry(root)
    if not registry.path.is_symlink() and (
            not registry.path.exists() or (registry.path.is_file()
                                           and registry.path.stat().st_size == 0)):
        return []
    summaries = _summaries(Path(registry.path).parent / "checkpoints.sqlite")
    return [_run_fact(record, summaries(record.run_id), root) for record in registry.list()]


def _run_fact(record: RunRecord, summary: dict[str, Any], root: Path) -> RunFact:
    from reviewloop.reports.report import RunSummary

    run = RunSummary.model_validate(summary) if summary else None
    return RunFact(run_id=record.run_id, task_id=record.task_id, task_title=record.task_title,
                   status=record.status, updated=record.updated, spec=_in_repo(record.spec, root),
                   commit=record.commit_sha,
                   detail=shown_detail(record), passed_tests=summary.get("passed_tests"),
                   fixed=len(run.findings_fixed) if run else 0,
                   escalated=len(run.findings_remaining) if run else 0)


def _in_repo(spec: str, root: Path) -> str:
    try:
        return Path(spec).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return ""


def run_summary(root: Path, run_id: str) -> dict[str, Any]:
    """The summary the last checkpoint of `run_id` holds ({} when it has none); the local
    SQLite store only."""
    return _summaries(root / STATE_DIR / "checkpoints.sqlite")(run_id)


def _summaries(path: Path) -> Callable[[str], dict[str, Any]]:
    """run id -> the summary its last checkpoint holds ({} when there is none)."""
    def lookup(run_id: str) -> dict[str, Any]:
        if not path.is_file() or path.stat().st_size == 0:  # none, and none made here
            return {}
        from langgraph.checkpoint.sqlite import SqliteSaver

        from reviewloop import wal
        from reviewloop.runs.store import state_serde

        try:  # a folder this user cannot write (a read-only checkout) is read as it is
            conn = (sqlite3.connect(path, check_same_thread=False, timeout=30)
                    if os.access(path.parent, os.W_OK | os.X_OK) else wal.read_only(path))
        except sqlite3.Error:
            return {}
        try:
            found = SqliteSaver(conn, serde=state_serde()).get_tuple(
                {"configurable": {"thread_id": run_id}})
        except sqlite3.Error:
            return {}
        finally:
            conn.close()
        values = found.checkpoint.get("channel_values", {}) if found else {}
        summary = values.get("summary") or _waiting_summary(found.pending_writes or []
                                                            if found else [])
        if isinstance(summary, BaseModel):  # the typed state's RunSummary
            return summary.model_dump(mode="json")
        return summary if isinstance(summary, dict) else {}
    return lookup


def _waiting_summary(writes: list[tuple[str, str, Any]]) -> dict[str, Any] | None:
    """A run waiting at "Ready to commit?" keeps its summary in the approval interrupt."""
    for _, channel, value in writes:
        if channel != "__interrupt__":
            continue
        for interrupt in value if isinstance(value, list | tuple) else [value]:
            payload = getattr(interrupt, "value", None)
            if isinstance(payload, dict) and isinstance(payload.get("summary"), dict):
                return payload["summary"]
    return None
