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
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This folder holds secrets.py, which must not shadow the standard library's `secrets`.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from tests.fakes.bedrock import BedrockFake, tool_use  # noqa: E402

MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
AGENTS = ("review-security", "review-infrastructure", "review-maintainability",
          "review-performance", "review-test-quality")
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
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-qm", "spec"],
                 ["switch", "-qc", "work"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


def timed(root: Path, env: dict[str, str], *args: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "reviewloop", "run", *args, "--model", MODEL,
                           "--yes"], cwd=root, env=env, capture_output=True, text=True,
                          check=False, stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"reviewloop run {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=1.0)
    parser.add_argument("--tasks", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reviewloop-waves-") as tmp, BedrockFake() as fake:
        base = Path(tmp)
        agent = base / "agent.py"
        agent.write_text(AGENT)
        env = {**os.environ, "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": fake.url,
               "AWS_ACCESS_KEY_ID": "AKIDFAKE", "AWS_SECRET_ACCESS_KEY": "fake",
               "AWS_REGION": "us-east-1"}
        for name in AGENTS:
            fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": []},
                                                    delay=args.latency)] * args.tasks * 2)
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
    print(f"wave / slowest single task: {wave / slowest:.2f} (target <= 1.5; "
          f"one after the other ~{args.tasks})")


if __name__ == "__main__":
    main()
