"""Whether a driver still runs (runs/liveness.py), and the lease that asks it: a dead local
holder is taken over at once, a live one (paused too) never, another host's by its
heartbeat. Real processes, real signals, a real PostgreSQL server; no sleeps."""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from reviewloop.runs import liveness
from reviewloop.runs.lease import Lease, LeaseHeld
from reviewloop.runs.liveness import Verdict
from reviewloop.runs.registry import OWNER, Registry, crashed, run_dir
from tests.support.checkpoints import expire_lease
from tests.support.holders import ELSEWHERE, child, holding_lease, kill
from tests.support.loop_cli import wait_until

# -- liveness -------------------------------------------------------------------------------


def test_this_process_and_a_running_child_are_alive():
    proc = child()
    try:
        assert liveness.verdict(liveness.me()) is Verdict.ALIVE
        assert liveness.verdict(liveness.of(proc.pid)) is Verdict.ALIVE
        assert liveness.me().start is not None  # read from /proc/<pid>/stat
    finally:
        kill(proc)


def test_a_killed_child_is_dead_reaped_or_zombie():
    proc = child()
    holder = liveness.of(proc.pid)
    proc.kill()
    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)  # exited, not reaped: a zombie
    assert liveness.verdict(holder) is Verdict.DEAD
    proc.wait()
    assert liveness.verdict(holder) is Verdict.DEAD  # gone altogether


def test_a_paused_child_is_alive():
    proc = child()
    try:
        os.kill(proc.pid, signal.SIGSTOP)
        os.waitid(os.P_PID, proc.pid, os.WSTOPPED | os.WNOWAIT)
        assert liveness.verdict(liveness.of(proc.pid)) is Verdict.ALIVE
    finally:
        os.kill(proc.pid, signal.SIGCONT)
        kill(proc)


def test_a_reused_pid_is_not_the_holder():
    here = liveness.me()
    assert here.start is not None
    assert liveness.verdict(replace(here, start=here.start - 1)) is Verdict.DEAD


def test_other_hosts_boots_and_pid_namespaces():
    here = liveness.me()
    assert liveness.verdict(ELSEWHERE) is Verdict.UNKNOWN
    assert liveness.verdict(replace(here, boot="an-earlier-boot")) is Verdict.DEAD
    assert liveness.verdict(replace(here, pidns="pid:[1]")) is Verdict.UNKNOWN


def test_a_holder_round_trips_and_old_or_garbage_owner_files_are_read():
    here = liveness.me()
    assert liveness.loads(here.dumps()) == here
    legacy = liveness.loads(f"{os.getpid()}\n")  # an owner.pid of an older reviewloop
    assert legacy is not None and legacy.pid == os.getpid() and legacy.start is None
    assert liveness.verdict(legacy) is Verdict.ALIVE
    assert liveness.loads("not a holder") is None
    assert liveness.loads('{"host": "h"}') is None


@pytest.mark.parametrize(("owner", "is_crashed"), [
    (lambda: liveness.me().dumps(), False),
    (lambda: replace(liveness.me(), start=0).dumps(), True),  # its pid, another process
    (lambda: str(os.getpid()), False),  # the older bare pid
    (lambda: "garbage", True),
    (None, True),  # no owner file at all
])
def test_runs_tells_a_crashed_run_by_the_same_check(tmp_path: Path, owner, is_crashed):
    record = Registry(tmp_path).create("r-1", task_id="1", task_title="t", spec="s.md",
                                       options={})
    if owner is not None:
        run_dir(tmp_path, "r-1").mkdir(parents=True)
        (run_dir(tmp_path, "r-1") / OWNER).write_text(owner())
    assert crashed(tmp_path, record) is is_crashed


# -- the lease ------------------------------------------------------------------------------


def _seconds_left(url: str, key: str) -> float:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT EXTRACT(EPOCH FROM expires - now()) FROM reviewloop_leases "
                           "WHERE run_id = %s", (key,)).fetchone()
    assert row is not None
    return float(row[0])


def test_a_killed_local_holder_is_taken_over_at_once(pg_url):
    holder = holding_lease(pg_url, "run-1", ttl=600)
    try:
        with pytest.raises(LeaseHeld, match=rf"driven by pid {holder.pid} on .*a live process"):
            Lease(pg_url, "run-1").acquire()
    finally:
        kill(holder)  # kill -9: nothing is released, no beat comes any more
    assert _seconds_left(pg_url, "run-1") > 500  # its lease has ten minutes to run ...
    lease = Lease(pg_url, "run-1")
    lease.acquire()  # ... and is taken now: its process is gone
    assert _seconds_left(pg_url, "run-1") <= 20  # the new holder's own, default expiry
    lease.release()


def test_a_paused_local_holder_is_never_stolen(pg_url):
    holder = holding_lease(pg_url, "run-2", ttl=600, beat=0.2)
    try:
        os.kill(holder.pid, signal.SIGSTOP)
        os.waitid(os.P_PID, holder.pid, os.WSTOPPED | os.WNOWAIT)
        expire_lease(pg_url, "run-2")  # paused past its expiry: no beat renewed it
        with pytest.raises(LeaseHeld, match=r"a live process on this machine, paused or stuck"):
            Lease(pg_url, "run-2").acquire()
        os.kill(holder.pid, signal.SIGCONT)
        wait_until(lambda: _seconds_left(pg_url, "run-2") > 0)  # it beats again: still its
        with pytest.raises(LeaseHeld):
            Lease(pg_url, "run-2").acquire()
    finally:
        os.kill(holder.pid, signal.SIGCONT)
        kill(holder)


def test_a_holder_on_another_host_is_judged_by_its_heartbeat(pg_url):
    holder = holding_lease(pg_url, "run-3", ttl=600, elsewhere=True)
    kill(holder)  # gone, but from here it is a runner on another machine
    with pytest.raises(LeaseHeld, match=r"its lease expires in \d+ s without a heartbeat"):
        Lease(pg_url, "run-3").acquire()
    expire_lease(pg_url, "run-3")  # its beats stopped long enough
    lease = Lease(pg_url, "run-3")
    lease.acquire()
    lease.release()


def test_a_row_of_an_older_runner_is_judged_by_its_expiry(pg_url):
    import psycopg

    with Lease(pg_url, "setup"):  # creates the table with today's columns
        pass
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("INSERT INTO reviewloop_leases (run_id, owner, expires) "
                     "VALUES ('run-4', 'old-host:1:abc', now() + interval '1 hour')")
    with pytest.raises(LeaseHeld, match="driven by old-host:1:abc"):
        Lease(pg_url, "run-4").acquire()
    expire_lease(pg_url, "run-4")
    with Lease(pg_url, "run-4"):
        pass


def test_two_resumers_of_a_dead_holder_one_takes_it(pg_url):
    kill(holding_lease(pg_url, "run-5"))
    ready = threading.Barrier(2)
    taken: list[Lease] = []
    refused: list[LeaseHeld] = []

    def resume() -> None:
        lease = Lease(pg_url, "run-5")
        ready.wait()
        try:
            lease.acquire()
            taken.append(lease)
        except LeaseHeld as exc:
            refused.append(exc)

    threads = [threading.Thread(target=resume) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # both run in this process, so the winner is alive to the loser: exactly one drives
    assert len(taken) == 1 and len(refused) == 1
    taken[0].release()
