"""Never worse than the plain tools as their users run them: reviewloop's analyzer layer vs
bandit, shellcheck and checkov (and ESLint, `js_parity.py`), per rule, on public rule tests
reviewloop was not tuned on.

    python benchmarks/parity.py [--tool bandit|shellcheck|checkov|eslint] [--half report|tune|both]
                                [--held-out] [--rules RULE,...] [--keep DIR]

Material: `benchmarks/data/parity/<tool>.jsonl`, built by `data/make_parity_cases.py` from
bandit's functional tests and examples, shellcheck's `verify`/`verifyNot` properties and
checkov's Terraform resource-check tests (sources, commits, licences: `data/SOURCES.md`).
Each source is split whole by rule into a tune half, a report half and a small held-out
slice (printed apart, with `--held-out`).

All of a half's cases are files that one change adds to a real git repository; then

* reviewloop — the analyzer path `reviewloop review` takes: `run_for_agent` (what a review
  round calls for each reviewer) with the tool's analyzers (`bandit`; `shellcheck-security`
  and `shellcheck`; `checkov`), as installed for reviewloop;
* plain — the same tool and version, run as its documentation says: `bandit -r .`,
  `shellcheck script.sh …`, `checkov -d .` (JSON output for reading; checkov told not to
  phone home, which changes no check).

Per rule: recall and precision of both (`parity_tools.py` says what a hit is); ✗ marks a rule
where reviewloop is below the plain tool on either. Exit 1 when that happens on a half shown.
`--tool eslint` runs `js_parity.py` (no held-out slice there); no `--tool`: all four.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from benchmarks.parity_tools import (  # noqa: E402 - after the path fix
    TOOLS_COMPARED,
    Hits,
    Score,
    Tool,
    folder,
    materialise,
    reviewloop_hits,
)

DATA = _HERE / "data" / "parity"


def load(tool: str, half: str, rules: set[str] | None = None) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in
            (DATA / f"{tool}.jsonl").read_text(encoding="utf-8").splitlines()]
    wanted = ("tune", "report") if half == "both" else (half,)
    return [r for r in rows if r["split"] in wanted and (not rules or r["rule"] in rules)]


def ci_slice(rows: list[dict[str, Any]], rules: int = 4, positives: int = 2,
             negatives: int = 1) -> list[dict[str, Any]]:
    """`rules` rules spread evenly over `rows` (sorted by rule), each with its first
    `positives` flagged and `negatives` clean cases (a bandit example whole): the CI test's
    slice (tests/checks/analyzers/test_tool_parity.py)."""
    ordered = sorted(rows, key=lambda r: r["rule"])
    chosen = ordered[::max(1, len(ordered) // rules)][:rules]
    return [{**row, "cases": _first(row["cases"], positives, negatives)} if "cases" in row
            else row for row in chosen]


def _first(cases: list[list[Any]], positives: int, negatives: int) -> list[list[Any]]:
    flagged = [c for c in cases if c[1]][:positives]
    clean = [c for c in cases if not c[1]][:negatives]
    return [c for c in cases if c in flagged or c in clean]


def make_repo(root: Path, rows: list[dict[str, Any]], tool: Tool) -> tuple[str, list[str]]:
    """A repository whose one change adds every row's files; its diff and those files."""
    root.mkdir(parents=True)

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                              text=True).stdout

    git("init", "-q", "-b", "main")
    (root / "README.md").write_text("parity cases\n")
    git("add", "-A")
    git("-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "base")
    files = materialise(root, rows, tool)
    git("add", "-A")
    return git("diff", "--cached", "HEAD"), files


def compare(tool: Tool, rows: list[dict[str, Any]], keep: Path | None = None
            ) -> tuple[Hits, Hits]:
    """(reviewloop's hits, the plain tool's) on `rows`, in one repository."""
    with tempfile.TemporaryDirectory() as scratch:
        root = keep or Path(scratch) / "repo"
        diff, files = make_repo(root, rows, tool)
        return reviewloop_hits(tool, root, diff), tool.plain(root, files)


def worse(ours: Score, plain: Score) -> bool:
    if ours.recall < plain.recall:
        return True
    return (plain.precision is not None and ours.precision is not None
            and ours.precision < plain.precision)


def table(tool: Tool, rows: list[dict[str, Any]], ours: Hits, plain: Hits) -> list[str]:
    """Prints the per-rule table; returns the rules where reviewloop is below the plain tool."""
    print(f"| {'rule':<42} | {'cases':>5} | {'plain R/P':>13} | {'reviewloop R/P':>14} | |")
    print(f"|{'-' * 44}|------:|{'-' * 14}:|{'-' * 15}:|---|")
    below = []
    mine_all, theirs_all, cases_all = Score(), Score(), 0
    for row in sorted(rows, key=lambda r: r["rule"]):
        mine, theirs = (tool.score(row, folder(row), hits) for hits in (ours, plain))
        cases = len(row["cases"]) if "cases" in row else sum(row["expect"].values())
        mark = "✗" if worse(mine, theirs) else ""
        print(f"| {_label(row):<42} | {cases:>5} | {theirs.cell():>13} | {mine.cell():>14} | "
              f"{mark} |")
        below += [row["rule"]] if mark else []
        mine_all, theirs_all, cases_all = mine_all + mine, theirs_all + theirs, cases_all + cases
    print(f"| {f'all {len(rows)} rules':<42} | {cases_all:>5} | {theirs_all.cell():>13} | "
          f"{mine_all.cell():>14} | {'✗' if below else ''} |")
    return below


def _label(row: dict[str, Any]) -> str:
    codes = row.get("codes")
    return f"{row['rule']} ({','.join(codes)})"[:42] if codes else row["rule"]


def run_tool(name: str, half: str, held_out: bool, rules: set[str] | None,
             keep: Path | None) -> int:
    if name == "eslint":
        argv = [sys.executable, str(_HERE / "js_parity.py"), "--half", half]
        if rules:
            argv += ["--rules", ",".join(sorted(rules))]
        if held_out:
            print("eslint: no held-out slice (js_rule_tests.jsonl has two halves)")
        return subprocess.run(argv, check=False).returncode
    tool = TOOLS_COMPARED[name]
    below: list[str] = []
    for shown in [half, *(["held-out"] if held_out else [])]:
        rows = load(name, shown, rules)
        print(f"\n## {name}, {shown}: {len(rows)} rules from "
              f"benchmarks/data/parity/{name}.jsonl\n")
        if rows:
            ours, plain = compare(tool, rows, keep / shown if keep else None)
            below += table(tool, rows, ours, plain)
    print(f"\n{name}: never below the plain tool: "
          f"{'yes' if not below else 'NO: ' + ', '.join(below)}")
    return 1 if below else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", choices=(*TOOLS_COMPARED, "eslint"))
    parser.add_argument("--half", choices=("report", "tune", "both"), default="report")
    parser.add_argument("--held-out", action="store_true",
                        help="also the held-out slice, in a table of its own")
    parser.add_argument("--rules", help="only these rules (comma-separated)")
    parser.add_argument("--keep", type=Path, help="build the repositories here and keep them")
    args = parser.parse_args(argv)
    rules = set(args.rules.split(",")) if args.rules else None
    codes = [run_tool(name, args.half, args.held_out, rules, args.keep)
             for name in ([args.tool] if args.tool else [*TOOLS_COMPARED, "eslint"])]
    return max(codes)


if __name__ == "__main__":
    sys.exit(main())
