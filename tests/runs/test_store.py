"""Shared run state on a real PostgreSQL server: registry, checkpoints, and the lease."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.errors import ConfigError
from reviewloop.runs.lease import Lease, LeaseHeld, LeaseLost
from reviewloop.runs.runner import LoopRunner
from reviewloop.runs.store import PostgresRegistry, postgres_url
from tests.support.chat import ScriptedChatModel
from tests.support.checkpoints import expire_lease
from tests.support.holders import ELSEWHERE, holding_lease, kill
from tests.support.loop_cli import wait_until
from tests.support.runner import clean_round, settings, start


def test_registry_round_trip_and_order(pg_url):
    registry = PostgresRegistry(pg_url)
    registry.create("a-1", task_id="1", task_title="One", spec="s.md", options={"k": [1]})
    registry.create("b-2", task_id="2", task_title="Two", spec="s.md", options={})
    registry.update("a-1", status="committed", commit_sha="abc")

    assert [r.run_id for r in registry.list()] == ["b-2", "a-1"]
    assert registry.get("a-1").options == {"k": [1]}
    assert registry.get("a-1").commit_sha == "abc"
    assert registry.latest_unfinished().run_id == "b-2"
    assert registry.open_for_task("1", "s.md") is None
    with pytest.raises(Exception, match="no run 'zzz'"):
        registry.get("zzz")


def test_a_live_lease_refuses_a_second_driver_and_an_expired_one_is_taken(pg_url):
    first = Lease(pg_url, "run-1", ttl=60, holder=ELSEWHERE)  # a runner on another machine
    first.acquire()
    with pytest.raises(LeaseHeld, match=r"run run-1 is being driven by .*expires in"):
        Lease(pg_url, "run-1", ttl=60).acquire()
    first.renew()  # its own lease renews
    first._stop.set()  # the runner "dies": no more heartbeats
    expire_lease(pg_url, "run-1")  # ... and its minute passes

    second = Lease(pg_url, "run-1", ttl=60)
    second.acquire()
    with pytest.raises(LeaseLost):
        first.renew()
    second.release()
    Lease(pg_url, "run-1", ttl=60).release()  # released: free at once


def test_the_heartbeat_renews_a_lease_while_its_holder_works(pg_url):
    import psycopg

    def expires() -> object:
        with psycopg.connect(pg_url) as conn:
            return conn.execute("SELECT expires FROM reviewloop_leases WHERE run_id = 'run-3'"
                                ).fetchone()[0]

    lease = Lease(pg_url, "run-3", ttl=0.6, beat=0.2)  # a beat every 0.2 s of its time
    lease.acquire()
    try:
        taken = expires()
        wait_until(lambda: expires() > taken)  # renewed by the heartbeat thread alone
    finally:
        lease.release()


def test_a_killed_holder_on_another_host_blocks_until_its_lease_expires(pg_url):
    holder = holding_lease(pg_url, "run-9", ttl=60, elsewhere=True)
    try:
        with pytest.raises(LeaseHeld):
            Lease(pg_url, "run-9", ttl=60).acquire()
    finally:
        kill(holder)  # SIGKILL: nothing is released
    with pytest.raises(LeaseHeld):  # dead, but from here only its heartbeat can tell
        Lease(pg_url, "run-9", ttl=60).acquire()
    expire_lease(pg_url, "run-9")
    lease = Lease(pg_url, "run-9", ttl=60)
    lease.acquire()
    lease.release()


def test_the_loop_checkpoints_in_postgres_and_resumes_from_another_runner(
        project: Path, pg_url) -> None:
    import psycopg

    (project / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    model = ScriptedChatModel()
    clean_round(model)
    shared = settings(checkpoint_url=pg_url)
    result = start(LoopRunner(project, shared, lambda name: model), project, "manual")
    assert result.status == "awaiting_approval"
    assert not (project / ".reviewloop" / "checkpoints.sqlite").exists()
    assert not (project / ".reviewloop" / "runs.sqlite").exists()

    other = LoopRunner(project, shared, lambda name: model)  # a new runner, state from Postgres
    assert other.next_nodes(result.run_id) == ("present",)
    final = other.resume(result.run_id, "approve")
    assert final.status == "committed"
    assert PostgresRegistry(pg_url).get(result.run_id).status == "committed"
    with psycopg.connect(pg_url) as conn:
        threads = conn.execute("SELECT count(*) FROM checkpoints WHERE thread_id = %s",
                               (result.run_id,)).fetchone()[0]
        leases = conn.execute("SELECT count(*) FROM reviewloop_leases").fetchone()[0]
    assert threads > 3 and leases == 0  # the lease is given back when the run stops


def test_a_non_postgres_url_is_a_config_error_naming_the_key():
    with pytest.raises(ConfigError, match="checkpoint_url must be a postgresql:// URL"):
        postgres_url(settings(checkpoint_url="mysql://x/y"))
    assert postgres_url(settings()) is None
