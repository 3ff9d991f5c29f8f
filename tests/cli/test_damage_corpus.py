"""Damaged stores and malformed inputs × the commands that read them: 0 tracebacks, 0 exit 3.

One project holds a run waiting for approval; each case restores its store, damages it (or
an input file), and runs the real CLI. A damage is exit 2 naming the file (or the run) and
the fix; `runs --repair` moves damaged files into `.reviewloop/damaged-<time>/`, byte for
byte, and keeps every run that still reads. (An event file that is not UTF-8 is PR mode's,
tested with it.)
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.loop_cli import SPEC, cli, make_example, manual_change

STORE = ("runs.sqlite", "checkpoints.sqlite")


@dataclass
class Project:
    root: Path
    run_id: str
    saved: Path  # the healthy store files

    @property
    def state(self) -> Path:
        return self.root / ".reviewloop"

    def restore(self) -> None:
        for name in STORE:
            if (self.state / name).is_dir():  # a case put a folder in its place
                shutil.rmtree(self.state / name)
            shutil.copy2(self.saved / name, self.state / name)
        for folder in self.state.glob("damaged-*"):
            shutil.rmtree(folder)
        git(self.root, "checkout", "-q", "--", ".")  # inputs a case broke


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    base = tmp_path_factory.mktemp("corpus")
    root = make_example(base)
    manual_change(root)
    waiting = cli(root, "run", "T2", "--spec", SPEC, "--implementer", "manual", "--branch",
                  "work")
    assert waiting.returncode == 1, waiting.stdout + waiting.stderr  # waits for approval
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the change, committed on work")
    run_id = json.loads(cli(root, "runs", "--json").stdout)["runs"][0]["run_id"]
    saved = base / "saved"
    saved.mkdir()
    for name in STORE:
        shutil.copy2(root / ".reviewloop" / name, saved / name)
    yield Project(root, run_id, saved)


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 3])


def garbage(path: Path) -> None:
    path.write_bytes(b"not a database at all\0\xff" * 200)


def zero(path: Path) -> None:
    path.write_bytes(b"")


def folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


def no_tables(path: Path) -> None:
    with closing(sqlite3.connect(path)) as db:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                  ).fetchall():
            db.execute(f'DROP TABLE "{name}"')
        db.commit()


def delete(path: Path) -> None:
    path.unlink()


def bad_json(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE runs SET options = '{not json'")


def not_an_object(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE runs SET options = '[1, 2]'")


def missing_key(path: Path) -> None:
    with sqlite3.connect(path) as db:  # a table of another shape: a column gone
        db.execute("ALTER TABLE runs DROP COLUMN task_title")


STORE_DAMAGE: dict[str, tuple[str, Callable[[Path], None]]] = {
    "truncated registry": ("runs.sqlite", truncate),
    "garbage registry": ("runs.sqlite", garbage),
    "zero-length registry": ("runs.sqlite", zero),
    "registry a folder": ("runs.sqlite", folder),  # both read as "no runs yet"
    "registry of no table": ("runs.sqlite", no_tables),
    "truncated checkpoints": ("checkpoints.sqlite", truncate),
    "garbage checkpoints": ("checkpoints.sqlite", garbage),
    "zero-length checkpoints": ("checkpoints.sqlite", zero),
    "deleted checkpoints": ("checkpoints.sqlite", delete),
    "row with invalid JSON": ("runs.sqlite", bad_json),
    "row with JSON of another type": ("runs.sqlite", not_an_object),
    "row missing a key": ("runs.sqlite", missing_key),
}
ROW_DAMAGE = {"row with invalid JSON", "row with JSON of another type", "row missing a key"}


def commands(run_id: str, case: str) -> list[tuple[str, ...]]:
    """What reads the store. `run` only where the file is damaged (preflight refuses it): an
    empty or missing file, or a bad row, is no obstacle to a new run, which would then start
    and leave its worktree in this shared project."""
    chosen = [("runs",), ("runs", "--json"), ("resume", run_id), ("approve", run_id),
              ("reject", run_id)]
    if case.startswith(("truncated", "garbage")):
        chosen.append(("run", "T3", "--spec", SPEC, "--implementer", "manual"))
    return chosen


def no_crash(done, what: str) -> None:
    assert done.returncode in (0, 1, 2), f"{what}: exit {done.returncode}\n{done.stderr}"
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, what


@pytest.mark.parametrize("case", sorted(STORE_DAMAGE))
def test_a_damaged_store_is_never_a_crash(project: Project, case: str) -> None:
    name, damage = STORE_DAMAGE[case]
    for command in commands(project.run_id, case):
        project.restore()
        damage(project.state / name)
        done = cli(project.root, *command)
        no_crash(done, f"{case}: {' '.join(command)}")
        if command[0] == "runs" and case not in ("zero-length registry",
                                                 "zero-length checkpoints"):
            assert done.returncode == 2, f"{case}: {done.stdout}{done.stderr}"
            assert "Cannot read:" in done.stderr
        if command[0] in ("resume", "approve", "reject") and case != "zero-length registry":
            assert done.returncode == 2, f"{case} {command}: {done.stdout}{done.stderr}"
            assert name in done.stderr or project.run_id in done.stderr
        if command[0] == "run":
            assert done.returncode == 2 and f"{name} is damaged" in done.stderr, done.stderr
            assert git(project.root, "branch", "--list", "reviewloop/T3") == ""


def test_an_empty_registry_is_said_once_then_a_new_store(project: Project) -> None:
    """A 0-byte runs.sqlite held no run anyone could read: named once as empty, never read
    silently as "no runs yet"; the store it becomes is said nothing more of."""
    project.restore()
    registry = project.state / "runs.sqlite"
    zero(registry)
    done = cli(project.root, "runs", "--json")
    no_crash(done, "runs on an empty registry")
    assert done.returncode == 0 and json.loads(done.stdout)["runs"] == []
    said = f"{registry} is empty (0 bytes), starting a new store: no run was readable in it"
    assert " ".join(done.stderr.split()).count(said) == 1, done.stderr
    again = cli(project.root, "runs", "--json")
    assert again.returncode == 0 and "is empty (0 bytes)" not in again.stderr
    assert registry.stat().st_size > 0  # the new store, made by the first read


@pytest.mark.parametrize("case", ["garbage registry", "truncated checkpoints",
                                  "row with invalid JSON"])
def test_repair_moves_the_damaged_file_aside_byte_for_byte(project: Project,
                                                           case: str) -> None:
    name, damage = STORE_DAMAGE[case]
    project.restore()
    damage(project.state / name)
    damaged = (project.state / name).read_bytes()

    repaired = cli(project.root, "runs", "--repair")

    no_crash(repaired, case)
    [folder] = project.state.glob("damaged-*")
    assert (folder / name).read_bytes() == damaged  # nothing lost
    assert f"moved {name} to .reviewloop/{folder.name}/{name}" in repaired.stdout
    listed = cli(project.root, "runs", "--json")
    no_crash(listed, "runs after the repair")
    report = json.loads(listed.stdout)
    if name == "runs.sqlite":  # the registry's only row did not read: a fresh registry
        assert listed.returncode == 0 and report["runs"] == []
    else:  # the registry is intact; the run's checkpoints are what was lost
        assert [r["run_id"] for r in report["runs"]] == [project.run_id]
        resumed = cli(project.root, "resume", project.run_id)
        no_crash(resumed, "resume after the repair")
        assert resumed.returncode == 2


def test_runs_lists_what_reads_and_names_the_row_that_does_not(project: Project) -> None:
    project.restore()
    with sqlite3.connect(project.state / "runs.sqlite") as db:
        row = db.execute("SELECT * FROM runs").fetchone()
        db.execute("INSERT INTO runs SELECT 'broken-run', task_id, task_title, spec, status, "
                   "'{oops', batch, commit_sha, detail, created, updated FROM runs")
    assert row is not None
    done = cli(project.root, "runs", "--json")
    assert done.returncode == 2
    report = json.loads(done.stdout)
    assert [r["run_id"] for r in report["runs"]] == [project.run_id]
    assert report["unreadable"] == ["run broken-run: its registry row cannot be read "
                                    "(Expecting property name enclosed in double quotes: "
                                    "line 1 column 2 (char 1))"]
    assert "runs --repair" in done.stderr


RUN_T3 = ("run", "T3", "--spec", SPEC, "--implementer", "manual")
# (file, content, commands, exit codes allowed): a spec reader tolerates a bad byte (it
# reports what it cannot understand instead of failing), so the spec's case may exit 0.
MALFORMED: dict[str, tuple[str, Callable[[bytes], bytes], list[tuple[str, ...]], set[int]]] = {
    "spec not UTF-8": (SPEC, lambda spec: spec + b"\n- [ ] T9 caf\xe9 \xff\xfe\n",
                       [("tasks", "--spec", SPEC), ("plan", "--spec", SPEC)], {0, 2}),
    "agent JSON invalid": (".kiro/agents/review-security.json",
                           lambda _: b'{"name": "review-security", "prompt": ',
                           [RUN_T3, ("review", "--working"), ("agents",)], {2}),
    "agent JSON of another shape": (".kiro/agents/review-security.json",
                                    lambda _: b'{"name": "review-security", "prompt": 5}',
                                    [RUN_T3, ("review", "--working")], {2}),
    "config TOML invalid": (".reviewloop.toml", lambda _: b"[gates\ntest = \n", [
        ("runs",), RUN_T3, ("review", "--working"), ("resume", "RUN"), ("approve", "RUN")],
        {2}),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_input_is_exit_2_naming_the_file(project: Project, case: str) -> None:
    path, content, chosen, codes = MALFORMED[case]
    target = project.root / path
    for command in chosen:
        project.restore()
        before = target.read_bytes() if target.exists() else b""
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content(before))
        args = tuple(project.run_id if a == "RUN" else a for a in command)
        done = cli(project.root, *args)
        no_crash(done, f"{case}: {' '.join(args)}")
        assert done.returncode in codes, f"{case}: {' '.join(args)}\n{done.stdout}{done.stderr}"
        if done.returncode == 2:
            assert Path(path).name in done.stderr, done.stderr
        assert git(project.root, "branch", "--list", "reviewloop/T3") == ""  # nothing began
        if before:
            target.write_bytes(before)
        else:
            target.unlink()
