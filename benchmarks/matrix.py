"""A batch on simulated runners: makespan against two tasks' time, and Postgres per node.

    python benchmarks/matrix.py [--latency 1.0] [--tasks 6] [--runners 3]

A bare "origin" holds a spec of independent tasks. `plan` gives the wave; a pool of
`--runners` worker processes (the matrix jobs, max-parallel = runners) takes one task
each at a time: a fresh clone, the run's branch, the real loop (a command implementer,
five reviewers through the real ChatBedrockConverse stack against the loopback Bedrock
fake that answers after `--latency` seconds), approval, commit and push. Printed:

* one task alone, the makespan of the whole wave, and makespan / (2 x one task): with
  6 tasks on 3 runners an ideal matrix needs two tasks' time (target <= 1.3);
* the checkpoint cost per node: every checkpoint and pending write of a real run, written
  again into a SQLite and into a PostgreSQL 15 saver (a throw-away server, as in the
  tests); the difference is what shared state adds per node (target <= 20 ms).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This folder holds secrets.py, which must not shadow the standard library's `secrets`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from benchmarks.harness import MODEL, aws_env, bedrock, git, ratio, script_reviewers  # noqa: E402

SPEC = ".kiro/specs/batch/tasks.md"
AGENT = ("import os, pathlib, sys\nsys.stdin.read()\ntid = os.environ['REVIEWLOOP_TASK_ID']\n"
         "pathlib.Path(f'feature_{tid}.py').write_text(f'VALUE = {tid}\\n')\n")


def make_origin(base: Path, tasks: int) -> Path:
    bare = base / "origin.git"
    git(base, "init", "-q", "--bare", "-b", "main", str(bare))
    seed = base / "seed"
    git(base, "clone", "-q", str(bare), str(seed))
    lines = ["# Plan", ""]
    for n in range(1, tasks + 1):
        lines += [f"- [ ] {n}. Feature {n}", f"  - Write feature_{n}.py", ""]
    (seed / SPEC).parent.mkdir(parents=True)
    (seed / SPEC).write_text("\n".join(lines))
    (seed / "agent.py").write_text(AGENT)
    (seed / ".reviewloop.toml").write_text("[gates]\nbuild = []\ntest = []\n")
    git(seed, "add", ".")
    git(seed, "commit", "-qm", "spec")
    git(seed, "push", "-q", "origin", "HEAD:main")
    return bare


def warm(env: dict[str, str]) -> int:
    """Runs in each worker once: a booted runner has its imports loaded."""
    os.environ.update(env)
    import reviewloop.runs.runner  # noqa: F401

    return os.getpid()


def no_analyzers(agent, diff_text, root) -> list:
    return []


def run_task(origin: str, task_id: str, workdir: str, checkpoint_url: str | None,
             analyzers: bool = True) -> float:
    """One matrix job: clone, branch, the whole loop, approve, commit, push. Seconds."""
    from reviewloop.agent.models import make_chat_model
    from reviewloop.config import load_settings
    from reviewloop.implement.implementer import Implementer
    from reviewloop.runs.runner import LoopRunner
    from reviewloop.spec.loader import load_spec

    start = time.perf_counter()
    clone = Path(workdir) / f"job-{task_id}"
    clone.parent.mkdir(parents=True, exist_ok=True)
    git(Path(workdir), "clone", "-q", origin, str(clone))
    git(clone, "switch", "-qc", f"reviewloop/task-{task_id}")
    flags = {"model": MODEL, "checkpoint_url": checkpoint_url}
    runner = LoopRunner(clone, load_settings(clone, flags=flags), make_chat_model,
                        analyze=None if analyzers else no_analyzers)
    spec = load_spec(clone, clone / SPEC)
    implementer = Implementer.parse(f"cmd:{sys.executable} agent.py")
    result = runner.start(spec.task(task_id), clone / SPEC, implementer)
    done = runner.resume(result.run_id, "approve")
    if done.status != "committed":
        raise RuntimeError(f"task {task_id}: {done.status} {done.summary.get('escalations')}")
    git(clone, "push", "-q", "origin", f"reviewloop/task-{task_id}")
    return time.perf_counter() - start


def matrix(base: Path, latency: float, tasks: int, runners: int,
           analyzers: bool) -> tuple[float, float, int]:
    from reviewloop.spec.batch import eligible_wave
    from reviewloop.spec.loader import load_spec

    origin = make_origin(base, tasks)
    (base / "solo").mkdir()
    solo = make_origin(base / "solo", tasks)  # the lone task pushes to its own origin
    with bedrock(latency) as fake:
        script_reviewers(fake, rounds=tasks + 1)
        env = aws_env(fake)
        with ProcessPoolExecutor(runners) as pool:
            pids = set(pool.map(warm, [env] * runners * 4))
            one = pool.submit(run_task, str(solo), "1", str(base / "alone"), None,
                              analyzers).result()
            planner = base / "planner"
            git(base, "clone", "-q", str(origin), str(planner))
            wave = eligible_wave(load_spec(planner, planner / SPEC).tasks)
            ids = [t.id for t in wave.tasks]
            start = time.perf_counter()
            futures = [pool.submit(run_task, str(origin), tid, str(base / "wave"), None,
                                   analyzers) for tid in ids]
            for future in futures:
                future.result()
            makespan = time.perf_counter() - start
    pushed = git(origin, "branch", "--list", "reviewloop/*").split()
    if len(pushed) != tasks:
        raise RuntimeError(f"expected {tasks} pushed branches, found {pushed}")
    return one, makespan, len(pids)


def checkpoint_cost(base: Path, pg_url: str) -> tuple[float, float, int]:
    """ms per node to write a real run's checkpoints with SQLite and with Postgres."""
    import sqlite3

    from langgraph.checkpoint.sqlite import SqliteSaver

    from reviewloop.config import Settings
    from reviewloop.runs.store import checkpointer

    source = base / "alone" / "job-1" / ".reviewloop" / "checkpoints.sqlite"
    conn = sqlite3.connect(source, check_same_thread=False)
    saved = list(SqliteSaver(conn).list(None))[::-1]  # oldest first
    conn.close()

    def replay(saver, thread: str) -> float:
        start = time.perf_counter()
        for tup in saved:
            config = {"configurable": {"thread_id": thread, "checkpoint_ns": "",
                                       "checkpoint_id": tup.checkpoint["id"]}}
            saver.put(config, tup.checkpoint, tup.metadata,
                      tup.checkpoint.get("channel_versions", {}))
            if tup.pending_writes:
                saver.put_writes(config, [(c, v) for _, c, v in tup.pending_writes], "bench")
        return (time.perf_counter() - start) * 1000 / len(saved)

    out_dir = base / "sqlite-replay"
    out_dir.mkdir()
    with checkpointer(Settings(), out_dir) as saver:
        sqlite_ms = min(replay(saver, f"s{i}") for i in range(3))
    with checkpointer(Settings(checkpoint_url=pg_url), out_dir) as saver:
        pg_ms = min(replay(saver, f"p{i}") for i in range(3))
    return sqlite_ms, pg_ms, len(saved)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--tasks", type=int, default=6)
    parser.add_argument("--runners", type=int, default=3)
    parser.add_argument("--no-analyzers", action="store_true",
                        help="Reviewers without bandit/ruff evidence: on one small machine the "
                        "runners share its CPU, which real matrix runners do not.")
    args = parser.parse_args()
    from tests.support.pg import available, new_database, running_server

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        one, makespan, workers = matrix(base, args.latency, args.tasks, args.runners,
                                         not args.no_analyzers)
        waves = -(-args.tasks // args.runners)
        print(f"model latency per call: {args.latency:.2f} s; {args.tasks} tasks, "
              f"{args.runners} runners ({workers} worker processes, {os.cpu_count()} CPUs), "
              f"analyzers {'off' if args.no_analyzers else 'on'}")
        print(f"one task alone: {one:.2f} s")
        print(f"makespan of the wave: {makespan:.2f} s")
        print(ratio(f"makespan / ({waves} x one task)", makespan / (waves * one), target=1.3,
                    note=f"one runner would be ~{args.tasks / waves:.1f}"))
        if not available():
            print("checkpoint cost: skipped (no PostgreSQL server binaries)")
            return
        with running_server() as server:
            sqlite_ms, pg_ms, nodes = checkpoint_cost(base, new_database(server))
        print(f"checkpoint write per node ({nodes} checkpoints of a real run): "
              f"SQLite {sqlite_ms:.2f} ms, Postgres {pg_ms:.2f} ms")
        print(f"Postgres overhead per node: {pg_ms - sqlite_ms:.2f} ms  (target <= 20 ms)")


if __name__ == "__main__":
    main()
