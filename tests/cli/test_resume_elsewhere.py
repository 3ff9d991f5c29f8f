"""A run killed mid-review in one clone, that clone deleted, resumed from another clone in
another folder: the run store keeps the run's work (its worktree's change, its run folder),
so `resume` rebuilds the worktree there and asks the model nothing it was asked before. Real
CLI processes, the real Bedrock stack against the loopback fake; a real PostgreSQL server,
or the SQLite files carried to the other clone. The clones share a bare "origin" only (no
hard-linked objects): the other clone has nothing of the run but what the store holds."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import warm_cli
from tests.support.bedrock import BedrockFake, text, tool_use
from tests.support.checkpoints import reviews_saved_in_postgres, reviews_saved_in_sqlite
from tests.support.gitutil import git
from tests.support.loop_cli import (
    CALLED,
    MODEL,
    REVIEWERS,
    SPEC,
    cli,
    fake_env,
    make_example,
    one_call_each,
    wait_until,
)
from tests.support.runner import IMPLEMENTER

EXTRA = "EXTRA = 1\n"
EXTRA_TEST = "from todo.extra import EXTRA\n\n\ndef test_extra():\n    assert EXTRA == 1\n"
MINE = "# my own notes, not committed\n"


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    """The example project as a bare repository, its work on branch `feature` (a run never
    lands on the default branch); one call per reviewer (`combined_review = false`), so
    that the review is killed with three reviewers answered and one thinking."""
    seed = make_example(tmp_path / "seed")
    one_call_each(seed)
    git(seed, "checkout", "-q", "-b", "feature")
    bare = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    shutil.rmtree(seed)
    return bare


def clone(origin: Path, where: Path) -> Path:
    where.parent.mkdir(parents=True)
    git(where.parent, "clone", "-q", "--no-local", "-b", "feature", str(origin), str(where))
    return where


def killed_mid_review(root: Path, fake: BedrockFake, env: dict[str, str],
                      saved: Callable[[], int]) -> str:
    """Start task T2 in `root` with the LLM implementer, wait until three reviewers have
    answered and the fourth is thinking, kill -9 the process; the run's id."""
    never = threading.Event()  # the slow reviewer's answer is never sent
    fake.script(IMPLEMENTER, [
        tool_use("write_file", {"path": "todo/extra.py", "content": EXTRA}),
        tool_use("write_file", {"path": "tests/test_extra.py", "content": EXTRA_TEST}),
        text("wrote todo/extra.py")])
    for name in REVIEWERS[:-1]:
        fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": []})])
    fake.script(f"agent: {REVIEWERS[-1]}",
                [tool_use("submit_findings", {"findings": []}, gate=never)])
    job = warm_cli.popen(["run", "T2", "--spec", SPEC, "--model", MODEL, "--branch", "t2",
                          "--yes"], root, env={**os.environ, **env})
    try:
        wait_until(lambda: saved() == 4, what="three reviewers saved, one skipped")
        wait_until(lambda: len(fake.calls) >= 3 + len(CALLED), what="the slow reviewer asked")
    finally:
        job.kill()  # kill -9 mid-review
        out, err = job.communicate()
    assert job.wait() == -9, out + err
    [run] = json.loads(cli(root, "runs", "--json", env=env).stdout)["runs"]
    return run["run_id"]


def resumed_elsewhere(other: Path, fake: BedrockFake, env: dict[str, str], run_id: str):
    """Resume `run_id` in `other`; the run's result and what it asked the model."""
    before = len(fake.calls)
    fake.script(f"agent: {REVIEWERS[-1]}", [tool_use("submit_findings", {"findings": []})])
    done = cli(other, "resume", run_id, "--yes", env=env, timeout=300)
    return done, [r.system_text() for r in fake.calls[before:]]


def your_own_work(root: Path) -> None:
    """Uncommitted work of the user in the clone that resumes: never touched."""
    (root / "notes.txt").write_text(MINE)
    (root / "README.md").write_text((root / "README.md").read_text() + MINE)


def assert_finished_here(other: Path, done, asked: list[str], run_id: str) -> None:
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Rebuilt run {run_id}'s worktree from the run store" in done.stderr
    # nothing the dead process was answered is asked again: only the reviewer it killed
    assert len(asked) == 1 and f"agent: {REVIEWERS[-1]}" in asked[0], asked
    # it lands in the run's working branch (`--branch t2`, made here at the run's base): the
    # checkout's own branch and files are not touched
    assert git(other, "log", "--format=%s", "origin/feature..t2").count("T2:") == 1
    assert git(other, "rev-list", "--count", "origin/feature..t2") == "1\n"
    assert git(other, "show", "t2:todo/extra.py") == EXTRA
    assert git(other, "show", "t2:tests/test_extra.py") == EXTRA_TEST
    assert git(other, "rev-parse", "feature") == git(other, "rev-parse", "origin/feature")
    assert (other / "notes.txt").read_text() == MINE
    assert (other / "README.md").read_text().endswith(MINE)
    assert git(other, "status", "--porcelain").split() == ["M", "README.md", "??", "notes.txt"]


def test_a_postgres_run_killed_mid_review_is_finished_from_another_clone_without_its_disk(
        origin: Path, tmp_path: Path, pg_url) -> None:
    first = clone(origin, tmp_path / "runner-a" / "todo-api")
    other = clone(origin, tmp_path / "elsewhere" / "b" / "todo-api")
    your_own_work(other)
    with BedrockFake() as fake:
        env = {**fake_env(fake), "REVIEWLOOP_CHECKPOINT_URL": pg_url,
               "REVIEWLOOP_LEASE_SECONDS": "600"}  # the dead runner's lease: its pid is gone
        run_id = killed_mid_review(first, fake, env, reviews_saved_in_postgres(pg_url))
        shutil.rmtree(tmp_path / "runner-a")  # the first runner's disk is gone
        done, asked = resumed_elsewhere(other, fake, env, run_id)

    assert_finished_here(other, done, asked, run_id)
    listed = cli(other, "runs", env={"REVIEWLOOP_CHECKPOINT_URL": pg_url})
    assert run_id in listed.stdout and "committed" in listed.stdout


def test_a_sqlite_run_store_carried_to_another_clone_finishes_the_killed_run_there(
        origin: Path, tmp_path: Path) -> None:
    first = clone(origin, tmp_path / "runner-a" / "todo-api")
    other = clone(origin, tmp_path / "elsewhere" / "b" / "todo-api")
    your_own_work(other)
    with BedrockFake() as fake:
        env = fake_env(fake)
        run_id = killed_mid_review(first, fake, env, reviews_saved_in_sqlite(first))
        (other / ".reviewloop").mkdir()
        for store in (first / ".reviewloop").glob("*.sqlite*"):
            shutil.copy2(store, other / ".reviewloop" / store.name)
        shutil.rmtree(tmp_path / "runner-a")
        done, asked = resumed_elsewhere(other, fake, env, run_id)

    assert_finished_here(other, done, asked, run_id)


@pytest.mark.parametrize("how", ["renamed", "moved deeper"])
def test_a_run_killed_mid_review_resumes_after_its_checkout_was_moved(
        origin: Path, tmp_path: Path, how: str) -> None:
    """`mv repo repo2`, a CI workspace at a new path: the run's worktree moved with the
    checkout, but git's links and the store name the old folder. The run goes on in the
    moved worktree, with its work as it was there; `git worktree add` of the old fallback
    failed on the folder in the way, an internal error on every retry (fuzz12b D5)."""
    first = clone(origin, tmp_path / "runner-a" / "todo-api")
    with BedrockFake() as fake:
        env = fake_env(fake)
        run_id = killed_mid_review(first, fake, env, reviews_saved_in_sqlite(first))
        your_own_work(first)
        moved = tmp_path / ("runner-b" if how == "renamed" else "x/y/runner-a")
        moved.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(tmp_path / "runner-a", moved)
        listed = cli(moved / "todo-api", "runs", "--json", env=env).stdout
        assert '"moved"' in listed, listed
        done, asked = resumed_elsewhere(moved / "todo-api", fake, env, run_id)

    other = moved / "todo-api"
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Found run {run_id}'s worktree moved with its checkout" in done.stderr
    assert len(asked) == 1 and f"agent: {REVIEWERS[-1]}" in asked[0], asked
    assert git(other, "log", "--format=%s", "origin/feature..t2").count("T2:") == 1
    assert git(other, "show", "t2:todo/extra.py") == EXTRA
    assert (other / "notes.txt").read_text() == MINE
    assert git(other, "status", "--porcelain").split() == ["M", "README.md", "??", "notes.txt"]
    assert "prunable" not in git(other, "worktree", "list", "--porcelain")


def test_resume_in_a_clone_without_the_runs_base_commit_exits_2_saying_to_fetch_it(
        origin: Path, tmp_path: Path) -> None:
    other = clone(origin, tmp_path / "elsewhere" / "b" / "todo-api")  # before the base moved
    first = clone(origin, tmp_path / "runner-a" / "todo-api")
    (first / "CHANGES.md").write_text("a commit the other clone has not fetched\n")
    git(first, "add", "CHANGES.md")
    git(first, "commit", "-qm", "changes")
    with BedrockFake() as fake:
        env = fake_env(fake)
        run_id = killed_mid_review(first, fake, env, reviews_saved_in_sqlite(first))
        git(first, "push", "-q", "origin", "feature")
        (other / ".reviewloop").mkdir()
        for store in (first / ".reviewloop").glob("*.sqlite*"):
            shutil.copy2(store, other / ".reviewloop" / store.name)
        shutil.rmtree(tmp_path / "runner-a")
        base = git(origin, "rev-parse", "feature").strip()

        refused = cli(other, "resume", run_id, "--yes", env=env)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert f"started from commit {base[:12]}, which this clone does not have" in \
            refused.stderr
        assert "git fetch" in refused.stderr
        assert not (other / ".reviewloop" / "worktrees").exists()

        git(other, "pull", "-q", "--ff-only")
        done, asked = resumed_elsewhere(other, fake, env, run_id)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(asked) == 1 and f"agent: {REVIEWERS[-1]}" in asked[0], asked
    assert git(other, "rev-list", "--count", "origin/feature..t2") == "1\n"
