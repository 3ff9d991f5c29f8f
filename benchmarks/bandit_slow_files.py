"""What makes bandit slow on a small file, and where the in-process run ends on one:

    python benchmarks/bandit_slow_files.py [--counts 1000,2000,4000] [--timeout 2]

bandit runs in reviewloop's process when the files fit a quarter of the analyzer's deadline
at its measured pace (`checks/analyzers/bandit_api.fits`: 125 kB a second). Size is no bound
on bandit's time: for each string and each string check bandit looks for a `# nosec` on
every line of the string's parent node (`bandit.core.utils.get_nosec` over the parent's
`linerange`, an empty table under `--ignore-nosec` walked all the same), so many strings in
one literal spread over many lines (a word list, a table of messages, a long call) cost it
strings × lines. Each shape is written with `count` entries and run once in process; printed
are its size, bandit's CPU seconds, and the share of its deadline a file of that size that
`fits` would take (over 1: it would run past the deadline). Then the largest word list is
run with `--timeout` seconds: the run ends there (`bandit_api.report`'s check before each
node), with the failure a CLI killed at its deadline gives.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from reviewloop.checks.analyzers import bandit_api  # noqa: E402
from reviewloop.checks.analyzers.base import AnalyzerError  # noqa: E402

# (name, the text of `count` entries): strings in one literal over lines, and plain code
SHAPES: dict[str, Callable[[int], str]] = {
    "word list (a list literal, a string a line)":
        lambda n: "WORDS = [\n" + "".join(f'    "word{i}",\n' for i in range(n)) + "]\n",
    "call over lines (a string argument a line)":
        lambda n: "table(\n" + "".join(f'    "message {i}",\n' for i in range(n)) + ")\n",
    "code (an assignment of a string a line)":
        lambda n: "".join(f'word{i} = "word{i}"\n' for i in range(n)),
}


def _cpu(path: Path) -> float:
    start = time.process_time()
    if bandit_api.report([str(path)], None) is None:
        raise SystemExit(f"bandit gave no report in process on {path}")
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="1000,2000,4000")
    parser.add_argument("--timeout", type=float, default=2.0)
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    seconds_a_byte = bandit_api.SHARE / bandit_api.BYTES_PER_SECOND  # `fits`' bound
    with tempfile.TemporaryDirectory() as tmp:
        bandit_api.report([str(_write(Path(tmp), "warm", "x = 1\n"))], None)  # plugins loaded
        print(f"{'shape':46} {'entries':>7} {'bytes':>8} {'CPU s':>7} {'of deadline':>11}")
        for name, shape in SHAPES.items():
            for count in counts:
                path = _write(Path(tmp), f"s{count}", shape(count))
                cpu, size = _cpu(path), path.stat().st_size
                print(f"{name:46} {count:7} {size:8} {cpu:7.2f} "
                      f"{cpu / (size * seconds_a_byte):11.2f}", flush=True)
        path = _write(Path(tmp), "last", next(iter(SHAPES.values()))(max(counts) * 4))
        start = time.monotonic()
        try:
            bandit_api.report([str(path)], None, timeout=args.timeout)
            print(f"{path.stat().st_size} bytes: finished within {args.timeout:.0f}s")
        except AnalyzerError as error:
            print(f"{path.stat().st_size} bytes of a word list, timeout {args.timeout}s: "
                  f"'{error}' after {time.monotonic() - start:.2f}s")


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.py"
    path.write_text(text, "utf-8")
    return path


if __name__ == "__main__":
    main()
