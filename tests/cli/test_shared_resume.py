"""A runner killed mid-review, resumed by another process from Postgres at once (its lease
names a process that is gone); the lease refuses a second driver while the first is alive.
Real CLI processes, real Bedrock stack against the loopback fake, a real PostgreSQL server."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from tests.support import warm_cli
from tests.support.bedrock import BedrockFake, tool_use
from tests.support.checkpoints import reviews_saved_in_postgres
from tests.support.gitutil import git
from tests.support.loop_cli import (
    CALLED,
    MODEL,
    REVIEWERS,
    SPEC,
    cli,
    example_project,  # noqa: F401 - the fixture `project` here
    fake_env,
    manual_change,
    one_call_each,
    wait_until,
)


def test_killed_runner_is_resumed_by_another_process_and_the_lease_refuses_a_second(
        project: Path, pg_url) -> None:
    import psycopg

    one_call_each(project)  # so that three reviewers are saved while the last one thinks
    manual_change(project)
    never = threading.Event()  # the slow reviewer's answer is never sent: it is killed first
    with BedrockFake() as fake:
        env = {**fake_env(fake), "REVIEWLOOP_CHECKPOINT_URL": pg_url,
               "REVIEWLOOP_LEASE_SECONDS": "600"}  # a dead runner's lease would run 10 min
        for name in REVIEWERS[:-1]:
            fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": []})])
        fake.script(f"agent: {REVIEWERS[-1]}",
                    [tool_use("submit_findings", {"findings": []}, gate=never)])
        first = warm_cli.popen(
            ["run", "next", "--spec", SPEC, "--implementer", "manual", "--model", MODEL,
             "--branch", "task-2", "--yes"],
            project, env={**_environ(), **env})
        try:
            # the fast reviewers are saved (infrastructure as skipped); the last one is
            # still "thinking"
            wait_until(lambda: reviews_saved_in_postgres(pg_url)() == 4)
            # the slow reviewer's request may reach the fake after the others are saved
            wait_until(lambda: len(fake.calls) >= len(CALLED))
            assert len(fake.calls) == len(CALLED)
            with psycopg.connect(pg_url) as conn:
                run_id = conn.execute("SELECT run_id FROM reviewloop_runs").fetchone()[0]
            second = cli(project, "resume", run_id, "--yes", env=env)
            assert second.returncode == 2, second.stdout + second.stderr
            assert f"run {run_id} is being driven by" in second.stderr
        finally:
            first.kill()  # kill -9 mid-review
            first.wait()
        calls = len(fake.calls)
        fake.script(f"agent: {REVIEWERS[-1]}", [tool_use("submit_findings", {"findings": []})])

        # its process is gone: the resumer on this host takes its lease over at once
        resumed = cli(project, "resume", run_id, "--yes", env=env)
        again = [r.system_text() for r in fake.calls[calls:]]

    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert len(again) == 1 and f"agent: {REVIEWERS[-1]}" in again[0]  # others came from PG
    assert git(project, "log", "--format=%s").count("T2:") == 1
    listed = cli(project, "runs", env={"REVIEWLOOP_CHECKPOINT_URL": pg_url})
    assert run_id in listed.stdout and "committed" in listed.stdout
    assert not (project / ".reviewloop" / "runs.sqlite").exists()


def _environ() -> dict[str, str]:
    return dict(os.environ)
