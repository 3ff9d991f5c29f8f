"""Never worse than ESLint as its users run it: reviewloop's JS/TS layer vs plain ESLint with a
typical configuration, per rule, on public rule tests reviewloop was not tuned on.

    python benchmarks/js_parity.py [--half report|tune|both] [--rules RULE,...] [--keep DIR]

Material: `benchmarks/data/js_rule_tests.jsonl` (built by `data/make_js_rule_tests.py` from the
rule tests of ESLint, typescript-eslint, eslint-plugin-security and no-unsanitized; sources,
commits and licences in `data/SOURCES.md`), split per case into a tune and a report half.

Every case of the chosen half is a file that one change adds to a real git repository (a
`package.json` without "type", a `tsconfig.json` like typescript-eslint's test fixture, with
`@types/node` and `@types/react` installed, as a TypeScript project has them):

* reviewloop — the analyzer path `reviewloop review` takes: `run_for_agent` (what a review
  round calls for each reviewer) with the three ESLint views, reviewloop's bundled rule set;
* plain — `eslint` installed from npm in a folder of its own (the versions reviewloop pins),
  configured as the plugins' and typescript-eslint's docs say: `@eslint/js` recommended,
  eslint-plugin-security and no-unsanitized recommended, typescript-eslint
  `recommended-type-checked` through the project service on TypeScript files, browser and
  Node globals, `.cjs` as CommonJS; and ESLint's four rules about code from strings
  (`no-eval`, `no-implied-eval`, `no-new-func`, `no-script-url`), which a security-minded
  user adds (recommended has none of them).

Per rule: recall (invalid cases flagged by that rule) and precision (flagged cases that are
invalid) of both. Exit 1 when reviewloop is below the plain tool on either, on any rule of the
report half. Needs npm (the plain tool and the types are installed from the registry) and
reviewloop's ESLint (installed like `reviewloop tools install eslint`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from reviewloop.checks.analyzers import npm_env  # noqa: E402 - after the path fix
from reviewloop.checks.analyzers.provision import TOOLS, install  # noqa: E402
from reviewloop.review.definitions import AgentDefinition  # noqa: E402
from reviewloop.review.evidence import run_for_agent  # noqa: E402

CASES = _HERE / "data" / "js_rule_tests.jsonl"
VIEWS = ("eslint-security", "eslint-maintainability", "eslint-performance")
TYPES = ("@types/node@22.20.5", "@types/react@18.3.8")
PLAIN_PACKAGES = ("eslint", "@eslint/js", "typescript-eslint", "typescript",
                  "eslint-plugin-security", "eslint-plugin-no-unsanitized", "globals")
# typescript-eslint's test fixture (packages/eslint-plugin/tests/fixtures/tsconfig.json), with
# every case file a module of its own (as each test is linted alone) and all of them included
TSCONFIG: dict[str, Any] = {"compilerOptions": {
    "jsx": "preserve", "target": "es2015", "module": "commonjs", "strict": True,
    "esModuleInterop": True, "types": ["node", "react"], "lib": ["es2015", "es2017", "esnext"],
    "experimentalDecorators": True, "moduleDetection": "force", "skipLibCheck": True,
    "noEmit": True}, "include": ["cases"]}
PLAIN_CONFIG = """\
import js from "@eslint/js";
import security from "eslint-plugin-security";
import noUnsanitized from "eslint-plugin-no-unsanitized";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  js.configs.recommended,
  security.configs.recommended,
  noUnsanitized.configs.recommended,
  { rules: { "no-eval": "error", "no-implied-eval": "error", "no-new-func": "error",
             "no-script-url": "error" } },
  { languageOptions: { globals: { ...globals.browser, ...globals.node } } },
  { files: ["**/*.cjs"], languageOptions: { sourceType: "commonjs" } },
  {
    files: ["**/*.{ts,tsx,mts,cts}"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true,
                                        tsconfigRootDir: process.env.CASES_ROOT } },
  },
);
"""
Flags = dict[str, set[str]]  # case file -> the rules that flagged it


@dataclass(frozen=True)
class Score:
    positives: int
    flagged: int
    hits: int

    @property
    def recall(self) -> float:
        return self.hits / self.positives if self.positives else 1.0

    @property
    def precision(self) -> float | None:
        return self.hits / self.flagged if self.flagged else None

    def cell(self) -> str:
        p = "  —  " if self.precision is None else f"{self.precision:.3f}"
        return f"{self.recall:.3f}/{p}"


def load(half: str, rules: set[str] | None = None) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines()]
    return [r for r in rows if half in ("both", r["split"]) and (not rules or r["rule"] in rules)]


def ci_slice(cases: list[dict[str, Any]], positives: int = 2,
             negatives: int = 1) -> list[dict[str, Any]]:
    """The first `positives` invalid and `negatives` valid cases of each rule, in file order
    (the CI test's slice: tests/checks/analyzers/test_eslint_parity.py)."""
    taken: dict[tuple[str, bool], int] = {}
    chosen = []
    for case in cases:
        key = (case["rule"], case["label"])
        if taken.get(key, 0) < (positives if case["label"] else negatives):
            taken[key] = taken.get(key, 0) + 1
            chosen.append(case)
    return chosen


def file_name(index: int, case: dict[str, Any]) -> str:
    folder = case["rule"].replace("@", "").replace("/", "-")
    return f"cases/{folder}/c{index:04d}.{case['suffix']}"


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def make_repo(root: Path, cases: list[dict[str, Any]], *,
              types: bool = True) -> tuple[str, list[str]]:
    """A TypeScript-ready repository whose one change adds every case as a file; its diff
    and the case files, in order. Without `types`, nothing is installed: the DOM's lib
    stands in for @types/node (the CI slice, offline after reviewloop's own ESLint)."""
    root.mkdir(parents=True)
    _git(root, "init", "-q", "-b", "main")
    (root / "package.json").write_text('{"name": "cases", "private": true}\n')
    options = TSCONFIG["compilerOptions"]
    if not types:
        options = {**options, "types": [], "lib": [*options["lib"], "dom"]}
    (root / "tsconfig.json").write_text(
        json.dumps({**TSCONFIG, "compilerOptions": options}, indent=2) + "\n")
    (root / ".gitignore").write_text("node_modules/\n")
    if types:
        npm(root, "install", "--no-save", "--no-package-lock", *TYPES)
    _git(root, "add", "-A")
    _git(root, "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "base")
    names = []
    for index, case in enumerate(cases):
        path = root / file_name(index, case)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(case["code"] + "\n", encoding="utf-8")
        names.append(file_name(index, case))
    _git(root, "add", "-A")
    return _git(root, "diff", "--cached", "HEAD"), names


def npm(folder: Path, *args: str) -> None:
    command = npm_env.npm() or "npm"
    done = subprocess.run([command, *args, "--no-audit", "--no-fund", "--ignore-scripts"],
                          cwd=folder, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"npm {' '.join(args)} failed: {done.stderr[-2000:]}")


def reviewloop_flags(root: Path, diff: str) -> tuple[Flags, set[str]]:
    """Each case file's rules as reviewloop's ESLint views report them, and the files they
    could not read."""
    flags: Flags = {}
    unread: set[str] = set()
    for name in VIEWS:
        agent = AgentDefinition(name=f"bench-{name}", prompt="x", analyzers=(name,))
        report = run_for_agent(agent, root, diff)
        if report.errors or report.missing:
            raise SystemExit(f"{name} did not run: {report.errors or report.missing}")
        for finding in report.findings:
            flags.setdefault(finding.file, set()).add(finding.rule or "")
        unread |= {path for h in report.health for path in h.unread}
    return flags, unread


def pins() -> dict[str, str]:
    manifest = json.loads((npm_env.manifests("eslint") / "package.json").read_text())
    return {name: manifest["dependencies"][name] for name in PLAIN_PACKAGES}


def plain_flags(root: Path, files: list[str], folder: Path) -> tuple[Flags, set[str]]:
    """Each case file's rules as plain ESLint reports them (installed into `folder`)."""
    (folder / "package.json").write_text('{"name": "plain-eslint", "private": true}\n')
    npm(folder, "install", "--no-package-lock",
        *(f"{name}@{version}" for name, version in pins().items()))
    config = folder / "eslint.config.mjs"
    config.write_text(PLAIN_CONFIG)
    done = subprocess.run(
        ["node", str(folder / "node_modules/eslint/bin/eslint.js"), "--config", str(config),
         "--format", "json", *files], cwd=root, capture_output=True, text=True,
        env={**os.environ, "CASES_ROOT": str(root)}, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"plain eslint failed: {done.stderr[-2000:]}")
    flags: Flags = {}
    unread: set[str] = set()
    for result in json.loads(done.stdout):
        path = str(Path(result["filePath"]).relative_to(root))
        flags[path] = {m["ruleId"] for m in result["messages"] if m.get("ruleId")}
        if any(m.get("fatal") for m in result["messages"]):
            unread.add(path)
    return flags, unread


def score(cases: Iterable[tuple[str, dict[str, Any]]], flags: Flags) -> Score:
    positives = flagged = hits = 0
    for path, case in cases:
        hit = case["rule"] in flags.get(path, set())
        positives += case["label"]
        flagged += hit
        hits += hit and case["label"]
    return Score(positives, flagged, hits)


def worse(ours: Score, plain: Score) -> bool:
    if ours.recall < plain.recall:
        return True
    return (plain.precision is not None and ours.precision is not None
            and ours.precision < plain.precision)


def table(named: list[tuple[str, dict[str, Any]]], ours: Flags, plain: Flags) -> list[str]:
    """Prints the per-rule table; returns the rules where reviewloop is below plain ESLint."""
    print(f"| {'rule':<44} | {'n+':>4} | {'n-':>4} | {'reviewloop R/P':>14} | "
          f"{'plain R/P':>14} |")
    print(f"|{'-' * 46}|-----:|-----:|{'-' * 15}:|{'-' * 15}:|")
    below = []
    for rule in sorted({c["rule"] for _, c in named}):
        chosen = [(p, c) for p, c in named if c["rule"] == rule]
        mine, theirs = score(chosen, ours), score(chosen, plain)
        negatives = len(chosen) - mine.positives
        mark = " ✗" if worse(mine, theirs) else ""
        print(f"| {rule:<44} | {mine.positives:>4} | {negatives:>4} | {mine.cell():>14} | "
              f"{theirs.cell():>14} |{mark}")
        if mark:
            below.append(rule)
    mine, theirs = score(named, ours), score(named, plain)
    print(f"| {'all ' + str(len({c['rule'] for _, c in named})) + ' rules':<44} | "
          f"{mine.positives:>4} | {len(named) - mine.positives:>4} | {mine.cell():>14} | "
          f"{theirs.cell():>14} |")
    return below


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=("report", "tune", "both"), default="report")
    parser.add_argument("--rules", help="only these rules (comma-separated ids)")
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    args = parser.parse_args()
    install(TOOLS["eslint"])
    cases = load(args.half, set(args.rules.split(",")) if args.rules else None)
    print(f"material: {len(cases)} cases of the {args.half} half from "
          f"{CASES.relative_to(_HERE.parent)} (sources: benchmarks/data/SOURCES.md)\n")
    with tempfile.TemporaryDirectory() as folder:
        root = args.keep or Path(folder) / "repo"
        diff, files = make_repo(root, cases)
        named = list(zip(files, cases, strict=True))
        ours, our_unread = reviewloop_flags(root, diff)
        plain_home = Path(folder) / "plain"
        plain_home.mkdir()
        theirs, their_unread = plain_flags(root, files, plain_home)
    below = table(named, ours, theirs)
    print(f"\nfiles not parsed: reviewloop {len(our_unread)} (named as not read), plain "
          f"{len(their_unread)}")
    print(f"never below plain ESLint on the {args.half} half: "
          f"{'yes' if not below else 'NO: ' + ', '.join(below)}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
