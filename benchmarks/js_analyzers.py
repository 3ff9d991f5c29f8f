"""Never worse than the plain tool: ESLint and shellcheck as a review reports them vs alone.

    python benchmarks/js_analyzers.py [--cache DIR]

Material: `benchmarks/data/js_analyzers_cases.json` — the valid/invalid cases of the rule
tests of eslint-plugin-security, eslint-plugin-no-unsanitized, ESLint (no-implied-eval) and
typescript-eslint (no-explicit-any, ban-ts-comment), and shellcheck's verify/verifyNot
properties (where each comes from: `benchmarks/data/SOURCES.md` and each case's `source`).
Every case becomes a file (`.ts` for a TypeScript case) that one change adds to a real git
repository:

* wrapped — what a review reports on the changed lines: reviewloop's analyzers
  (`eslint-*`, `shellcheck*`) through `run_for_agent`, reviewloop's rule set, isolated;
* plain — the tool alone: `eslint` with eslint-plugin-security's and no-unsanitized's
  recommended configs, typescript-eslint's parser on `.ts` files, and every rule the
  material tests on at its default options; `shellcheck` with its defaults.

Per rule: recall (invalid cases flagged) and precision (flags that are invalid cases) of
both. The cases are split by a hash of their code into a tuning half (what the rule set was
checked against while it was built) and a report half, the figure that counts; both are
printed. The fuller JS/TS comparison, with plain ESLint as its users configure it, is
`js_parity.py`.
Exit 1 when the wrapped layer is worse than the plain tool on any rule of the report half.
Needs the tools cached or npm/PyPI reachable (`--cache DIR`: a tools folder to use).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from reviewloop.checks.analyzers.provision import TOOLS, home, install  # noqa: E402 - after the path fix
from reviewloop.review.definitions import AgentDefinition  # noqa: E402
from reviewloop.review.evidence import run_for_agent  # noqa: E402

CASES = _HERE / "data" / "js_analyzers_cases.json"
WRAPPED = ("eslint-security", "eslint-maintainability", "eslint-performance",
           "shellcheck-security", "shellcheck")
PLAIN_CONFIG = """\
import { createRequire } from "node:module";
const require = createRequire(`${process.env.TOOL_HOME}/package.json`);
const security = require("eslint-plugin-security");
const noUnsanitized = require("eslint-plugin-no-unsanitized");
const tseslint = require("typescript-eslint");
// every rule the material tests, on at its default options (the rule alone, as its own
// tests run it), with the globals those tests declare for it
const tested = JSON.parse(process.env.TESTED_RULES);
export default [
  security.configs.recommended,
  noUnsanitized.configs.recommended,
  { files: ["**/*.ts"], languageOptions: { parser: tseslint.parser } },
  {
    plugins: { "@typescript-eslint": tseslint.plugin },
    languageOptions: {
      ecmaVersion: "latest", sourceType: "module",
      globals: Object.fromEntries(["setTimeout", "setInterval", "execScript", "window", "self",
        "global", "globalThis", "document"].map((g) => [g, "readonly"])),
    },
    rules: Object.fromEntries(tested.map((rule) => [rule, "error"])),
  },
];
"""
Flags = dict[str, set[str]]  # file -> the rules flagged in it


def split(case: dict[str, Any]) -> str:
    return "tune" if hashlib.sha256(case["code"].encode()).digest()[0] % 2 else "report"


def file_name(index: int, case: dict[str, Any]) -> str:
    suffix = ".sh" if case["tool"] != "eslint" else f".{case.get('lang', 'js')}"
    return f"cases/c{index:03d}{suffix}"


def text(case: dict[str, Any]) -> str:
    body = case["code"] + "\n"
    return body if case["tool"] == "eslint" else "#!/bin/bash\n" + body


def make_repo(root: Path, cases: list[dict[str, Any]]) -> str:
    """A repository whose one change adds every case as a file; returns the diff."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                              text=True).stdout

    root.mkdir(parents=True)
    git("init", "-q", "-b", "main")
    (root / "README.md").write_text("cases\n")
    git("add", "-A")
    git("-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "base")
    for index, case in enumerate(cases):
        path = root / file_name(index, case)
        path.parent.mkdir(exist_ok=True)
        path.write_text(text(case))
    git("add", "-A")
    return git("diff", "--cached", "HEAD")


def wrapped(root: Path, diff: str) -> Flags:
    flags: Flags = {}
    for name in WRAPPED:
        agent = AgentDefinition(name=f"bench-{name}", prompt="x", analyzers=(name,))
        report = run_for_agent(agent, root, diff)
        if report.errors or report.missing:
            raise SystemExit(f"{name} did not run: {report.errors or report.missing}")
        for finding in report.findings:
            flags.setdefault(finding.file, set()).add(finding.rule or "")
    return flags


def plain_eslint(root: Path, files: list[str], rules: list[str]) -> Flags:
    tool_home = home(TOOLS["eslint"])
    assert tool_home is not None
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "eslint.config.mjs"
        config.write_text(PLAIN_CONFIG)
        done = subprocess.run(
            ["node", str(tool_home / "node_modules/eslint/bin/eslint.js"), "--config",
             str(config), "--format", "json", *files], cwd=root, capture_output=True,
            text=True, env={**os.environ, "TOOL_HOME": str(tool_home),
                            "TESTED_RULES": json.dumps(rules)}, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"plain eslint failed: {done.stderr[-2000:]}")
    return {str(Path(r["filePath"]).relative_to(root)): {m["ruleId"] for m in r["messages"]
                                                          if m.get("ruleId")}
            for r in json.loads(done.stdout)}


def plain_shellcheck(root: Path, files: list[str]) -> Flags:
    command = TOOLS["shellcheck"].command_in(home(TOOLS["shellcheck"]) or Path())
    done = subprocess.run([str(command), "--format", "json1", *files], cwd=root,
                          capture_output=True, text=True, check=False)
    flags: Flags = {}
    for comment in json.loads(done.stdout)["comments"]:
        flags.setdefault(comment["file"], set()).add(f"SC{comment['code']}")
    return flags


def scores(cases: Iterable[tuple[str, dict[str, Any]]], flags: Flags,
           rule: str) -> tuple[float, float, int, int]:
    tp = fp = fn = 0
    for path, case in cases:
        if case["rule"] != rule:
            continue
        hit = rule in flags.get(path, set())
        tp += hit and case["label"]
        fp += hit and not case["label"]
        fn += (not hit) and case["label"]
    recall = tp / (tp + fn) if tp + fn else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    return recall, precision, tp + fn, tp + fp


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="a tools folder to use (else the default)")
    args = parser.parse_args()
    if args.cache:
        os.environ["REVIEWLOOP_TOOLS_DIR"] = str(args.cache)
    for name in ("eslint", "shellcheck"):
        install(TOOLS[name])
    data = json.loads(CASES.read_text())
    cases = data["cases"]
    print(f"material: {len(cases)} labelled cases from {CASES.relative_to(_HERE.parent)} "
          f"(sources: benchmarks/data/SOURCES.md)")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "repo"
        diff = make_repo(root, cases)
        named = [(file_name(i, c), c) for i, c in enumerate(cases)]
        ours = wrapped(root, diff)
        eslint_cases = [(p, c) for p, c in named if c["tool"] == "eslint"]
        theirs = {**plain_eslint(root, [p for p, _ in eslint_cases],
                                 sorted({c["rule"] for _, c in eslint_cases})),
                  **plain_shellcheck(root, [p for p, c in named if c["tool"] == "shellcheck"])}
    worse = []
    for half in ("tune", "report"):
        print(f"\n{half} half{' (the figure that counts)' if half == 'report' else ''}:")
        print(f"  {'rule':<42} {'n+':>3} {'wrapped R/P':>12} {'plain R/P':>12}")
        chosen = [(p, c) for p, c in named if split(c) == half]
        for rule in sorted({c["rule"] for _, c in chosen}):
            ours_r, ours_p, positives, _ = scores(chosen, ours, rule)
            plain_r, plain_p, _, _ = scores(chosen, theirs, rule)
            print(f"  {rule:<42} {positives:>3} {ours_r:>5.2f}/{ours_p:<5.2f}  "
                  f"{plain_r:>5.2f}/{plain_p:<5.2f}")
            if half == "report" and (ours_r < plain_r or ours_p < plain_p):
                worse.append(rule)
    print(f"\nnever worse than the plain tool on the report half: "
          f"{'yes' if not worse else 'NO: ' + ', '.join(worse)}")
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main())
