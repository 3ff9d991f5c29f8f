"""Spec-writing sessions: one LangGraph thread each, checkpointed in SQLite under
`.reviewloop/`, so a stopped or killed session resumes at the gate it was waiting at."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.types import Command, StateSnapshot

from reviewloop import wal
from reviewloop.authoring.graph import SpecDeps, build_spec_graph
from reviewloop.errors import StoreDamaged, UserInputError
from reviewloop.git.repository import open_repository
from reviewloop.state_dir import STATE_DIR, not_a_file, read_only_state, writable_state

STATE_FILE = ".reviewloop/spec-sessions.sqlite"
_SCHEMA = """CREATE TABLE IF NOT EXISTS spec_sessions (
    name TEXT PRIMARY KEY, thread_id TEXT NOT NULL, status TEXT NOT NULL,
    tasks_file TEXT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL)"""
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_RESUME_FIX = "see the unfinished sessions with `reviewloop spec resume --list`"
_REPAIR_FIX = ("`reviewloop runs --repair` moves the damaged file into "
               ".reviewloop/damaged-<time>/ (nothing is deleted) and keeps every session "
               "it can still read")


@dataclass
class Step:
    """Where a session stands: waiting at a gate or a question, or written."""

    name: str
    status: str  # waiting | written
    waiting: dict[str, Any] = field(default_factory=dict)  # the interrupt's payload
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SessionRecord:
    name: str
    thread_id: str
    status: str
    tasks_file: str
    updated: str


def slug(text: str) -> str:
    """A feature name from a description: lower-case words joined by hyphens, accents
    dropped ("façade" → "facade"); a description with no Latin letter or digit at all gets
    `spec-` and a hash of it, so two such descriptions never share a name."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", plain.lower())
    name = "-".join(words[:5])[:40].strip("-")
    if name:
        return name
    described = " ".join(text.split())
    if not described:
        return "feature"
    return "spec-" + hashlib.sha256(described.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise UserInputError(f"invalid spec name {name!r}", where="--name",
                             fix="use lower-case letters, digits and hyphens, e.g. `todo-api`")
    return name


class SpecSessions:
    def __init__(self, root: Path, *, reading: bool = False):
        """`reading`: only `list` and `find` are asked, so a checkout this user cannot write
        (a read-only mount) is read as it is rather than refused."""
        self.root = root
        self.path = root / STATE_FILE
        self.read_only = reading and read_only_state(root)
        if not self.read_only:
            writable_state(root)  # exit 2 naming it: a file there, or not writable by this user
            open_repository(root).ensure_ignored(STATE_DIR)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with self._readable():
            if self.read_only:
                conn = wal.read_only(self.path, (_SCHEMA,))
            else:
                conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
                conn.execute(_SCHEMA)
            try:
                yield conn
                conn.commit()
            finally:
                conn.close()

    @contextmanager
    def _readable(self) -> Iterator[None]:
        """A file SQLite cannot read (overwritten, truncated) is named with its repair; a
        busy one (OperationalError) is not damage and goes on as it is. A folder or pipe
        where the file belongs is named before SQLite is asked to open it."""
        not_a_file(self.path, _REPAIR_FIX)
        try:
            yield
        except sqlite3.OperationalError:
            raise
        except sqlite3.DatabaseError as exc:
            raise StoreDamaged(f"{STATE_FILE} is damaged: {str(exc).splitlines()[0]}",
                               where=str(self.path), fix=_REPAIR_FIX) from None

    def list(self) -> list[SessionRecord]:
        with self._db() as db:
            rows = db.execute("SELECT name, thread_id, status, tasks_file, updated FROM "
                              "spec_sessions ORDER BY updated DESC, rowid DESC").fetchall()
        return [SessionRecord(*row) for row in rows]

    def find(self, name: str | None) -> SessionRecord:
        """The named session, or the latest unfinished one."""
        for record in self.list():
            if (name is None and record.status != "written") or record.name == name:
                return record
        what = f"no spec session named {name!r}" if name else "no unfinished spec session"
        raise UserInputError(what, where=str(self.path), fix=_RESUME_FIX)

    def start(self, first: dict[str, Any], deps: SpecDeps, *, fresh: bool = False) -> Step:
        """A new session; one of that name left unfinished (stopped, or crashed while
        drafting) is continued with `spec resume`, or replaced only when `fresh`."""
        name = first["name"]
        existing = next((r for r in self.list() if r.name == name), None)
        if existing is not None and existing.status != "written" and not fresh:
            raise UserInputError(f"a spec session named {name!r} is unfinished",
                                 fix=f"continue it with `reviewloop spec resume {name}`, "
                                     "start it again with --fresh, or choose another --name")
        thread_id = f"spec-{name}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"
        now = _now()
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO spec_sessions VALUES (?,?,?,?,?,?)",
                       (name, thread_id, "drafting", first["tasks_file"], now, now))
        return self._drive(name, thread_id, first, deps)

    def forget(self, name: str) -> None:
        """Drop the session `name` (one no answer can finish), so `spec new` starts anew."""
        with self._db() as db:
            db.execute("DELETE FROM spec_sessions WHERE name = ?", (name,))

    def resume(self, name: str, answer: dict[str, Any] | None, deps: SpecDeps) -> Step:
        record = self.find(name)
        if record.status == "written":
            raise UserInputError(f"the spec {name!r} is already written ({record.tasks_file})",
                                 fix="edit the file, or start again with another --name")
        payload: Command[Any] | None = Command(resume=answer) if answer is not None else None
        return self._drive(record.name, record.thread_id, payload, deps)

    def waiting(self, name: str) -> Step:
        """What the session waits for, without running anything."""
        record = self.find(name)
        with self._graph() as graph:
            return _step(record.name, graph.get_state(_config(record.thread_id)))

    @contextmanager
    def _graph(self) -> Iterator[Any]:
        with self._readable():
            conn = wal.connect(self.path)
            try:
                yield build_spec_graph(checkpointer=SqliteSaver(conn))
            finally:
                conn.close()

    def _drive(self, name: str, thread_id: str, payload: Any, deps: SpecDeps) -> Step:
        with self._graph() as graph:
            graph.invoke(payload, config=_config(thread_id), context=deps, durability="sync")
            step = _step(name, graph.get_state(_config(thread_id)))
        with self._db() as db:
            db.execute("UPDATE spec_sessions SET status=?, updated=? WHERE name=?",
                       (step.status, _now(), name))
        return step


def _step(name: str, snapshot: StateSnapshot) -> Step:
    values = dict(snapshot.values)
    for task in snapshot.tasks:
        for pending in task.interrupts:
            return Step(name, "waiting", dict(pending.value), values)
    status = "written" if values.get("files") else "drafting"
    return Step(name, status, {}, values)


def _config(thread_id: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id}, "recursion_limit": 100}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")
