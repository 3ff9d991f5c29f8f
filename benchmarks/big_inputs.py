"""Big inputs stay cheap: an offline review with a 1 MB added file, with an untracked 500 MB
virtualenv present, against the analyzers run directly, and the secrets scanner's overlap
check on 4,000 secret-like tokens.

    python benchmarks/big_inputs.py [--repeats 3] [--source PACKAGE]
    python benchmarks/big_inputs.py --root DIR   # reviews run reviewloop from DIR (an older
                                                 # checkout, e.g. `git archive f4fc828`)
    python benchmarks/big_inputs.py --only c --compare DIR  # (c) for this checkout and DIR,
                                                 # their reviews interleaved in one run

Prints, in one process (each review is a `reviewloop review` subprocess, offline: no model):

(a) seconds for an offline review of a change adding a 1 MB (1 MiB) text file, and for a
    0.95 MB one (both analyzed and scanned: 1,000,000 bytes is a model's limit, not the
    analyzers') — target ≤ 5 s;
(b) review time with an untracked 500 MB `.venv` (20,000 small files, five sparse 100 MB
    files, bin/python and pyvenv.cfg, not in .gitignore) ÷ the same review without it
    — target ≈ 1.0;
(c) offline review wall time ÷ running the same analyzers directly (the same invocations
    the analyzers make, one after the other) on the same files, for a change adding an
    installed package's sources (click by default: code we did not write): bandit and ruff,
    and bandit, ruff and the secrets scanner (every analyzer the review runs on them)
    — target ≤ 1.3 by CPU against every analyzer (#24; the review's CPU counts its
    analyzers' subprocesses);
(e) a 50 MB text file added in the working tree, then committed and reviewed with
    --base/--head: wall, CPU and peak RSS (wait4 on the review process) — target ≤ 10 s,
    ≤ 300 MB: the file is over every analyzer's limit, named as not analysed (the review
    fails) and never read whole;
(d) the overlap check's comparisons and time for 4,000 secret-like tokens: the quadratic
    check the scanner had (every candidate against every claimed span) against
    `claim_spans` (one binary search per candidate), with identical results, and the whole
    `scan_text` time.

Times are wall seconds (best of --repeats) with the CPU seconds of the review process in
brackets: on a loaded machine the wall time can be several times the CPU time.
"""

from __future__ import annotations

import argparse
import compileall
import importlib
import os
import random
import resource
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

# This folder holds secrets.py, which must not shadow the standard library's `secrets`.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from reviewloop.checks.analyzers.ruff import (  # noqa: E402
    RUFF_MAINTAINABILITY,
    RUFF_PERFORMANCE,
    ruff_command,
)
from reviewloop.checks.secrets import scanner  # noqa: E402

GIT_ID = ("-c", "user.name=bench", "-c", "user.email=bench@example.invalid")
# `reviewloop` from another checkout: the editable install's finder is taken off first
_FROM_ROOT = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in "
              "repr(f).lower()]; sys.path.insert(0, sys.argv.pop(1)); "
              "from reviewloop.__main__ import main; main()")  # as `reviewloop` starts
# -P: the reviewed repository's own top-level packages (click's sources, in (c)) must not
# shadow the ones reviewloop imports, as `python -m` in its root would otherwise do
REVIEWLOOP = [sys.executable, "-P", "-m", "reviewloop"]


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *GIT_ID, *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def new_repo(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "app.py").write_text("def add(a, b):\n    return a + b\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    return root


def users_env() -> dict[str, str]:
    """This environment as a user's shell would give it: no GitHub, AWS or reviewloop
    settings, and Python writing bytecode as it does by default (a workplace's
    PYTHONDONTWRITEBYTECODE would keep reviewloop from keeping what it compiled once — its
    modules are compiled before the runs, `main`; its dataclasses' methods at the first run,
    `reviewloop.cli.dataclass_cache` — so every run would compile again)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "AWS_", "REVIEWLOOP_"))
           and k != "PYTHONDONTWRITEBYTECODE"}
    if env.get("PYTHONPATH"):  # `PYTHONPATH=. python benchmarks/…`: the tree it names here,
        # not the temporary repository each run starts in (there `.` found no reviewloop,
        # and the editable install's checkout was reviewed instead)
        env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) if p else p
                                            for p in env["PYTHONPATH"].split(os.pathsep))
    return env


def review(root: Path, *args: str, panel: bool = False,
           command: list[str] | None = None, seeded: bool = False) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the review process) of one offline review: its report
    as JSON on standard output, or with `panel` the terminal panel drawn as a user sees it
    (colour forced, 120 columns). `command`: how reviewloop starts (default `REVIEWLOOP`);
    `seeded`: its string hashes fixed (`PYTHONHASHSEED=0`, for counted instructions)."""
    env = users_env() | ({"PYTHONHASHSEED": "0"} if seeded else {})
    shown = ()
    if panel:
        env.update({"FORCE_COLOR": "1", "COLUMNS": "120"})
    else:
        shown = ("--format", "json")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([*(command or REVIEWLOOP), "review", "--fail-on", "never", *shown, *args],
                          cwd=root, env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"review failed in {root}: {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def best(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return min(runs)


def text_file(path: Path, size: int, seed: int = 1) -> None:
    """`size` bytes of log-like text lines (words, numbers, a few key=value pairs)."""
    rng = random.Random(seed)
    words = ["request", "served", "user", "session", "cache", "value", "config", "hello", "world",
        "status", "ok", "key", "token", "retry", "alpha", "beta", "200", "404", "1234"]
    lines, total = [], 0
    while total < size:
        line = f"{total:08d} " + " ".join(rng.choices(words, k=9))
        lines.append(line)
        total += len(line) + 1
    path.write_text("\n".join(lines)[: size - 1] + "\n")


# --- (a) ------------------------------------------------------------------------------------

def large_file(tmp: Path, repeats: int) -> None:
    print("(a) offline review of a change adding one large text file")
    root = new_repo(tmp / "small")
    (root / "app.py").write_text("def add(a, b):\n    return a + b + 0\n")
    wall, cpu = best([review(root, "--working") for _ in range(repeats)])
    print(f"    {'a one-line change (the fixed cost)':<44} {wall:6.2f} s [{cpu:5.2f} s CPU]")
    for label, size in (("1 MiB (over a model's cap: analyzed, not sent)", 1 << 20),
                        ("0.95 MB (analyzed)", 950_000)):
        root = new_repo(tmp / f"large-{size}")
        text_file(root / "notes.txt", size)
        git(root, "add", "notes.txt")
        wall, cpu = best([review(root, "--working") for _ in range(repeats)])
        print(f"    {label:<44} {wall:6.2f} s [{cpu:5.2f} s CPU]  target ≤ 5 s")


# --- (b) ------------------------------------------------------------------------------------

def virtualenv(root: Path, small: int = 20_000, large: int = 5) -> int:
    """An untracked virtualenv: `small` small modules and `large` sparse 100 MB files."""
    venv = root / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("#!/bin/sh\n")
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\ninclude-system-site-packages = false\n")
    site = venv / "lib" / "python3.11" / "site-packages"
    for i in range(small):
        folder = site / f"pkg_{i // 200:03d}"
        if i % 200 == 0:
            folder.mkdir(parents=True)
        (folder / f"mod_{i:05d}.py").write_text(f"VALUE_{i} = {i}\n" * 8)
    for i in range(large):
        with (site / f"big_{i}.so").open("wb") as fh:
            fh.truncate(100_000_000)
    return sum(p.stat().st_size for p in venv.rglob("*") if p.is_file())


def untracked_venv(tmp: Path, repeats: int) -> None:
    """Reviews with and without the venv, interleaved (the venv is moved out of the
    repository and back between runs), so that machine load hits both alike."""
    print("(b) review time with an untracked .venv ÷ without it")
    root = new_repo(tmp / "venv")
    (root / "app.py").write_text("def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n"
                                 "    return a - b\n")
    parked = tmp / "parked-venv"
    parked.mkdir()
    size = virtualenv(parked)
    without, with_venv = [], []
    for _ in range(repeats):
        without.append(review(root))
        (parked / ".venv").rename(root / ".venv")
        with_venv.append(review(root))
        (root / ".venv").rename(parked / ".venv")
    (wall0, cpu0), (wall1, cpu1) = best(without), best(with_venv)
    print(f"    without {wall0:.2f} s [{cpu0:.2f} s CPU], with a {size / 1e6:.0f} MB venv of "
          f"20,006 files {wall1:.2f} s [{cpu1:.2f} s CPU]")
    print(f"    ratio {wall1 / wall0:.2f} wall, {cpu1 / cpu0:.2f} CPU  target ≈ 1.0")


# --- (c) ------------------------------------------------------------------------------------

# The secrets analyzer is reviewloop's own scanner: run directly, it is a process that scans
# the files' text (every line of an added file is an added line).
_SECRETS_DIRECT = ("import sys; from reviewloop.checks.secrets.scanner import scan_text; "
                   "[scan_text(open(f, encoding='utf-8').read(), path=f) for f in sys.argv[1:]]")


def direct_analyzers(root: Path, files: list[str], *, secrets: bool = False,
                     wrap: Sequence[str] = ()) -> tuple[float, float]:
    """(wall, CPU seconds) of bandit and ruff (and with `secrets`, the secrets scanner) run
    the way the analyzers run them, one after the other: ruff as the analyzer starts it
    (`ruff_command`, the package's binary). `wrap` is put before each command (valgrind,
    `wide_changes.py --callgrind`)."""
    paths = [str(root / f) for f in files]  # as the analyzers pass them: absolute, after --
    argvs = [[sys.executable, "-m", "bandit", "-f", "json", "-q", "--ignore-nosec", "-x",
              "/dev/null/none", "--", *paths]]
    for ruff in (RUFF_MAINTAINABILITY, RUFF_PERFORMANCE):
        argvs.append([*ruff_command(), "check", "--isolated", "--no-cache",
                      "--ignore-noqa", "--exit-zero", "--output-format", "json", "--select",
                      ",".join(ruff.select), "--", *paths])
    if secrets:
        argvs.append([sys.executable, "-c", _SECRETS_DIRECT, *files])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    env = users_env() | ({"PYTHONHASHSEED": "0"} if wrap else {})
    for argv in argvs:
        subprocess.run([*wrap, *argv], cwd=root, capture_output=True, check=False, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (time.perf_counter() - started,
            (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))


def against_analyzers(tmp: Path, repeats: int, package: str, compare: Path | None = None
                      ) -> None:
    source = Path(importlib.import_module(package).__file__).parent
    root = new_repo(tmp / "package")
    shutil.copytree(source, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    files = sorted(p.relative_to(root).as_posix() for p in (root / package).rglob("*.py"))
    lines = sum(len((root / f).read_text().splitlines()) for f in files)
    print(f"(c) offline review ÷ its analyzers run directly: {package} sources added, "
          f"{len(files)} files, {lines:,} lines")
    git(root, "add", package)
    direct, every, runs, other = [], [], [], []
    other_command = ([sys.executable, "-P", "-c", _FROM_ROOT, str(compare.resolve())]
                     if compare else None)
    for turn in range(repeats):  # interleaved: machine load hits all alike
        direct.append(direct_analyzers(root, files))
        every.append(direct_analyzers(root, files, secrets=True))
        if other_command is None:
            runs.append(review(root, "--working", panel=True))
            continue
        for mine in (turn % 2 == 0, turn % 2 == 1):  # which checkout goes first alternates
            (runs if mine else other).append(review(root, "--working", panel=True,
                                                    command=None if mine else other_command))
    if other:
        _ratios(f"the review of {compare}", other, every)
        print("    and this checkout's:")
    _ratios("review", runs, direct, every)


def _ratios(label: str, runs: list[tuple[float, float]], *sides: list[tuple[float, float]]
            ) -> None:
    """The review's best time, its ratios to each direct side (the last: every analyzer),
    and the median of each review ÷ the direct run of every analyzer beside it."""
    direct, every = (sides[0], sides[-1]) if len(sides) > 1 else (None, sides[-1])
    (wall, cpu) = best(runs)
    print(f"    {label}, the terminal panel drawn: {wall:.2f} s [{cpu:.2f} s CPU]")
    for side, times in (("bandit + ruff", direct),
                        ("bandit + ruff + the secrets scanner (all it runs)", every)):
        if times is None:
            continue
        direct_wall, direct_cpu = best(times)
        target = "target ≤ 1.3 CPU" if times is every else "(for reference)"
        print(f"    {side} directly {direct_wall:.2f} s [{direct_cpu:.2f} s CPU]: ratio "
              f"{wall / direct_wall:.2f} wall, {cpu / direct_cpu:.2f} CPU  {target}")
    # each review against the direct run just before it: a slow spell of the machine hits
    # both sides of a pair, where the best of each side may come from different spells
    paired = sorted(r[1] / e[1] for r, e in zip(runs, every, strict=True))
    print(f"    the same by CPU, review ÷ the direct run beside it: median "
          f"{statistics.median(paired):.2f} of {len(paired)} pairs "
          f"(from {paired[0]:.2f} to {paired[-1]:.2f})")


# --- (e) ------------------------------------------------------------------------------------

def review_rss(root: Path, *args: str) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one offline review; the rusage is this
    very child's (wait4), so an earlier, bigger child does not mask its peak."""
    env = users_env()
    started = time.perf_counter()
    proc = subprocess.Popen([*REVIEWLOOP, "review", "--fail-on", "never", "--format", "json",
                             *args], cwd=root, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    assert proc.stderr is not None
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"review failed in {root}: {proc.stderr.read()[-2000:]!r}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def streamed_text(path: Path, size: int) -> None:
    """`size` bytes of log-like text, written a block at a time (never whole in memory)."""
    block = path.with_suffix(".block")
    text_file(block, 1 << 20)
    chunk = block.read_text()
    block.unlink()
    with path.open("w") as out:
        for _ in range(size // len(chunk)):
            out.write(chunk)
        out.write(chunk[: size % len(chunk)])


def huge_file(tmp: Path, size: int = 50_000_000) -> None:
    """A 50 MB text file added in the working tree, and the same file committed and
    reviewed as `--base main --head HEAD`: listed as not read, never read whole."""
    print(f"(e) a {size / 1e6:.0f} MB text file: wall, CPU and peak RSS of the review")
    root = new_repo(tmp / "huge")
    streamed_text(root / "data.log", size)
    (root / "app.py").write_text("def add(a, b):\n    return a + b + 1\n")
    for label, args in (("added in the working tree (--working)", ("--working",)),
                        ("committed (--base main --head HEAD)", ("--base", "main", "--head",
                                                                  "HEAD"))):
        if args[0] == "--base":
            git(root, "switch", "-qc", "change")
            git(root, "add", "-A")
            git(root, "commit", "-qm", "add a huge file")
        wall, cpu, rss = review_rss(root, *args)
        print(f"    {label:<44} {wall:6.2f} s [{cpu:5.2f} s CPU], peak RSS {rss:5.0f} MB  "
              f"target ≤ 10 s, ≤ 300 MB")


# --- (d) ------------------------------------------------------------------------------------

class Counted(int):
    """An offset that counts the comparisons made with it (bisect compares in C)."""

    count = 0

    def __lt__(self, other):
        Counted.count += 1
        return int(self) < int(other)

    def __gt__(self, other):
        Counted.count += 1
        return int(self) > int(other)


def quadratic_claim(candidates, counter: list[int] | None = None):
    """The overlap check the scanner had before: every candidate against every kept span
    (`counter[0]` counts the comparisons evaluated)."""
    kept = []
    compared = 0
    for candidate in candidates:
        start, end = candidate[0], candidate[1]
        overlaps = False
        for s, e, *_ in kept:
            compared += 1
            if start < e:
                compared += 1
                if s < end:
                    overlaps = True
                    break
        if not overlaps:
            kept.append(candidate)
    if counter is not None:
        counter[0] = compared
    return sorted(kept)


def token_text(n: int, seed: int = 1) -> str:
    """`n` secret-like tokens, two per line (as benchmarks/secrets.py builds them)."""
    rng = random.Random(seed)
    alnum = string.ascii_letters + string.digits
    return "\n".join(
        f'ghp_{"".join(rng.choices(alnum, k=36))} api_key_{i} = '
        f'"{"".join(rng.choices(alnum, k=32))}"' for i in range(n // 2))


def overlap_check(n: int = 4000) -> None:
    text = token_text(n)
    candidates = list(scanner.candidates(text))
    print(f"(d) overlap check on {n:,} secret-like tokens ({len(candidates):,} candidates)")
    counter = [0]
    started = time.perf_counter()
    before = quadratic_claim(candidates, counter)
    before_s = time.perf_counter() - started
    started = time.perf_counter()
    after = scanner.claim_spans(candidates)
    after_s = time.perf_counter() - started
    Counted.count = 0
    scanner.claim_spans([(Counted(c[0]), Counted(c[1]), *c[2:]) for c in candidates])
    print(f"    before (every kept span) {counter[0]:>12,} comparisons {before_s:8.4f} s")
    print(f"    after (claim_spans)      {Counted.count:>12,} comparisons {after_s:8.4f} s")
    print(f"    identical spans kept: {before == after} ({len(after):,})")
    scanner.scan_text(token_text(40))  # warm up
    started = time.perf_counter()
    scanner.scan_text(text)
    print(f"    scan_text, the whole scan: {time.perf_counter() - started:.2f} s")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--source", default="click", help="installed package for (c)")
    parser.add_argument("--root", type=Path, help="run the reviews with reviewloop from here")
    parser.add_argument("--only", default="abcde", help="which parts to run, e.g. ab")
    parser.add_argument("--compare", type=Path,
                        help="(c): also review with reviewloop from this checkout, interleaved")
    args = parser.parse_args(argv)
    if args.root is not None:
        REVIEWLOOP[:] = [sys.executable, "-P", "-c", _FROM_ROOT, str(args.root.resolve())]
    # an installed wheel has its bytecode; an editable checkout under
    # PYTHONDONTWRITEBYTECODE would compile every module in every review
    for tree in (args.root or _HERE.parent, *([args.compare] if args.compare else [])):
        compileall.compile_dir(str(tree / "reviewloop"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="reviewloop-big-") as tmp:
        if "a" in args.only:
            large_file(Path(tmp), args.repeats)
        if "b" in args.only:
            untracked_venv(Path(tmp), args.repeats)
        if "c" in args.only:
            against_analyzers(Path(tmp), args.repeats, args.source, args.compare)
        if "e" in args.only:
            huge_file(Path(tmp))
    if "d" in args.only:
        overlap_check()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
