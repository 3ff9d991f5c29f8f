"""Parsing a diff is linear in its files: CPU of `git.diff.parse_diff` on generated diffs of
1,000 to 10,000 added files, and the fitted exponent (time ∝ files^k).

    python benchmarks/diff_parse.py [--files 1000 2500 5000 10000] [--repeat 3]

Target (issue #41): k ≤ 1.1. A header's names were once read from a copy of every line after
it (k ≈ 2: 1.06 s of 1.4 at 5,000 files).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# this folder holds secrets.py, which must not shadow the standard library's `secrets`
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from reviewloop.git.diff import parse_diff  # noqa: E402


def diff_of(files: int) -> str:
    body = "".join(f"+line {n}\n" for n in range(8))
    return "".join(f"diff --git a/pkg/mod_{i}.py b/pkg/mod_{i}.py\nnew file mode 100644\n"
                   f"index 0000000..1111111\n--- /dev/null\n+++ b/pkg/mod_{i}.py\n"
                   f"@@ -0,0 +1,8 @@\n{body}" for i in range(files))


def cpu(files: int, repeat: int) -> float:
    text = diff_of(files)
    best = math.inf
    for _ in range(repeat):
        started = time.process_time()
        parse_diff(text)
        best = min(best, time.process_time() - started)
        text = text.replace("line 0", f"line 0{_}", 1)  # another text: not a remembered one
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, nargs="+", default=[1000, 2500, 5000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    points = [(n, cpu(n, args.repeat)) for n in args.files]
    for n, seconds in points:
        print(f"{n:>6,} files: {seconds:.3f} s CPU")
    xs, ys = [math.log(n) for n, _ in points], [math.log(s) for _, s in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    k = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / \
        sum((x - mean_x) ** 2 for x in xs)
    print(f"fitted exponent k = {k:.2f}  (target ≤ 1.1)")
    return 0 if k <= 1.1 else 1


if __name__ == "__main__":
    sys.exit(main())
