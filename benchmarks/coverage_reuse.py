"""Test-suite runs per review round, and the round's time, with the coverage run reused or not.

    python benchmarks/coverage_reuse.py [--tests 300] [--rounds 3]

Builds a fixture pytest project (a package and a suite of `--tests` tests; its conftest
appends a line to the git-ignored `runs.log` whenever a session starts, so suite runs are
counted by the project itself), makes a change that adds public functions, then for each
round edits the code again (a new tree state, as after a fix) and runs what a round runs:

* task run (`reviewloop run`): the test gate, then the test-quality reviewer's coverage
  analyzer. "reuse" is reviewloop as it is; "forced" is the behaviour before: the gate runs
  the test command plainly and the analyzer measures the suite again itself.
* review (`reviewloop review --tests`, `[gates] coverage = "strict"`): the coverage analyzer,
  then the strict coverage gate. "forced" drops the remembered run in between.

Prints the suite runs per round and the median round time of each mode, and their ratio.
Everything runs sandboxed as configured by default (bubblewrap when available).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# This folder holds secrets.py, which must not shadow the standard library's `secrets`.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

# First: the analyzer table imports the coverage analyzer (circular when that comes first).
from reviewloop.checks.coverage.check import coverage_gate_result  # noqa: E402
from reviewloop.checks.coverage.measure import forget  # noqa: E402
from reviewloop.checks.gates.base import GateContext  # noqa: E402
from reviewloop.checks.gates.commands import project_tests, run_commands  # noqa: E402
from reviewloop.checks.gates.registry import run_gates  # noqa: E402
from reviewloop.config import Gates, Review, Settings  # noqa: E402
from reviewloop.review.definitions import AgentDefinition  # noqa: E402
from reviewloop.review.evidence import run_for_agent  # noqa: E402
from reviewloop.sandbox.bubblewrap import Sandbox  # noqa: E402

COMMAND = f"{sys.executable} -m pytest -q -p no:cacheprovider tests"
AGENT = AgentDefinition(name="review-test-quality", prompt="review", analyzers=("coverage",))
CONFTEST = '''import os


def pytest_sessionstart(session):
    with open("runs.log", "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()}\\n")
'''


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=b@x", *args],
                          cwd=root, check=True, capture_output=True, text=True).stdout


def build(root: Path, tests: int) -> None:
    (root / "calc").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / ".gitignore").write_text("runs.log\n__pycache__/\n")
    (root / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n')
    (root / "calc/__init__.py").write_text("")
    (root / "calc/core.py").write_text(core(-1))  # the base: no added function yet
    (root / "tests/conftest.py").write_text(CONFTEST)
    body = ["from calc.core import collatz, old", ""]
    for i in range(tests):
        body += ["", f"def test_{i}():", f"    assert collatz({i + 27}) > 0",
                 "    assert old(1) == 1", ""]
    (root / "tests/test_core.py").write_text("\n".join(body))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "fixture")


def core(round_no: int) -> str:
    """The code under test; every round adds one more public function (a new tree state)."""
    parts = ["def old(x):\n    return x\n",
             "def collatz(n):\n    steps = 0\n    while n != 1:\n"
             "        n = n // 2 if n % 2 == 0 else 3 * n + 1\n        steps += 1\n"
             "    return steps\n"]
    parts += [f"def added_{i}(x):\n    return x + {i}\n" for i in range(round_no + 1)]
    return "\n\n".join(parts)


def diff(root: Path) -> str:
    git(root, "add", "-A")
    return git(root, "diff", "--cached", "HEAD")


def suite_runs(root: Path) -> int:
    log = root / "runs.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def task_round(root: Path, settings: Settings, diff_text: str, reuse: bool) -> None:
    ctx = GateContext(root=root, settings=settings, changed_files=("calc/core.py",),
                      diff_text=diff_text, branch="work", default_branch="main",
                      phase="implement")
    if reuse:
        gates = run_gates(ctx, ("test",))
        assert gates.passed, gates.feedback()
    else:  # the test gate before: the command run plainly, nothing kept for the analyzer
        run_commands((COMMAND,), root, 900, sandbox=Sandbox.from_settings(settings),
                     stop_on_failure=False)
    report = run_for_agent(AGENT, root, diff_text, tests=project_tests(settings))
    assert report.complete, report.errors


def review_round(root: Path, settings: Settings, diff_text: str, reuse: bool) -> None:
    report = run_for_agent(AGENT, root, diff_text, tests=project_tests(settings))
    assert report.complete, report.errors
    if not reuse:
        forget()  # before: the strict gate measured the suite again
    coverage_gate_result(root, diff_text, project_tests(settings), strict=True)


def measure(tests: int, rounds: int, settings: Settings,
            one_round: Callable[[Path, Settings, str, bool], None], reuse: bool
            ) -> tuple[list[int], list[float]]:
    forget()
    with tempfile.TemporaryDirectory(prefix="reviewloop-bench-coverage-") as tmp:
        root = Path(tmp)
        build(root, tests)
        counts, times = [], []
        for round_no in range(rounds):
            (root / "calc/core.py").write_text(core(round_no))
            diff_text = diff(root)
            before = suite_runs(root)
            started = time.perf_counter()
            one_round(root, settings, diff_text, reuse)
            times.append(time.perf_counter() - started)
            counts.append(suite_runs(root) - before)
        return counts, times


def report(name: str, tests: int, rounds: int, settings: Settings,
           one_round: Callable[[Path, Settings, str, bool], None]) -> None:
    reuse_runs, reuse_times = measure(tests, rounds, settings, one_round, reuse=True)
    forced_runs, forced_times = measure(tests, rounds, settings, one_round, reuse=False)
    reused, forced = statistics.median(reuse_times), statistics.median(forced_times)
    print(f"{name}:")
    print(f"  suite runs per round   reuse {reuse_runs}   forced re-run {forced_runs}")
    print(f"  median round time      reuse {reused:.2f} s   forced re-run {forced:.2f} s")
    print(f"  round time ratio reuse/forced = {reused / forced:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=300, help="tests in the fixture suite")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (tree states) per mode")
    args = parser.parse_args()
    run_settings = Settings(gates=Gates(test=(COMMAND,), build=()))
    review_settings = Settings(gates=Gates(test=(COMMAND,), build=(), coverage="strict"),
                               review=Review(run_tests=True))
    sandbox = Sandbox.from_settings(run_settings)
    print(f"fixture: {args.tests} tests, {args.rounds} rounds per mode, "
          f"sandbox {'off' if sandbox.off else 'on'}, command `{COMMAND}`")
    report("task run (test gate + coverage analyzer)", args.tests, args.rounds,
           run_settings, task_round)
    report("review --tests (coverage analyzer + strict coverage gate)", args.tests,
           args.rounds, review_settings, review_round)


if __name__ == "__main__":
    main()
