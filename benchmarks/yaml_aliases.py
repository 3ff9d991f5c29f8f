"""What a YAML alias bomb in `.kiro/config.yaml` costs now, against the loader it replaced.

    python benchmarks/yaml_aliases.py [--runs 20] [--old-levels 6]

Prints the size of the 8-level bomb (9**8 strings once expanded), the median time
`load_policy` takes to refuse it, and, for scale, what PyYAML's plain `safe_load` plus the
error message the old code built (`repr` of the value) cost on a smaller bomb of
`--old-levels` levels (the full 8 levels took about 1 GB and 100 s). Ratios within one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from itertools import pairwise
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import yaml  # noqa: E402

from reviewloop.config import Settings  # noqa: E402
from reviewloop.errors import ConfigError  # noqa: E402
from reviewloop.policy.governance import load_policy  # noqa: E402


def bomb(levels: int) -> str:
    names = "abcdefghij"[:levels]
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"{new}: &{new} [{','.join([f'*{old}'] * 9)}]"
              for old, new in pairwise(names)]
    return "\n".join(lines) + f"\nsecurity:\n  sensitiveFiles: *{names[-1]}\n"


def refusal_ms(text: str, runs: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / ".kiro").mkdir()
        (Path(tmp) / ".kiro" / "config.yaml").write_text(text)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            try:
                load_policy(Path(tmp), Settings())
            except ConfigError:
                times.append(time.perf_counter() - start)
            else:
                raise SystemExit("the bomb was accepted")
        return statistics.median(times) * 1000


def old_ms(text: str) -> float:
    start = time.perf_counter()
    data = yaml.safe_load(text)
    repr(data["security"]["sensitiveFiles"])  # what the old type error message printed
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--old-levels", type=int, default=6)
    args = parser.parse_args()
    full = bomb(8)
    new = refusal_ms(full, args.runs)
    old = old_ms(bomb(args.old_levels))
    print(f"bomb: {len(full.encode())} bytes, 8 levels ({9 ** 8:,} strings expanded)")
    print(f"refused by load_policy: median {new:.2f} ms over {args.runs} runs")
    print(f"old loader on {args.old_levels} levels ({9 ** args.old_levels:,} strings): "
          f"{old:.0f} ms  (ratio old/new {old / new:,.0f}x, before 2 more levels = 81x more)")


if __name__ == "__main__":
    main()
