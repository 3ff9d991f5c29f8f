"""The secrets scan on adversarial added lines stays linear: for each shape, seconds to scan
50, 100 and 200 kB of it (`scan_text`, as the gate, the analyzer and redaction run it on added
lines), and the exponent k of time ∝ size^k fitted over them (target ≤ 1.2).

    python benchmarks/secrets_shapes.py [--shape NAME]

The shapes are the decoding layers' worst cases found by fuzzing (round 9b): 48-character
base64-alphabet lines that do not end a wrap (each was read as the first line of a wrapped run
to the end of the text: quadratic), long base64 and hex runs, escapes, and percent-encoded runs
(every byte, printable or not, on one line and on many).

Then lines of escaped quotes (r17), at 10, 20 and 40 kB: `a\\"b\\"c\\"…` with no closing quote,
as a minified JSON string holding JSON or a bundle's line has them, and lines generated from
a seed with varied escaping (an opening quote of either kind or none, then escaped quotes of
both kinds, escaped backslashes, `\\x41`, `\\u0041`, `=`, `:`, base64 runs: no closing quote).
Each escaped quote of an unclosed literal was tried as a literal's opening quote and read the
rest of the line again (`escaped.py`): quadratic. Before (05f3539, a loaded 2-core machine):
15–80 s at 40 kB (10 kB 0.7–3.3 s, k = 1.4–2.9); after: 0.003–0.07 s at 40 kB, k ≈ 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

# this folder holds a `secrets.py` (a benchmark) that would stand in for the standard
# library's `secrets`: take the folder out first, as benchmarks/secrets.py does
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import math  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

from reviewloop.checks.secrets.scanner import scan_text  # noqa: E402

SHAPES = {
    "b64_wrapped_nowrap": "A" * 47 + "a\n",
    "b64_wrapped_indented": "  " + "Ab" * 24 + "\n",
    "b64_long": "Ab",
    "hex_long": "0a",
    "escapes": "\\x41",
    "percent_run": "%41",
    "percent_lines": "x=%41%2D\n",
    "percent_binary": "%FF",
}
SIZES = (50_000, 100_000, 200_000)

# what a generated line is made of: escaped quotes of both kinds, escaped backslashes (an
# even run) before them or not, other escapes, and the text between; no piece holds a quote
# no backslash escapes, so a line opened by one quote never closes
_PIECES = ('\\"', "\\'", "\\\\", '\\\\\\"', "\\\\\\'", "\\x41", "\\u0041", "\\n", "a",
           "Xk9", " ", "=", ":", "==", "QUJDRA", "password", "{", "},")


def _escaped_quotes(unit: str) -> Callable[[int], str]:
    return lambda size: unit * (size // len(unit))


def _varied(seed: int) -> Callable[[int], str]:
    """A line of `size` characters opened by a quote (or none) and drawn from `_PIECES` by a
    seeded generator: the same line's start at every size."""
    def line(size: int) -> str:
        rng = random.Random(seed)
        parts = [rng.choice(('"', "'", "x = "))]
        length = len(parts[0])
        while length < size:
            parts.append(rng.choice(_PIECES))
            length += len(parts[-1])
        return "".join(parts)[:size]
    return line


ESCAPING: dict[str, Callable[[int], str]] = {
    "escaped_double": _escaped_quotes('a\\"b\\"c\\"'),
    "escaped_single": _escaped_quotes("a\\'b\\'c\\'"),
    "escaped_json": _escaped_quotes('{\\"password\\":\\"v\\",\\"n\\":1},'),
    "escaped_backslashes": _escaped_quotes('\\\\\\"'),
    **{f"varied_{seed}": _varied(seed) for seed in range(4)},
}
ESCAPING_SIZES = (10_000, 20_000, 40_000)


def seconds(text: str, repeats: int = 3) -> float:
    """The best of `repeats` scans (the scan's memo is keyed by the text: each is new)."""
    best = math.inf
    for repeat in range(repeats):
        began = time.perf_counter()
        scan_text(text + " " * repeat, path="x.txt")
        best = min(best, time.perf_counter() - began)
    return best


def exponent(times: dict[int, float]) -> float:
    """Least squares slope of log(time) on log(size)."""
    xs = [math.log(size) for size in times]
    ys = [math.log(max(t, 1e-6)) for t in times.values()]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) \
        / sum((x - mx) ** 2 for x in xs)


def main(argv: list[str]) -> int:
    chosen = argv[argv.index("--shape") + 1] if "--shape" in argv else None
    scan_text("warm up")
    for name, unit in SHAPES.items():
        if chosen and name != chosen:
            continue
        times = {}
        for size in SIZES:
            text = unit * (size // len(unit))
            if name in ("escapes",):
                text = f'"{text}"'
            times[size] = seconds(text)
        _show(name, times)
    for name, line in ESCAPING.items():
        if chosen and name != chosen:
            continue
        _show(name, {size: seconds(line(size)) for size in ESCAPING_SIZES})
    return 0


def _show(name: str, times: dict[int, float]) -> None:
    shown = "  ".join(f"{size // 1000:3d} kB {t:7.3f} s" for size, t in times.items())
    print(f"{name:22} {shown}  k = {exponent(times):.2f}", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
