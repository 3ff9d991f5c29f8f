"""CPU of drawing the terminal's findings table for a change with many findings.

    python benchmarks/panel.py [--findings 1512] [--repeat 3]

The table `reviewloop review` prints (`cli/panel.py findings_table`), drawn into a 120-column
console that writes to memory: bounded, as the terminal shows it, and in full, as it was drawn
before the bound (1,512 is the finding count of the change an outside measurement used).
Prints the best of `--repeat` for each, in CPU seconds of this process, and the lines drawn.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402

from reviewloop.cli.panel import MAX_FINDING_ROWS, findings_table  # noqa: E402
from reviewloop.findings.schema import Finding, Severity  # noqa: E402

SEVERITIES = (Severity.MUST_FIX, Severity.SHOULD_FIX, Severity.NIT)


def findings(count: int) -> list[Finding]:
    return [Finding(severity=SEVERITIES[i % 3], file=f"pkg/module_{i % 90}.py",
                    start_line=i + 1, end_line=i + 1, title=f"ruff rule {i % 40} flagged this",
                    rationale="r", confidence=0.8, agent="review-maintainability",
                    source="ruff-maintainability", rule=f"R{i % 40:03d}")
            for i in range(count)]


def drawn(found: list[Finding], limit: int | None, repeat: int) -> tuple[float, int]:
    best, lines = float("inf"), 0
    for _ in range(repeat):
        console = Console(file=io.StringIO(), width=120)
        started = time.process_time()
        console.print(findings_table(found, title="Remaining findings", limit=limit))
        best = min(best, time.process_time() - started)
        lines = console.file.getvalue().count("\n")  # type: ignore[attr-defined]
    return best, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=1512)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    found = findings(args.findings)
    bounded, bounded_lines = drawn(found, MAX_FINDING_ROWS, args.repeat)
    full, full_lines = drawn(found, None, args.repeat)
    print(f"{args.findings} findings: bounded table {bounded:.3f} s CPU ({bounded_lines} lines); "
          f"every row {full:.3f} s CPU ({full_lines} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
