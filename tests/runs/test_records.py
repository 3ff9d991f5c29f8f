"""What `stats` counts and `report` shows of a run store holding what cannot be read as a run:
a task run whose checkpoints are gone (moved aside by `runs --repair`, or never kept), a
review killed before its summary, and bench replays (past commits `reviewloop bench`
reviewed). Each is named or kept apart, never counted or shown as an empty run. Store layouts
are generated: a product of statuses, checkpoint states and folder orders."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sqlite3
from contextlib import ExitStack, closing
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.config import Settings
from reviewloop.errors import UserInputError
from reviewloop.reports.report import REVIEW_ID, RunSummary, verdict
from reviewloop.runs import live_review, liveness
from reviewloop.runs import review as review_module
from reviewloop.runs.records import find, is_replay, review_id, save_summary, stored
from reviewloop.runs.registry import Registry
from reviewloop.runs.review import DiffSource, review_change
from reviewloop.runs.store import checkpointer
from tests.support.repos import init_repo

STATUSES = ("committed", "declined", "failed", "interrupted", "awaiting_approval")
# what became of checkpoints.sqlite: never kept, moved aside by `runs --repair`, or a fresh
# store that never saw the run
CHECKPOINTS = ("absent", "moved_aside", "empty_store")


def task_run(root: Path, status: str, store: str) -> str:
    """A registered task run in `status` whose checkpoints hold nothing, as `store` says."""
    registry = Registry(root)
    run_id = f"T1-20260101-000000-{STATUSES.index(status):04x}"
    registry.create(run_id, task_id="T1", task_title="Add a thing", spec="tasks.md",
                    options={})
    registry.update(run_id, status=status)
    state = root / ".reviewloop"
    if store == "empty_store":
        with checkpointer(Settings(), root):
            pass
    elif store == "moved_aside":
        with checkpointer(Settings(), root):
            pass
        aside = state / "damaged-20260101-000000"
        aside.mkdir()
        shutil.move(state / "checkpoints.sqlite", aside / "checkpoints.sqlite")
    return run_id


@pytest.mark.parametrize(("status", "store"), list(itertools.product(STATUSES, CHECKPOINTS)))
def test_a_task_run_whose_checkpoints_are_gone_is_named_not_counted_empty(
        tmp_path: Path, status: str, store: str) -> None:
    run_id = task_run(tmp_path, status, store)
    found = stored(Settings(), tmp_path)
    assert found.runs == []  # before: an empty RunSummary, counted with 0 findings
    [line] = found.unreadable
    assert line.startswith(f"run {run_id}: its checkpoints are gone") and status in line
    if store == "moved_aside":
        assert "damaged-20260101-000000" in line
    for name in (run_id, None):  # by its id, and as the newest
        with pytest.raises(UserInputError) as raised:
            find(Settings(), tmp_path, name)
        assert f"run {run_id}" in str(raised.value)
        assert "checkpoints are gone" in str(raised.value)


def review(root: Path, *, replay: bool = False, interrupted: bool = False,
           when: int = 0, holder: liveness.Holder | None = None,
           running: ExitStack | None = None) -> str:
    """A review folder as `review_change` leaves it: its diff and trace, the process that
    drove it (`holder`, a name only: no review holds it), and its summary unless it was
    killed before the end or is still running (held by this process until `running`
    closes); `when` orders the folders (no clock read)."""
    run_id = f"{review_id(replay=replay)}-{when}"
    folder = root / ".reviewloop" / "reviews" / run_id
    folder.mkdir(parents=True)
    (folder / "round-1.diff").write_text(CHANGE)
    (folder / "trace.jsonl").write_text("")
    if holder is not None:
        (folder / live_review.HOLDER).write_text(holder.dumps())
    if running is not None:
        running.enter_context(live_review.held(folder))
    if not interrupted:
        save_summary(folder, RunSummary(task_id=REVIEW_ID, task_title="main...feature",
                                        run_id=run_id))
    for path in (*folder.iterdir(), folder):
        os.utime(path, (1_000_000 + when, 1_000_000 + when))
    return run_id


CHANGE = ("diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"
          "diff --git a/n.py b/n.py\nnew file mode 100644\n--- /dev/null\n+++ b/n.py\n"
          "@@ -0,0 +1 @@\n+y = 1\n")
# a review: saved; interrupted by an older version (no holder) or with its process gone
# (this process's pid with another start time: a reused pid); stopped while its process goes
# on (this process named, no review holding it: an error in `reviewloop mcp` before the
# holder was removed on every way out); still running (held by this process)
KINDS = ("review", "interrupted", "gone", "stopped", "running", "replay")
GONE = replace(liveness.me(), start=(liveness.me().start or 0) + 1)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
def test_interrupted_reviews_are_named_and_bench_replays_kept_apart(tmp_path: Path,
                                                                    kinds: list[str]) -> None:
    root = tmp_path / "r"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    with ExitStack() as running:
        made = [(kind, review(root, replay=kind == "replay", when=i,
                              interrupted=kind in ("interrupted", "gone", "stopped", "running"),
                              holder={"gone": GONE, "stopped": liveness.me()}.get(kind),
                              running=running if kind == "running" else None))
                for i, kind in enumerate(kinds)]
        _check_stored(root, made)


def _check_stored(root: Path, made: list[tuple[str, str]]) -> None:
    """`stats` and `report` of the store `made` lists (kind, review id) in."""
    found = stored(Settings(), root)
    names = {kind: [name for k, name in made if k == kind] for kind in KINDS}
    assert sorted(s.name for s in found.runs) == sorted(names["review"])
    assert found.replays == len(names["replay"])
    assert all(is_replay(n) for n in names["replay"])
    unsaved = [*names["interrupted"], *names["gone"], *names["stopped"], *names["running"]]
    assert len(found.unreadable) == len(unsaved)
    for name in [*names["interrupted"], *names["gone"], *names["stopped"]]:
        assert sum(f"review {name} was interrupted" in line for line in found.unreadable) == 1
        with pytest.raises(UserInputError, match="was interrupted"):
            find(Settings(), root, name)
    for name in names["running"]:  # as `report` of a live task run: unfinished, running
        assert sum(f"review {name} is still running (pid {os.getpid()} " in line
                   for line in found.unreadable) == 1
        live = find(Settings(), root, name).summary
        assert verdict(live).startswith(f"unfinished: still running (pid {os.getpid()} on ")
        assert (live.files_modified, live.files_created) == (["a.py"], ["n.py"])
    for name in names["replay"]:  # asked for by name, a replay is still shown
        assert find(Settings(), root, name).name == name
    projects = [(k, n) for k, n in made if k != "replay"]
    if not projects:
        with pytest.raises(UserInputError, match="no run or review to report yet"):
            find(Settings(), root, None)
    elif projects[-1][0] in ("interrupted", "gone", "stopped"):  # the project's newest named
        with pytest.raises(UserInputError, match=f"review {projects[-1][1]} was interrupted"):
            find(Settings(), root, None)
    elif projects[-1][0] == "running":
        newest = find(Settings(), root, None)
        assert newest.name == projects[-1][1] and newest.summary.unfinished
    else:
        assert find(Settings(), root, None).name == projects[-1][1]


def _damaged(path: Path, how: str) -> None:
    if how == "folder":  # a folder in the file's place: it read as "no runs yet"
        path.unlink()
        (path / "x").mkdir(parents=True)
        return
    if how == "no tables":  # every table dropped: read as "no runs yet", then re-created
        with closing(sqlite3.connect(path)) as db:
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                      ).fetchall():
                db.execute(f'DROP TABLE "{name}"')
            db.commit()
        return
    data = path.read_bytes()
    path.write_bytes({"garbage": b"garbage\n", "truncated": data[:len(data) // 3],
                      "header": b"SQLite format 3\x00" + b"\xff" * 200}[how])


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(how=st.sampled_from(["garbage", "truncated", "header", "folder", "no tables"]),
       reviews=st.integers(0, 3))
def test_a_damaged_run_registry_is_named_and_the_reviews_still_counted(
        tmp_path: Path, how: str, reviews: int) -> None:
    """A damaged `runs.sqlite` made `stats` (and `report` with no RUN) refuse everything,
    exit 2, counting none of the reviews the store holds; now it is an `unreadable` line,
    as a damaged `checkpoints.sqlite` is."""
    root = tmp_path / "r"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    task_run(root, "committed", "empty_store")
    _damaged(root / ".reviewloop" / "runs.sqlite", how)
    names = [review(root, when=i) for i in range(reviews)]
    found = stored(Settings(), root)
    assert sorted(s.name for s in found.runs) == sorted(names)
    [line] = found.unreadable
    assert "runs.sqlite is damaged" in line and "reviewloop runs --repair" in line
    if names:  # the newest review, the task runs said to be left out
        assert find(Settings(), root, None).name == names[-1]
    else:
        with pytest.raises(UserInputError, match=r"runs\.sqlite is damaged"):
            find(Settings(), root, None)


def test_a_review_that_raised_in_a_process_that_goes_on_is_interrupted_not_running(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review that raised inside a long-lived process (`reviewloop mcp`) left its holder,
    and `report` said "still running" for as long as that process lived: the holder is
    removed on every way out, and the review reads as interrupted."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = init_repo(tmp_path / "r", {"app.py": "x = 1\n"})
    (root / "app.py").write_text("x = 2\n")
    def collect(*args: object, **kwargs: object) -> None:
        raise UserInputError("nope: the steering folder could not be read")

    # raised after the folder is named (a refused configuration is refused before it)
    monkeypatch.setattr(review_module.SteeringSet, "collect", collect)
    with pytest.raises(UserInputError, match="nope"):
        review_change(root, Settings(), DiffSource(), model_factory=lambda name: None,
                      llm=False)
    (folder,) = (root / ".reviewloop" / "reviews").iterdir()
    assert not (folder / live_review.HOLDER).exists()
    assert live_review.driver(folder) is None
    with pytest.raises(UserInputError, match=f"review {folder.name} was interrupted"):
        find(Settings(), root, folder.name)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gone=st.sets(st.sampled_from(sorted(set(RunSummary.model_fields) - {"task_id"}))))
def test_a_summary_without_its_ledger_is_unreadable_not_a_review_that_found_nothing(
        tmp_path: Path, gone: set[str]) -> None:
    """A summary.json missing `ledger` read as an empty ledger (report: complete, exit 0;
    stats: its findings dropped); now it is named unreadable. Missing any other key (a
    summary written by an older version) it is still read."""
    root = tmp_path / "r"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    name = review(root)
    path = root / ".reviewloop" / "reviews" / name / "summary.json"
    data = json.loads(path.read_text())
    path.write_text(json.dumps({k: v for k, v in data.items() if k not in gone}))
    found = stored(Settings(), root)
    if "ledger" in gone:
        assert found.runs == []
        [line] = found.unreadable
        assert line == (f"review {name}: summary.json cannot be read (summary: its ledger "
                        "(every finding of the run) is missing: the file is damaged; run the "
                        "review again or delete its folder)")
        with pytest.raises(UserInputError, match="its ledger"):
            find(Settings(), root, name)
    else:
        assert [s.name for s in found.runs] == [name] and found.unreadable == []


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(version=st.integers(-5, 10**6).filter(lambda v: v != 1))
def test_a_summary_of_a_ledger_version_this_reviewloop_does_not_read_is_named(
        tmp_path: Path, version: int) -> None:
    """A ledger of version 99 (a later schema) was read as this one without a word."""
    root = tmp_path / "r"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    name = review(root)
    path = root / ".reviewloop" / "reviews" / name / "summary.json"
    data = json.loads(path.read_text())
    data["ledger"]["version"] = version
    path.write_text(json.dumps(data))
    found = stored(Settings(), root)
    [line] = found.unreadable
    assert found.runs == [] and line.startswith(
        f"review {name}: summary.json cannot be read (ledger.version: Value error, ledger "
        f"version {version} is not one this reviewloop reads (1 to 1): upgrade reviewloop"), line


@pytest.mark.parametrize("refused", ("an unknown reviewer", "a bad agent file"))
def test_a_review_whose_configuration_is_refused_leaves_no_review_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refused: str) -> None:
    """A review refused by its configuration (exit 2, nothing reviewed: a plugin registry
    error, an agent file) left a review folder that `report` then called interrupted ("killed
    or stopped by an error") and `stats` unreadable, until deleted by hand."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = init_repo(tmp_path / "r", {"app.py": "x = 1\n"})
    name = review(root)
    (root / "app.py").write_text("x = 2\n")
    settings = Settings(reviewers=("nope",)) if refused == "an unknown reviewer" else Settings()
    if refused == "a bad agent file":
        (root / ".kiro" / "agents").mkdir(parents=True)
        (root / ".kiro" / "agents" / "review-x.json").write_text("{not json")
    with pytest.raises(UserInputError):
        review_change(root, settings, DiffSource(), model_factory=lambda name: None,
                      llm=False)
    assert [p.name for p in (root / ".reviewloop" / "reviews").iterdir()] == [name]
    assert find(Settings(), root, None).name == name and stored(Settings(), root).unreadable == []
