"""The benchmarks' shared harness: the Bedrock fake, scripted reviewers, repositories, timed
`reviewloop` runs (wall time, peak RSS of the child) and the printed ratios.

A benchmark script puts the repository root first on `sys.path` (this folder holds
`secrets.py`, which must not shadow the standard library's) and imports from here:

    ROOT = Path(__file__).resolve().parents[1]
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
    sys.path.insert(0, str(ROOT))
    from benchmarks.harness import bedrock, review, script_reviewers

    with bedrock(latency=1.0, prompt_cache=True, context_window=200_000) as fake:
        script_reviewers(fake, rounds=1)
        run = review(repo, base, head, fake=fake)
    print(ratio("review / slowest call", run.wall_s / run.slowest_call_s, target=1.3))

Ratios are always taken within one process and one run of a script: absolute seconds on a
shared 2-core machine mean little, their quotients do.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reviewloop.review.definitions import builtin_names
from tests.support.bedrock import BedrockFake, RecordedRequest, aws_env, tool_use

ROOT = Path(__file__).resolve().parents[1]

MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
REVIEWERS = builtin_names()  # each scripted with an answer
# What a child process must not inherit: a developer's AWS identity and reviewloop settings.
_PRIVATE_PREFIXES = ("AWS_", "REVIEWLOOP_")


# -- the model ----------------------------------------------------------------------------


@contextmanager
def bedrock(latency: float = 0.0, *, in_process: bool = False,
            **options) -> Iterator[BedrockFake]:
    """A running Bedrock fake answering after `latency` seconds (`options`: the fake's
    `context_window`, `prompt_cache`, `prefill_share`, …). `in_process=True` also points
    this process's boto3 at it, restoring the environment afterwards."""
    with BedrockFake(latency=latency, **options) as fake:
        saved = {name: os.environ.get(name) for name in aws_env(fake)}
        if in_process:
            os.environ.update(aws_env(fake))
        try:
            yield fake
        finally:
            if in_process:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value


def child_env(fake: BedrockFake | None = None, **extra: str) -> dict[str, str]:
    """This process's environment for a child: no AWS identity or reviewloop settings of
    the developer's, analyzers never installed from the network, and with `fake` the
    variables that send boto3 to it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_PRIVATE_PREFIXES)}
    env["REVIEWLOOP_TOOLS_OFFLINE"] = "1"
    if "REVIEWLOOP_TOOLS_DIR" in os.environ:
        env["REVIEWLOOP_TOOLS_DIR"] = os.environ["REVIEWLOOP_TOOLS_DIR"]
    if fake is not None:
        env.update(aws_env(fake))
    return {**env, **extra}


def script_reviewers(fake: BedrockFake, rounds: int, *, delay: float = 0.0,
                     findings: Mapping[str, list[dict]] | None = None,
                     reviewers: Iterable[str] = REVIEWERS) -> None:
    """Each reviewer answers `rounds` calls with `submit_findings`: its `findings` in round 1,
    none in a re-review. Round 1 asked in one call (`[review] combined_review`: the
    reviewers of a chunk on one model, `review.rereview`) answers every
    reviewer's findings, each naming its `agent`; a re-review, alone or combined, none.
    `delay` 0 leaves the time to the fake's latency model."""
    found = {name: list((findings or {}).get(name, [])) for name in reviewers}
    # first: a marker in every re-review's prompt, alone or combined (the first match wins)
    fake.script("Re-review, round ", [tool_use("submit_findings", {"findings": []},
                                               delay=delay) for _ in range(rounds * 5)])
    for name, first in found.items():
        fake.script(f"agent: {name}", [
            tool_use("submit_findings", {"findings": first if n == 0 else []}, delay=delay)
            for n in range(rounds)])
    together = [dict(f, agent=name) for name, first in found.items() for f in first]
    fake.script("agents: ", [tool_use("submit_findings",
                                      {"findings": together if n == 0 else []}, delay=delay)
                             for n in range(rounds)])


# -- repositories -------------------------------------------------------------------------


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


def init_repo(root: Path, message: str = "initial", branch: str | None = "work") -> str:
    """Commit everything under `root` as `main` (switching to `branch` after); the commit id."""
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)
    if branch:
        git(root, "switch", "-qc", branch)
    return git(root, "rev-parse", "HEAD").strip()


@contextmanager
def workdir(prefix: str = "reviewloop-bench-") -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        yield Path(tmp)


# -- timed children -----------------------------------------------------------------------


@dataclass(frozen=True)
class Child:
    """A finished child process: its exit code, output, wall time and peak RSS."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    wall_s: float
    peak_rss_mb: float  # the child's and its waited-for descendants' maximum resident set

    def check(self) -> Child:
        if self.returncode != 0:
            raise SystemExit(f"{' '.join(self.args)} exited {self.returncode}:\n"
                             f"{self.stdout}{self.stderr}")
        return self


def run_child(args: list[str], *, cwd: Path, env: Mapping[str, str]) -> Child:
    """Run `args` to the end; the rusage comes from wait4 on this very child, so an earlier,
    bigger child of this process does not mask its peak (RUSAGE_CHILDREN would)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=cwd, env=dict(env), stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        # ru_maxrss is in KiB on Linux.
        return Child(tuple(args), proc.returncode, out.read(), err.read(), wall,
                     usage.ru_maxrss / 1024)


def reviewloop(root: Path, *args: str, env: Mapping[str, str]) -> Child:
    """`python -m reviewloop ARGS` in `root`, timed."""
    return run_child([sys.executable, "-m", "reviewloop", *args], cwd=root, env=env)


@dataclass(frozen=True)
class ReviewRun:
    """One `reviewloop review`: the child, and the model calls the fake received meanwhile."""

    child: Child
    requests: tuple[RecordedRequest, ...]

    @property
    def wall_s(self) -> float:
        return self.child.wall_s

    @property
    def peak_rss_mb(self) -> float:
        return self.child.peak_rss_mb

    @property
    def slowest_call_s(self) -> float:
        """The longest modelled model call (0 offline)."""
        return max((r.duration for r in self.requests), default=0.0)

    def calls_span_s(self) -> float:
        """From the first model call's arrival to the last one's modelled end."""
        if not self.requests:
            return 0.0
        return (max(r.at + r.duration for r in self.requests)
                - min(r.at for r in self.requests))


def review(repo: Path, base: str, head: str, *, fake: BedrockFake | None = None,
           model: str = MODEL, args: Iterable[str] = (), check: bool = True) -> ReviewRun:
    """`reviewloop review --base BASE --head HEAD --format json` on `repo` in a child process:
    offline (analyzers only, no model configured) without `fake`, else every reviewer call
    goes to `fake`. The report (JSON) is `run.child.stdout`."""
    command = ["review", "--base", base, "--head", head, "--format", "json",
               "--fail-on", "never", *args]
    if fake is not None:
        command += ["--model", model, "--require-llm"]
    seen = len(fake.requests) if fake is not None else 0
    child = reviewloop(repo, *command, env=child_env(fake))
    if check:
        child.check()
    requests = tuple(fake.requests[seen:]) if fake is not None else ()
    return ReviewRun(child, requests)


# -- timing and printing ------------------------------------------------------------------


def ratio(label: str, value: float, *, target: float | None = None, note: str = "") -> str:
    """One printed figure: `label: 1.23  (target <= 1.3; note)`."""
    details = "; ".join(part for part in (f"target <= {target:g}" if target else "", note)
                        if part)
    return f"{label}: {value:.2f}" + (f"  ({details})" if details else "")
