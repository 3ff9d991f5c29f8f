"""Recall and precision of reviewloop's secrets scanner on a labelled set, and of
detect-secrets alone on the same set for comparison.

    python benchmarks/secrets.py [LABELLED.jsonl]

Each line of the set is {"text": ..., "secret": true|false, "kind": ...}; a text counts as
flagged when the scanner reports at least one hit in it.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and its name would shadow the
# standard library's `secrets` for everything imported below: take the folder out first.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import json  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable, Iterable  # noqa: E402

from reviewloop.checks.secrets.scanner import scan_text  # noqa: E402

DEFAULT_SET = Path(__file__).parent / "data" / "secrets_labelled.jsonl"


def load(path: Path = DEFAULT_SET) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def score(rows: Iterable[dict], flags: Callable[[str], bool]) -> dict:
    """Recall, precision and the rows each way wrong, for a text → flagged predicate."""
    tp = fp = fn = 0
    missed: Counter[str] = Counter()
    false_alarms: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for row in rows:
        totals[row["kind"]] += 1
        hit = flags(row["text"])
        if row["secret"] and hit:
            tp += 1
        elif row["secret"]:
            fn += 1
            missed[row["kind"]] += 1
        elif hit:
            fp += 1
            false_alarms[row["kind"]] += 1
    return {"recall": tp / (tp + fn) if tp + fn else 0.0,
            "precision": tp / (tp + fp) if tp + fp else 0.0,
            "n_pos": tp + fn, "n_neg": sum(totals.values()) - tp - fn,
            "missed": missed, "false_alarms": false_alarms, "totals": totals}


def reviewloop_flags(text: str) -> bool:
    return bool(scan_text(text))


def detect_secrets_flags() -> Callable[[str], bool] | None:
    """detect-secrets with its default plugins and filters, line by line."""
    try:
        from detect_secrets.core.scan import scan_line
        from detect_secrets.settings import default_settings
    except ImportError:
        return None

    def flags(text: str) -> bool:
        with default_settings():
            return any(any(True for _ in scan_line(line)) for line in text.splitlines())
    return flags


def _line(name: str, result: dict) -> str:
    return (f"{name}recall={result['recall']:.2f} precision={result['precision']:.2f} "
            f"(n_pos={result['n_pos']}, n_neg={result['n_neg']})")


def _table(result: dict) -> list[str]:
    rows = [f"  {'kind':<28} {'missed':>6} {'false+':>6} {'of':>4}"]
    for kind in sorted(set(result["missed"]) | set(result["false_alarms"])):
        rows.append(f"  {kind:<28} {result['missed'][kind]:>6} "
                    f"{result['false_alarms'][kind]:>6} {result['totals'][kind]:>4}")
    return rows if len(rows) > 1 else ["  (no misses, no false alarms)"]


def main(argv: list[str]) -> int:
    rows = load(Path(argv[0]) if argv else DEFAULT_SET)
    ours = score(rows, reviewloop_flags)
    print(_line("", ours))
    print("\n".join(_table(ours)))
    baseline = detect_secrets_flags()
    if baseline is None:
        print("detect-secrets: not installed, no comparison")
    else:
        print(_line("detect-secrets alone: ", score(rows, baseline)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
