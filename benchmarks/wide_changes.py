"""Wide changes stay linear: an offline review of a change touching thousands of files, and of
one with about 1,500 findings, against the analyzers it runs, run directly on the same files.

    python benchmarks/wide_changes.py [--files 5000] [--findings 1512] [--repeats 3]
    python benchmarks/wide_changes.py --findings 0   # the wide change alone (--files 0: the
                                                     # findings alone)
    python benchmarks/wide_changes.py --callgrind DIR [--compare DIR]  # instructions
    python benchmarks/wide_changes.py --compare DIR  # and reviewloop from DIR (an older
                        # checkout with its `agents`, e.g. `git archive c729d32f reviewloop
                        # agents`) in the same pairs, which of the two goes first alternating

Each review is a `reviewloop review --base main --head feature` subprocess as a user runs it:
offline (no model), the terminal panel drawn (colour forced, 120 columns). Its CPU is the
whole process tree's (the review and every analyzer it starts). The direct side is bandit,
both ruff selections and the secrets scanner, invoked as the analyzers invoke them
(`benchmarks/big_inputs.py direct_analyzers`), one after the other. Pairs are interleaved so
machine load hits both sides alike; the median ratio of the pairs is printed, with the best of
each side.

`--callgrind DIR` counts instructions instead of timing (valgrind's callgrind, every process
of a side, `PYTHONHASHSEED=0`, address randomisation off by `setarch -R` where there is
one; a load-independent measure, once a side): the review's
process tree, the direct run's, and with `--compare` the other tree's review; a tree's first
review writes its dataclass cache (`cli.dataclass_cache`), so one warm-up review runs first.

Targets (issue #41): 5,000 changed files ≤ 1.5 × the analyzers; the 1,512-finding change ≤ 1.6.
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from benchmarks.big_inputs import (  # noqa: E402
    _FROM_ROOT,
    REVIEWLOOP,
    direct_analyzers,
    git,
    new_repo,
    review,
)

TARGETS = {"files": 1.5, "findings": 1.6}

_PLAIN = '''"""Module {i}."""


def total_{i}(values):
    result = 0
    for value in values:
        result += value * {i}
    return result
'''
# Each block gives several findings of bandit and ruff: shell=True (B602), an unused import
# (F401), a bare except-pass (S110/B110, SIM105), a `%` format (UP031).
_NOISY = '''import os
import subprocess


def run_{i}(cmd):
    try:
        subprocess.call(cmd, shell=True)
    except Exception:
        pass
    return "%s" % cmd
'''


def change(root: Path, count: int, template: str) -> list[str]:
    """`count` files from `template` added on a `feature` branch; their paths."""
    git(root, "checkout", "-q", "-b", "feature")
    paths = []
    for i in range(count):
        path = f"pkg/part_{i // 500:02d}/mod_{i:05d}.py"
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(template.format(i=i))
        paths.append(path)
    git(root, "add", "pkg")
    git(root, "commit", "-qm", "feature")
    return paths


def measure(label: str, root: Path, files: list[str], repeats: int, target: float,
            compare: Path | None = None) -> bool:
    reviews, direct, other = [], [], []
    command = [sys.executable, "-P", "-c", _FROM_ROOT, str(compare)] if compare else None
    for turn in range(repeats):
        direct.append(direct_analyzers(root, files, secrets=True))
        for mine in (turn % 2 == 0, turn % 2 == 1) if compare else (True,):
            (reviews if mine else other).append(review(
                root, "--base", "main", "--head", "feature", panel=True,
                command=None if mine else command))
    ok = _report(label, reviews, direct, target)
    if compare:
        _report(f"{label} ({compare})", other, direct, target)
    return ok


def counted(label: str, root: Path, files: list[str], out: Path,
            compare: Path | None = None) -> None:
    """`--callgrind`: the instructions of each side, counted under valgrind in `out`."""
    trees = {"review": None, **({f"review ({compare})": compare} if compare else {})}
    counts = {}
    for name, tree in trees.items():
        command = [sys.executable, "-P", "-c", _FROM_ROOT, str(tree)] if tree else REVIEWLOOP
        review(root, "--base", "main", "--head", "feature", panel=True, command=command)
        counts[name] = _instructions(out / name.split()[0], lambda wrap, command=command:
                                     review(root, "--base", "main", "--head", "feature",
                                            panel=True, command=[*wrap, *command],
                                            seeded=True))
    counts["direct"] = _instructions(out / "direct", lambda wrap: direct_analyzers(
        root, files, secrets=True, wrap=wrap))
    direct = counts.pop("direct")
    for name, count in counts.items():
        print(f"{label}: {name} {count / 1e9:.3f} G instructions ÷ its analyzers directly "
              f"{direct / 1e9:.3f} G = {count / direct:.3f}", flush=True)


def _instructions(out: Path, run: Callable[[list[str]], object]) -> int:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    # address randomisation off where `setarch -R` is there: with it on, two identical
    # runs differed by ~88 M instructions a 1,000 files (dict and allocator layouts)
    fixed = ["setarch", "-R"] if shutil.which("setarch") else []
    run([*fixed, "valgrind", "--tool=callgrind", "--trace-children=yes",
         f"--callgrind-out-file={out}/cg.%p"])
    return sum(int(line.split()[1]) for path in out.iterdir()
               for line in path.read_text(errors="replace").splitlines()
               if line.startswith("summary:"))


def _report(label: str, reviews: list[tuple[float, float]],
            direct: list[tuple[float, float]], target: float) -> bool:
    (wall, cpu), (d_wall, d_cpu) = min(reviews, key=lambda r: r[1]), min(direct,
                                                                         key=lambda r: r[1])
    paired = sorted(r[1] / d[1] for r, d in zip(reviews, direct, strict=True))
    ratio = statistics.median(paired)
    print(f"{label}: review {wall:.2f} s [{cpu:.2f} s CPU] ÷ its analyzers directly "
          f"{d_wall:.2f} s [{d_cpu:.2f} s CPU] = {cpu / d_cpu:.2f} by best CPU; median of "
          f"{len(paired)} pairs {ratio:.2f} (from {paired[0]:.2f} to {paired[-1]:.2f})  "
          f"target ≤ {target}", flush=True)
    return ratio <= target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--findings", type=int, default=1512)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--compare", type=Path, help="also review with reviewloop from DIR")
    parser.add_argument("--callgrind", type=Path, metavar="DIR",
                        help="count instructions under valgrind (its files in DIR) instead")
    args = parser.parse_args(argv)
    for tree in (_HERE.parent, *([args.compare] if args.compare else [])):
        compileall.compile_dir(str(tree / "reviewloop"), quiet=1)
    ok = True
    with tempfile.TemporaryDirectory(prefix="reviewloop-wide-") as tmp:
        if args.files:
            root = new_repo(Path(tmp) / "files")
            files = change(root, args.files, _PLAIN)
            if args.callgrind:
                counted(f"{args.files:,} changed files", root, files,
                        args.callgrind / "files", args.compare)
            else:
                ok &= measure(f"{args.files:,} changed files", root, files, args.repeats,
                              TARGETS["files"], args.compare)
        if args.findings:
            root = new_repo(Path(tmp) / "findings")
            # about 7 findings a file once triaged: enough files for the asked-for count
            files = change(root, max(1, args.findings // 7), _NOISY)
            label = f"a change of {len(files)} files with about {args.findings:,} findings"
            if args.callgrind:
                counted(label, root, files, args.callgrind / "findings", args.compare)
            else:
                ok &= measure(label, root, files, args.repeats, TARGETS["findings"],
                              args.compare)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
