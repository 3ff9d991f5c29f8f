"""The run registry: one row per task attempt, in SQLite under `.reviewloop/`.

A run is one LangGraph thread (its checkpoints live in `checkpoints.sqlite` beside this
file). The registry keeps what `resume`, `approve`, `reject` and `runs` need to rebuild the
loop: the task, the spec, the options the run started with, and its state.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from reviewloop.errors import (
    NOT_WRITABLE_FIX,
    DiskFull,
    NotWritable,
    StoreDamaged,
    UserInputError,
    disk_full,
    is_disk_full,
)
from reviewloop.git.carry import Packed
from reviewloop.git.worktrees import RunTree
from reviewloop.runs import liveness
from reviewloop.state_dir import not_a_file as _not_a_file
from reviewloop.state_dir import read_only_state, state_folder, writable_state

if TYPE_CHECKING:  # loaded when a registry is opened: a review writes none (#41)
    import sqlite3

log = logging.getLogger(__name__)
_EMPTY_SAID: set[Path] = set()  # the empty registries already named, once a process

OWNER = "owner.pid"  # in a run's folder while a process drives it: a liveness.Holder
# Approved, its commit or landing refused (`runs.stops`): `approve` again, or `reject`.
LANDING_REFUSED = "landing_refused"
# A failed or interrupted run stopped at a checkpoint: `reviewloop resume` continues it.
UNFINISHED = ("running", "awaiting_approval", "failed", "interrupted", LANDING_REFUSED)
REPAIR = "reviewloop runs --repair"
REPAIR_FIX = (f"`{REPAIR}` moves the damaged file into .reviewloop/damaged-<time>/ (nothing is "
              "deleted) and keeps every run it can still read")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    task_id TEXT NOT NULL,
    task_title TEXT NOT NULL,
    spec TEXT NOT NULL,
    status TEXT NOT NULL,
    options TEXT NOT NULL,
    batch TEXT,
    commit_sha TEXT,
    detail TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
)"""
# A run's work as the latest save left it (`runs.carry`): what `resume` rebuilds the run's
# worktree from in a clone that does not have it.
_WORK_SCHEMA = """
CREATE TABLE IF NOT EXISTS run_work (
    run_id TEXT PRIMARY KEY,
    base TEXT NOT NULL,
    head TEXT NOT NULL,
    tree TEXT NOT NULL,
    pack BLOB NOT NULL,
    updated TEXT NOT NULL
)"""


class RunRecord(BaseModel):
    model_config = ConfigDict(defer_build=True)  # built at first use (#41)

    run_id: str
    task_id: str
    task_title: str
    spec: str
    status: str  # running | awaiting_approval | committed | declined | failed | interrupted
    # | landing_refused | abandoned
    options: dict
    batch: str | None = None
    commit_sha: str | None = None
    detail: str | None = None
    created: str
    updated: str


def state_dir(root: Path) -> Path:
    """The state folder for a command about to write in it (exit 2 when it cannot)."""
    return writable_state(root)


def run_dir(root: Path, run_id: str) -> Path:
    return state_dir(root) / "runs" / run_id


def crashed(root: Path, record: RunRecord) -> bool:
    """A run registered as running whose process is gone (killed, machine restarted)."""
    return record.status == "running" and live_holder(root, record) is None


def live_holder(root: Path, record: RunRecord) -> liveness.Holder | None:
    """The live process driving `record` when it is registered as running (None: no one; a
    missing or unreadable owner file counts as no one)."""
    if record.status != "running":
        return None
    try:
        holder = liveness.loads((run_dir(root, record.run_id) / OWNER).read_text(
            encoding="utf-8"))
    except OSError:
        return None
    if holder is None or liveness.verdict(holder) is liveness.Verdict.DEAD:
        return None
    return holder


def new_run_id(task_id: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", task_id).strip("-") or "task"
    return f"{slug}-{stamp}-{secrets.token_hex(2)}"


class RunStore(ABC):
    """The registry's operations, written once for both stores: a subclass gives the
    connection (`_db`, rows readable by column name), where it is (`path`, for messages),
    its table, the column that keeps insertion order, and its SQL placeholder."""

    path: Path | str
    table = "runs"
    work_table = "run_work"
    order = "rowid"
    mark = "?"

    @abstractmethod
    def _db(self) -> AbstractContextManager[Any]:
        """A connection whose rows are read by column name, committed on a clean exit."""

    def _sql(self, statement: str) -> str:
        return statement.format(table=self.table, order=self.order,
                                work=self.work_table).replace("?", self.mark)

    def create(self, run_id: str, *, task_id: str, task_title: str, spec: str,
               options: dict, batch: str | None = None) -> RunRecord:
        now = _now()
        with self._db() as db:
            db.execute(self._sql("INSERT INTO {table} (run_id, task_id, task_title, spec, "
                                 "status, options, batch, created, updated) "
                                 "VALUES (?,?,?,?,?,?,?,?,?)"),
                       (run_id, task_id, task_title, spec, "running", json.dumps(options),
                        batch, now, now))
        return self.get(run_id)

    def update(self, run_id: str, *, status: str, commit_sha: str | None = None,
               detail: str | None = None) -> None:
        with self._db() as db:
            db.execute(self._sql("UPDATE {table} SET status=?, commit_sha=COALESCE(?, "
                                 "commit_sha), detail=COALESCE(?, detail), updated=? "
                                 "WHERE run_id=?"),
                       (status, commit_sha, detail, _now(), run_id))

    def get(self, run_id: str) -> RunRecord:
        row = None
        if _storable(run_id):  # a byte no run id holds (argv's surrogate escape): no run
            with self._db() as db:
                row = db.execute(self._sql("SELECT * FROM {table} WHERE run_id=?"),
                                 (run_id,)).fetchone()
        if row is None:
            known = ", ".join(r.run_id for r in self.list()[:5]) or "none yet"
            raise UserInputError(f"no run {run_id!r}", where=str(self.path),
                                 fix=f"see `reviewloop runs` (latest: {known})")
        try:
            return _record(row)
        except (KeyError, ValueError, TypeError) as exc:
            raise StoreDamaged(f"the registry row of run {run_id} cannot be read: "
                               f"{_first_line(exc)}", where=str(self.path),
                               fix=REPAIR_FIX) from None

    def list(self) -> list[RunRecord]:
        """Every run whose row reads, newest first (`scan` also says what does not)."""
        records, _, damage = scan(self)
        if damage is not None:
            raise damage
        return records

    def restore(self, record: RunRecord) -> None:
        """Write `record` back as it was (`runs --repair` rebuilding a damaged registry)."""
        data = record.model_dump()
        data["options"] = json.dumps(data["options"])
        with self._db() as db:
            db.execute(self._sql(f"INSERT INTO {{table}} ({', '.join(data)}) VALUES "
                                 f"({','.join('?' * len(data))})"), tuple(data.values()))

    def relocate(self, run_id: str, *, spec: str, options: dict) -> None:
        """Say where a run works now (its worktree rebuilt in another clone)."""
        with self._db() as db:
            db.execute(self._sql("UPDATE {table} SET spec=?, options=?, updated=? "
                                 "WHERE run_id=?"),
                       (spec, json.dumps(options), _now(), run_id))

    def save_work(self, run_id: str, packed: Packed) -> None:
        with self._db() as db:
            db.execute(self._sql(
                "INSERT INTO {work} (run_id, base, head, tree, pack, updated) "
                "VALUES (?,?,?,?,?,?) ON CONFLICT (run_id) DO UPDATE SET base=excluded.base, "
                "head=excluded.head, tree=excluded.tree, pack=excluded.pack, "
                "updated=excluded.updated"),
                (run_id, packed.base, packed.head, packed.tree, packed.pack, _now()))

    def work(self, run_id: str) -> Packed | None:
        """The run's work as last saved; None when nothing was (a run of an older version)."""
        with self._db() as db:
            row = db.execute(self._sql("SELECT base, head, tree, pack FROM {work} "
                                       "WHERE run_id=?"), (run_id,)).fetchone()
        return None if row is None else Packed(base=row["base"], head=row["head"],
                                               tree=row["tree"], pack=bytes(row["pack"]))

    def forget_work(self, run_id: str) -> None:
        """A finished run is never rebuilt: its saved work goes."""
        with self._db() as db:
            db.execute(self._sql("DELETE FROM {work} WHERE run_id=?"), (run_id,))

    def latest_unfinished(self) -> RunRecord:
        for record in self.list():
            if record.status in UNFINISHED:
                return record
        raise UserInputError("no unfinished run to resume", where=str(self.path),
                             fix="start one with `reviewloop run TASK|next|all`")

    def open_for_task(self, task_id: str, spec: str) -> RunRecord | None:
        for record in self.list():
            if record.task_id == task_id and record.spec == spec and record.status in UNFINISHED:
                return record
        return None


class Registry(RunStore):
    """The registry of one checkout, in SQLite under `.reviewloop/`."""

    path: Path

    def __init__(self, root: Path):
        self.root = root
        self.path = state_folder(root) / "runs.sqlite"

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """Read-only where this user cannot write the state folder (a read-only checkout):
        reading works there, and a write is refused naming the file (exit 2)."""
        import sqlite3

        from reviewloop import wal

        conn: sqlite3.Connection | None = None
        not_a_file(self.path)
        empty_file(self.path)
        try:
            if read_only_state(self.root):
                conn = wal.read_only(self.path, (_SCHEMA, _WORK_SCHEMA))
                no_table(conn, self.path)
            else:
                conn = sqlite3.connect(writable_state(self.root) / self.path.name, timeout=30)
                no_table(conn, self.path)
                conn.execute(_SCHEMA)
                conn.execute(_WORK_SCHEMA)
            conn.row_factory = sqlite3.Row
            yield conn
            conn.commit()
        except sqlite3.DatabaseError as exc:
            if getattr(exc, "sqlite_errorname", "").startswith("SQLITE_READONLY"):
                raise NotWritable("the run registry cannot be written here: "
                                  f"{_first_line(exc)}", where=str(self.path),
                                  fix=NOT_WRITABLE_FIX) from None
            damaged = store_damaged(Path(self.path), exc)
            if damaged is None:
                raise
            raise damaged from exc
        finally:
            if conn is not None:
                conn.close()


def not_a_file(path: Path) -> None:
    """A registry path that is there but not a file (a folder, a socket) is a damaged store,
    never an empty one: `runs --repair` moves it aside."""
    _not_a_file(path, REPAIR_FIX)


def empty_file(path: Path) -> None:
    """A registry of 0 bytes held no run anyone could read: said once (a warning naming it),
    then used as a new store. Not damage: it is also what SQLite leaves for a moment when a
    first writer creates the file, so `runs --repair` has nothing of it to keep."""
    if path not in _EMPTY_SAID and path.is_file() and path.stat().st_size == 0:
        _EMPTY_SAID.add(path)
        log.warning("%s is empty (0 bytes), starting a new store: no run was readable in it, "
                    "so none is lost", path)


def no_table(conn: sqlite3.Connection, path: Path) -> None:
    """A database with pages but no table at all (its tables dropped, or another program's
    emptied file) held runs once: damaged, never read as "no runs yet" nor given a fresh
    table. A file of no pages is a registry about to be made (its first writer's)."""
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    if pages and conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None:
        raise StoreDamaged(f"{path.name} is damaged: it holds no table (not a run registry)",
                           where=str(path), fix=REPAIR_FIX)


def scan(store: RunStore) -> tuple[list[RunRecord], list[str], StoreDamaged | None]:
    """(the runs that read, a line per row that does not, the file's damage if any): what
    a damaged registry still holds, read row by row up to where the damage starts."""
    records: list[RunRecord] = []
    unreadable: list[str] = []
    try:
        with store._db() as db:
            for row in db.execute(store._sql(
                    "SELECT * FROM {table} ORDER BY created DESC, {order} DESC")):
                try:
                    records.append(_record(row))
                except (KeyError, ValueError, TypeError) as exc:
                    name = row["run_id"] if "run_id" in row.keys() else "?"  # noqa: SIM118
                    unreadable.append(f"run {name}: its registry row cannot be read "
                                      f"({_first_line(exc)})")
    except StoreDamaged as damage:
        return records, unreadable, damage
    return records, unreadable, None


def store_damaged(path: Path, exc: sqlite3.DatabaseError) -> StoreDamaged | DiskFull | None:
    """The error to show for `exc` when it means the SQLite file at `path` is damaged (or a
    table in it has another shape than this reviewloop writes) or its disk is full; None for
    any other error."""
    import sqlite3

    if is_disk_full(exc):
        return disk_full(exc, path)
    name = getattr(exc, "sqlite_errorname", "")
    shape = isinstance(exc, sqlite3.OperationalError) and any(
        words in str(exc) for words in ("no such column", "has no column named"))
    if not (name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or shape):
        return None
    return StoreDamaged(f"{path.name} is damaged: {_first_line(exc)}", where=str(path),
                        fix=REPAIR_FIX)


def _first_line(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):  # its first line only counts the errors
        first = exc.errors()[0]
        return f"{'.'.join(map(str, first['loc'])) or 'row'}: {first['msg']}"
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _record(row: Mapping[str, Any]) -> RunRecord:
    data = {key: row[key] for key in row.keys() if key != "seq"}  # noqa: SIM118 (sqlite3.Row iterates values)
    if isinstance(data["options"], str):
        data["options"] = json.loads(data["options"])
    return RunRecord(**data)


def _storable(run_id: str) -> bool:
    """Whether `run_id` can be a stored run id at all: text the store can hold (an argument
    with a byte that is not UTF-8 arrives surrogate-escaped and cannot be sent to it)."""
    try:
        run_id.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in run_id


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_tree(record: RunRecord) -> RunTree | None:
    """Where a registered run works (None for runs from before worktrees)."""
    data = record.options.get("worktree")
    return RunTree.model_validate(data) if data else None


def shown_detail(record: RunRecord) -> str | None:
    """The detail `runs` and the handoff show. A failed run with a commit, or one whose
    landing was refused, was approved and stopped after making it: the commit waits on the
    run's branch; `approve` lands it once the cause is gone."""
    if record.status not in ("failed", LANDING_REFUSED) or not record.commit_sha:
        return record.detail
    tree = run_tree(record)
    where = f"branch {tree.branch}" if tree else "the run's branch"
    return f"approved; its commit waits on {where}: {record.detail or 'it was not landed'}"
