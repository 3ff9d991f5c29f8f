"""What the sandbox costs: per command, and on a full gate run of a real project.

    python benchmarks/sandbox.py [--commands 40] [--gate-runs 5]

1. Per command: `true` through `reviewloop.sandbox.process.run`, with the sandbox off and with
   bubblewrap, interleaved; prints both medians and the median overhead in ms.
2. A full gate run: the build and test gates (`run_gates(ctx, ("build", "test"))`) on a
   clone of this repository (build: `python -m compileall -q reviewloop`; test: pytest on
   three of its test modules), sandboxed and not, interleaved; prints the medians and
   their ratio (target: at most 1.10).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from reviewloop.checks.gates.base import GateContext  # noqa: E402
from reviewloop.checks.gates.registry import run_gates  # noqa: E402
from reviewloop.config import Gates, Settings  # noqa: E402
from reviewloop.sandbox import process  # noqa: E402
from reviewloop.sandbox.bubblewrap import Sandbox, require  # noqa: E402

OFF = Sandbox(mode="off")
ON = Sandbox(mode="bwrap")
TESTS = "python -m pytest -q -p no:cacheprovider tests/git/test_diff.py " \
        "tests/findings/test_schema.py tests/test_config.py"
BUILD = "python -m compileall -q reviewloop"


def per_command(root: Path, runs: int) -> tuple[float, float]:
    """Median seconds of `true` unsandboxed and sandboxed, interleaved."""
    times: dict[Sandbox, list[float]] = {OFF: [], ON: []}
    for i in range(runs):
        for box in ((OFF, ON) if i % 2 == 0 else (ON, OFF)):
            started = time.perf_counter()
            done = process.run("true", root, 30, sandbox=box)
            times[box].append(time.perf_counter() - started)
            assert done.exit_code == 0, done.output
    return statistics.median(times[OFF]), statistics.median(times[ON])


def gate_run(root: Path, box: Sandbox) -> float:
    settings = Settings(gates=Gates(build=(BUILD,), test=(TESTS,)), sandbox=box.mode)
    ctx = GateContext(root=root, settings=settings, changed_files=(), diff_text="",
                      branch="bench", default_branch="main", phase="implement")
    started = time.perf_counter()
    report = run_gates(ctx, ("build", "test"))
    elapsed = time.perf_counter() - started
    assert report.passed, report.feedback()
    return elapsed


def full_gates(root: Path, runs: int) -> tuple[float, float, int | None]:
    times: dict[Sandbox, list[float]] = {OFF: [], ON: []}
    gate_run(root, OFF)  # warm the page cache and the .pyc files once
    for i in range(runs):
        for box in ((OFF, ON) if i % 2 == 0 else (ON, OFF)):
            times[box].append(gate_run(root, box))
    return statistics.median(times[OFF]), statistics.median(times[ON]), runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=40)
    parser.add_argument("--gate-runs", type=int, default=5)
    args = parser.parse_args()
    require(ON)
    with tempfile.TemporaryDirectory(prefix="reviewloop-bench-") as tmp:
        clone = Path(tmp) / "reviewloop"
        subprocess.run(["git", "clone", "-q", str(_HERE.parent), str(clone)], check=True)
        off, on = per_command(clone, args.commands)
        print(f"per command (`true`, {args.commands} runs each): unsandboxed "
              f"{off * 1000:.1f} ms, bubblewrap {on * 1000:.1f} ms, "
              f"median overhead {(on - off) * 1000:.1f} ms")
        off, on, runs = full_gates(clone, args.gate_runs)
        print(f"full gate run (build + test, {runs} runs each): unsandboxed {off:.2f} s, "
              f"bubblewrap {on:.2f} s, ratio {on / off:.3f} (target <= 1.10)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
