"""Python CPU of one review round with a model that answers at once.

    python benchmarks/round_cpu.py [--sizes 1k,20k] [--repeat 3] [--profile prof.out]

A review runs in this process exactly as a user runs it: `reviewloop review --base B --head H
--model M` through the click command, started as the `reviewloop` command starts (its entry
module's collector thresholds), so the Bedrock client is built inside the round and the
terminal panel is drawn (to /dev/null, with colour forced as on a terminal). It runs against
a generated change (`benchmarks/fixtures.py`); the loopback Bedrock
fake runs in a child process with no latency, so its CPU is not counted here. The figure is
this process's own CPU for the round (user + system, `RUSAGE_SELF`), the report it wrote read
back only after it, less its analyzers' work: their tools run as subprocesses, which are not
in it, except bandit, which a review runs through its API in its own process when the files
are few enough (`checks/analyzers/bandit_api.py`, to spare an interpreter's start): the CPU
of those calls (thread CPU, `bandit_api.report`) is taken out as well. Both are printed
beside the figure, with the process's whole CPU and bandit's CLI on the same files, so what a
user pays in all is there too. The first round of a size
is a warm-up (imports, first-use caches) and is not counted; each round reviews a change of
its own (another seed), so none reuses what an earlier one scanned or parsed. The best of
`--repeat` is printed, as on a shared machine load only ever adds time.

Targets (issue #41): at most 0.15 s at 1k lines, at most 1.0 s at 20k lines.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from benchmarks.fixtures import SIZES, make_change  # noqa: E402
from benchmarks.harness import MODEL, REVIEWERS, ratio, workdir  # noqa: E402

TARGETS = {"1k": 0.15, "20k": 1.0}
# The fake in its own process: every reviewer answers each call with no findings.
_FAKE = """
import sys
import time
sys.path.insert(0, sys.argv[1])
from tests.support.bedrock import BedrockFake, aws_env, tool_use
with BedrockFake(context_window=200_000, prompt_cache=True) as fake:
    for name in sys.argv[2:]:
        fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": []})] * 5000)
    print(fake.url, flush=True)
    sys.stdin.read()
"""


def fake_process() -> tuple[subprocess.Popen, dict[str, str]]:
    """The Bedrock fake in a child process, and the variables that send boto3 to it."""
    child = subprocess.Popen([sys.executable, "-c", _FAKE, str(ROOT), *REVIEWERS],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    url = child.stdout.readline().strip()
    return child, {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": url, "AWS_ENDPOINT_URL_BEDROCK": url,
                   "AWS_ACCESS_KEY_ID": "AKIDFAKEFAKEFAKE",
                   "AWS_SECRET_ACCESS_KEY": "fake-secret", "AWS_REGION": "us-east-1"}


def cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


class InProcess:
    """The thread CPU of the analyzers' runs inside the review's process: bandit's API
    (`bandit_api.report`), wrapped where `bandit.py` calls it. `take()` gives the seconds
    since the last take."""

    def __init__(self) -> None:
        from reviewloop.checks.analyzers import bandit_api

        self.seconds = 0.0
        self._lock = threading.Lock()
        bandit_api.report = self._timed(bandit_api.report)

    def _timed(self, report: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.thread_time()
            try:
                return report(*args, **kwargs)
            finally:
                with self._lock:
                    self.seconds += time.thread_time() - start
        return timed

    def take(self) -> float:
        with self._lock:
            taken, self.seconds = self.seconds, 0.0
        return taken


def bandit_cli(repo: Path, base: str, head: str) -> float:
    """The CPU of bandit's CLI (`bandit -f json`, its defaults) on the change's Python files,
    as a user runs it: what the review's in-process run spares (its interpreter's start)."""
    names = subprocess.run(["git", "diff", "--name-only", "--diff-filter=d", base, head],
                           cwd=repo, capture_output=True, text=True, check=True).stdout.split()
    before = cpu(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "bandit", "-q", "-f", "json",
                    *[n for n in names if n.endswith(".py")]],
                   cwd=repo, capture_output=True, check=False)
    return cpu(resource.RUSAGE_CHILDREN) - before


def cli_review(repo: Path, base: str, head: str) -> Path:
    """`reviewloop review --base --head --model --format json --output F` as a user types it,
    with the terminal panel drawn too; F, the report it wrote (read by the caller after the
    round's CPU is taken: parsing it is the benchmark's work, not the review's)."""
    import contextlib

    # started as the `reviewloop` command starts (`project.scripts`: `reviewloop.__main__`):
    # its import tunes the collector and keeps the dataclasses' compiled methods, which
    # `reviewloop.cli.app` alone skips (CPython's default collector ran ~130 young and a full
    # collection a round here)
    import reviewloop.__main__  # noqa: F401
    from reviewloop.cli.app import cli

    out = repo / "report.json"
    args = ["review", "--base", base, "--head", head, "--model", MODEL,
            "--output", str(out), "--format", "json"]
    here = Path.cwd()
    os.chdir(repo)
    try:
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), \
                contextlib.redirect_stderr(sink), contextlib.suppress(SystemExit):
            cli.main(args, prog_name="reviewloop", standalone_mode=False)
    finally:
        os.chdir(here)
    return out


class Rounds:
    """A size's counted rounds: the review's own CPU (its analyzers' work aside), the
    process's whole CPU, bandit's in-process CPU, the analyzers' subprocesses' CPU, the
    reviewers and analyzers that ran, and bandit's CLI on the last round's files."""

    def __init__(self) -> None:
        self.own: list[float] = []
        self.whole: list[float] = []
        self.in_process: list[float] = []
        self.tools: list[float] = []
        self.reviewed = 0
        self.bandit_cli = 0.0


def rounds(base: Path, size: str, repeat: int, profile: cProfile.Profile | None,
           analyzers: InProcess) -> Rounds:
    lines, files = SIZES[size]
    measured = Rounds()
    for n in range(repeat + 1):  # round 0 warms imports and caches: not counted
        # a new change each time (another seed): no round reuses what an earlier one scanned
        repo = base / f"round-{size}-{n}"
        first, head = make_change(repo, lines, files, seed=2 + n)
        if profile is not None and n:
            profile.enable()
        analyzers.take()
        self_before, children_before = cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
        written = cli_review(repo, first, head)
        self_after, children_after = cpu(resource.RUSAGE_SELF), cpu(resource.RUSAGE_CHILDREN)
        in_process = analyzers.take()
        if profile is not None:
            profile.disable()
        report = json.loads(written.read_text())
        health = report["ledger"]["health"]
        failed = [h for h in health if h.get("status") not in ("ok", "skipped")]
        if failed:
            raise SystemExit(f"{size}: a reviewer or analyzer did not run: {failed}")
        measured.reviewed = sum(h.get("status") == "ok" for h in health)
        if n:
            measured.whole.append(self_after - self_before)
            measured.in_process.append(in_process)
            measured.own.append(self_after - self_before - in_process)
            measured.tools.append(children_after - children_before)
        if n == repeat:
            measured.bandit_cli = bandit_cli(repo, first, head)
    return measured


def _all(seconds: list[float]) -> str:
    return ", ".join(f"{s:.2f}" for s in seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,20k")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", type=Path, help="write a cProfile of the counted rounds")
    args = parser.parse_args(argv)
    profile = cProfile.Profile(time.thread_time) if args.profile else None  # main thread CPU
    child, env = fake_process()
    os.environ.update(env)
    os.environ.update({"FORCE_COLOR": "1", "COLUMNS": "120"})  # drawn as on a terminal
    over = 0
    import reviewloop.__main__  # noqa: F401  (as in `cli_review`; before the wrap below)

    analyzers = InProcess()
    try:
        with workdir() as base:
            for size in args.sizes.split(","):
                got = rounds(base, size, args.repeat, profile, analyzers)
                target = TARGETS.get(size)
                over += target is not None and min(got.own) > target
                print(ratio(f"{size} lines: Python CPU per review round, its analyzers' work "
                            "aside, instant model (s)", min(got.own), target=target,
                            note=f"best of {args.repeat}, all {_all(got.own)}; the process in "
                                 f"all {_all(got.whole)}, of which bandit's API "
                                 f"{_all(got.in_process)} (bandit's CLI on the same files "
                                 f"{got.bandit_cli:.2f} s); analyzers' own processes "
                                 f"{min(got.tools):.2f} s; {got.reviewed} reviewers and "
                                 "analyzers ran"), flush=True)
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait()
    if profile is not None:
        profile.dump_stats(str(args.profile))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
