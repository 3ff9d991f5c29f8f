"""How triage scales: grouping a round's reports and recording them in the ledger.

    python benchmarks/triage.py [--sizes 1000 2000 5000 10000] [--target 2.0]
    python benchmarks/triage.py --sizes 10000 50000 100000 --target 60   # the 100k check

A synthetic round shaped like a big review: analyzer reports (bandit- and ruff-like rules on
every 7th line of 400 files), and LLM reports from the five reviewers — some on an analyzer's
lines (they join its group), some re-worded duplicates of another reviewer's finding (they
join by title), the rest their own. Round 1 records them into an empty ledger; round 2 (a
whole re-review) reports the same problems again, 10 % of them gone and 10 % new, so every
group is matched against a ledger of the round-1 size. Prints the seconds of each step per
size, the growth from the smallest size to the largest divided by the size ratio (1.0 is
linear), and the exponent k of time ∝ size^k fitted over all sizes (least squares on the
logarithms; 1.0 is linear). Exit 1 when the largest size takes longer than `--target`
seconds.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from reviewloop.findings.grouping import group  # noqa: E402
from reviewloop.findings.ledger import Health, Ledger  # noqa: E402
from reviewloop.findings.rounds import RoundInput, record  # noqa: E402
from reviewloop.findings.schema import Finding, Severity  # noqa: E402

REVIEWERS = ("review-security", "review-infrastructure", "review-maintainability",
             "review-performance", "review-test-quality")
FILES = 400
TOPICS = ("query built from request data", "unbounded loop over user input",
          "missing timeout on outbound call", "secret written to the log",
          "test asserts nothing about the result", "quadratic scan of the list")


def _finding(n: int, *, llm: bool, line: int, agent: str, title: str) -> Finding:
    fields = {"severity": Severity.SHOULD_FIX if n % 3 else Severity.MUST_FIX,
              "file": f"pkg/module_{n % FILES}.py", "start_line": line, "end_line": line,
              "title": title, "rationale": "it matters here", "confidence": 0.8,
              "agent": agent}
    if llm:
        return Finding(**fields)
    return Finding(**fields, source="bandit" if n % 2 else "ruff", rule=f"R{n % 40:03d}")


def reports(size: int, shift: int = 0) -> list[Finding]:
    """`size` reports: 40 % analyzer, 60 % LLM (a third on analyzer lines, a third duplicates
    of another reviewer's wording, a third their own). `shift` replaces that many of the
    problems with new ones (a round later: some fixed, some new)."""
    out: list[Finding] = []
    for i in range(size):
        n = i + shift if i < shift else i
        line = 7 * (n // FILES) + 1
        agent = REVIEWERS[n % len(REVIEWERS)]
        kind = n % 5
        if kind < 2:
            out.append(_finding(n, llm=False, line=line, agent=agent, title=f"rule {n % 40}"))
        elif kind == 2:
            out.append(_finding(n - 1, llm=True, line=line, agent=agent,
                                title=f"rule {(n - 1) % 40} confirmed"))
        elif kind == 3:
            other = REVIEWERS[(n + 1) % len(REVIEWERS)]
            topic = TOPICS[n % len(TOPICS)]
            out.append(_finding(n, llm=True, line=line + 2, agent=agent, title=topic))
            out.append(_finding(n, llm=True, line=line + 2, agent=other,
                                title=f"possible {topic}"))
        else:
            out.append(_finding(n, llm=True, line=line + 3, agent=agent,
                                title=f"{TOPICS[n % len(TOPICS)]} number {n}"))
    return out[:size]


def health() -> list[Health]:
    return [Health(kind="reviewer", name=r, status="ok") for r in REVIEWERS]


def scope(size: int) -> dict[str, list[int]]:
    """The lines the change wrote: two thirds of each file's reported lines, whatever the
    size (a fixed set would leave a growing share of a larger round outside the change,
    which costs a finding more, and would read as growth that is not triage's)."""
    last = 7 * (size // FILES) + 8
    return {f"pkg/module_{f}.py": list(range(1, 2 * last // 3)) for f in range(FILES)}


def measure(size: int) -> dict[str, float]:
    first, second = reports(size), reports(size, shift=size // 10)
    lines = scope(size)
    started = time.perf_counter()
    groups = group(first)
    grouped = time.perf_counter() - started
    started = time.perf_counter()
    ledger = record(Ledger(), RoundInput(round=1, reported=first, scope=lines,
                                         health=health()))
    round_1 = time.perf_counter() - started
    started = time.perf_counter()
    ledger = record(ledger, RoundInput(round=2, reported=second, scope=lines,
                                       health=health()))
    round_2 = time.perf_counter() - started
    assert len(groups) > size // 3 and ledger.entries, "the synthetic round grouped nothing"
    return {"group": grouped, "round 1": round_1, "round 2": round_2,
            "entries": float(len(ledger.entries))}


def exponent(results: dict[int, dict[str, float]], total: Callable[[int], float]) -> float:
    """The slope of log(time) over log(size), by least squares."""
    xs = [math.log(size) for size in results]
    ys = [math.log(total(size)) for size in results]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000, 10000])
    parser.add_argument("--target", type=float, default=2.0,
                        help="seconds allowed for round 1 + round 2 at the largest size")
    args = parser.parse_args(argv)
    results = {size: measure(size) for size in sorted(args.sizes)}
    print(f"{'findings':>9} {'entries':>8} {'group s':>8} {'round 1 s':>10} {'round 2 s':>10}")
    for size, r in results.items():
        print(f"{size:>9} {int(r['entries']):>8} {r['group']:>8.2f} {r['round 1']:>10.2f} "
              f"{r['round 2']:>10.2f}")
    small, large = min(results), max(results)

    def total(size: int) -> float:
        return results[size]["round 1"] + results[size]["round 2"]

    growth = (total(large) / total(small)) / (large / small)
    print(f"growth {small} → {large}, ÷ size ratio: {growth:.2f} (1.0 = linear)")
    print(f"fitted exponent k (time ∝ findings^k): {exponent(results, total):.2f}")
    print(f"triage of {large} findings (round 1 + round 2): {total(large):.2f} s "
          f"(target ≤ {args.target} s)")
    return 0 if total(large) <= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
