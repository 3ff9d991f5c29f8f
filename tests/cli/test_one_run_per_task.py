"""Two `reviewloop run` of one task started at the same moment: exactly one drives and
commits, the other exits 2 naming it and creates nothing; a run whose process was killed
blocks neither `runs` nor its resume. Real CLI processes, the real Bedrock stack against the
loopback fake, real git; local SQLite state and a real PostgreSQL."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest

from tests.support import warm_cli
from tests.support.bedrock import BedrockFake, tool_use
from tests.support.gitutil import git
from tests.support.loop_cli import (
    CALLED,
    MODEL,
    SPEC,
    cli,
    example_project,  # noqa: F401 - the fixture `project` here
    fake_env,
    manual_change,
    wait_until,
)

RUN = ("run", "next", "--spec", SPEC, "--implementer", "manual", "--model", MODEL, "--yes")


def _start(root: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return warm_cli.popen(RUN, root, env={**os.environ, **env})


def _run_ids(root: Path, url: str | None) -> list[str]:
    if url is None:
        with sqlite3.connect(root / ".reviewloop" / "runs.sqlite") as conn:
            return [r[0] for r in conn.execute("SELECT run_id FROM runs")]
    import psycopg

    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute("SELECT run_id FROM reviewloop_runs")]


def _script_reviews(fake: BedrockFake, gate: threading.Event) -> None:
    for name in CALLED:  # held until the test opens the gate
        fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": []},
                                                gate=gate)])


@pytest.mark.parametrize("shared", [False, True], ids=["local", "postgres"])
def test_two_concurrent_runs_of_one_task_make_one_commit(
        project: Path, request: pytest.FixtureRequest, shared: bool) -> None:
    url = request.getfixturevalue("pg_url") if shared else None
    git(project, "switch", "-qc", "work")  # the run lands on a working branch
    manual_change(project)
    branches = git(project, "branch", "--list")
    go = threading.Event()
    with BedrockFake() as fake:
        env = {**fake_env(fake), **({"REVIEWLOOP_CHECKPOINT_URL": url} if url else {})}
        _script_reviews(fake, go)
        both = [_start(project, env), _start(project, env)]  # at the same moment
        try:
            wait_until(lambda: any(p.poll() is not None for p in both))
            loser = next(p for p in both if p.poll() is not None)
            winner = next(p for p in both if p is not loser)
            lost_out, lost_err = loser.communicate()
            assert winner.poll() is None  # still held at its review
        finally:
            go.set()
        out, err = winner.communicate(timeout=300)

    assert winner.returncode == 0, out + err
    assert loser.returncode == 2, lost_out + lost_err
    [run_id] = _run_ids(project, url)  # the refused one registered nothing
    assert re.search(rf"task T2 of {SPEC} has a run in progress: {run_id}, driven by pid "
                     rf"{winner.pid} on ", lost_err), lost_err
    assert f"reviewloop resume {run_id}" in lost_err
    assert git(project, "log", "--format=%s").count("T2:") == 1
    # no branch or worktree left: the winner's went with its landing, the loser made none
    assert git(project, "branch", "--list") == branches
    assert len(git(project, "worktree", "list").splitlines()) == 1


def test_a_killed_run_blocks_neither_runs_nor_its_resume(project: Path) -> None:
    git(project, "switch", "-qc", "work")
    manual_change(project)
    never = threading.Event()  # the killed run's reviewers never answer
    with BedrockFake() as fake:
        env = fake_env(fake)
        _script_reviews(fake, never)
        first = _start(project, env)
        try:
            # held mid-review: round 1's reviewers asked in one call
            wait_until(lambda: len(fake.calls) == 1, what="the reviewers' call")
            [run_id] = _run_ids(project, None)
            listed = cli(project, "runs", "--json", env=env)
            assert '"status": "running"' in listed.stdout  # alive: not crashed
            again = cli(project, *RUN, env=env)
            assert again.returncode == 2 and run_id in again.stderr, again.stderr
        finally:
            first.kill()  # kill -9 mid-review
            first.wait()
            never.set()
        listed = cli(project, "runs", env=env)
        assert "crashed" in listed.stdout and f"reviewloop resume {run_id}" in listed.stdout
        for name in CALLED:
            fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": []})])
        resumed = cli(project, "resume", run_id, "--yes", env=env)

    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert git(project, "log", "--format=%s").count("T2:") == 1


def test_a_run_refused_for_a_task_in_progress_makes_no_branch_and_leaves_the_checkout(
        project: Path) -> None:
    """`run --branch NAME` (and the MCP server's `start_run` with `branch`) of a task whose
    run is in progress exits 2 before anything is made: NAME is not created and your
    checkout stays on its branch with your change (f_a D14: it was made and switched to)."""
    from reviewloop.cli.mcp_tools import Tools
    from reviewloop.runs.claims import RunInProgress

    git(project, "switch", "-qc", "work")
    manual_change(project)
    go = threading.Event()
    with BedrockFake() as fake:
        env = fake_env(fake)
        _script_reviews(fake, go)
        first = _start(project, env)
        try:
            wait_until(lambda: bool(fake.calls), what="the first run held at its review")
            status = git(project, "status", "--porcelain")
            second = cli(project, "run", "T2", "--spec", SPEC, "--implementer", "manual",
                         "--branch", "b2", env=env)
            with pytest.raises(RunInProgress, match="has a run in progress"):
                Tools(project).start_run("T2", implementer="manual", branch="b3", spec=SPEC)
            after = (git(project, "branch", "--show-current"),
                     git(project, "branch", "--list", "b2", "b3"),
                     git(project, "status", "--porcelain"))
        finally:
            go.set()
        out, err = first.communicate(timeout=300)

    assert second.returncode == 2, second.stdout + second.stderr
    assert "has a run in progress" in second.stderr
    assert after == ("work\n", "", status)
    assert first.returncode == 0, out + err
