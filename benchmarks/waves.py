"""A wave of independent tasks with `run all --jobs 3`, against its slowest task alone.

    python benchmarks/waves.py [--latency 1.0] [--tasks 3] [--jobs 3]

A spec with `--tasks` independent tasks; an external implementer (a small script) writes
one file per task; the loopback Bedrock fake answers every reviewer call after `--latency`
seconds. Each task is first run alone (`reviewloop run N --yes`, a fresh repository each),
then all of them at once (`reviewloop run all --jobs J --yes`). Printed: every single
task's wall time, the wave's, and wave / slowest single task (target <= 1.5; one after the
other would be about the number of tasks).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This folder holds secrets.py, which must not shadow the standard library's `secrets`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from benchmarks.harness import (  # noqa: E402
    MODEL,
    bedrock,
    child_env,
    init_repo,
    ratio,
    reviewloop,
    script_reviewers,
    workdir,
)

AGENT = """import os, pathlib, sys
sys.stdin.read()
tid = os.environ["REVIEWLOOP_TASK_ID"]
pathlib.Path(f"feature_{tid}.py").write_text(f"VALUE = {tid}\\n")
"""


def make_project(base: Path, name: str, tasks: int) -> Path:
    root = base / name
    spec = root / ".kiro" / "specs" / "wave" / "tasks.md"
    spec.parent.mkdir(parents=True)
    spec.write_text("# Tasks\n\n" + "".join(f"- [ ] {n}. Feature {n}\n\n"
                                            for n in range(1, tasks + 1)))
    (root / ".reviewloop.toml").write_text("[gates]\nbuild = []\ntest = []\n")
    init_repo(root, "spec")
    return root


def timed(root: Path, env: dict[str, str], *args: str) -> float:
    return reviewloop(root, "run", *args, "--model", MODEL, "--yes", env=env).check().wall_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--tasks", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=3)
    args = parser.parse_args()
    with workdir("reviewloop-waves-") as base, bedrock(args.latency) as fake:
        agent = base / "agent.py"
        agent.write_text(AGENT)
        env = child_env(fake)
        script_reviewers(fake, rounds=args.tasks * 2)
        implementer = f"cmd:{sys.executable} {agent}"
        singles = [timed(make_project(base, f"single-{n}", args.tasks), env, str(n),
                         "--implementer", implementer) for n in range(1, args.tasks + 1)]
        wave = timed(make_project(base, "wave", args.tasks), env, "all", "--jobs",
                     str(args.jobs), "--implementer", implementer)
    slowest = max(singles)
    print(f"model latency {args.latency:.1f}s, {args.tasks} independent tasks, "
          f"--jobs {args.jobs}")
    for n, seconds in enumerate(singles, start=1):
        print(f"  task {n} alone:        {seconds:6.2f}s")
    print(f"  the wave (run all):  {wave:6.2f}s")
    print(ratio("wave / slowest single task", wave / slowest, target=1.5,
                note=f"one after the other ~{args.tasks}"))


if __name__ == "__main__":
    main()
