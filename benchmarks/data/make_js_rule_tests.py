"""Builds `js_rule_tests.jsonl`: the valid/invalid cases of public ESLint rule tests, labelled,
for `benchmarks/js_parity.py`.

    python benchmarks/data/make_js_rule_tests.py [--repos DIR]

Sources (`SOURCES`, each pinned to a commit; licences in `SOURCES.md`): ESLint's
`tests/lib/rules/*.js`, typescript-eslint's `packages/eslint-plugin/tests/rules/*.test.ts`,
eslint-plugin-security's `test/rules/*.js`, eslint-plugin-no-unsanitized's `tests/rules/*.js`.
The test files are read, not run (`extract_rule_tests.mjs`, TypeScript's parser): a case is
kept when its code is a literal and it needs nothing a project's files cannot say —

* no rule `options` or `settings`, no parser of its own (the rules at their defaults, as a
  typical config runs them);
* `languageOptions` only with `sourceType`, `ecmaVersion`, JSX, `globals` from the
  standard sets (browser, Node, ES: every config compared declares those), and
  typescript-eslint's parser (the case is then a `.ts` file);
* typescript-eslint's type-aware cases only under its default test tsconfig
  (`tsconfig.json`, or `tsconfig.noImplicitThis.json`, which `strict` already implies).

A kept case becomes one file: `.cjs` when its test says `sourceType: "commonjs"`, else `.js`
(JavaScript) or `.ts`/`.tsx` (typescript-eslint, by the test's `filename`). Two cases of one
rule with the same file text and opposite labels (the label hung on a setting dropped above)
are both left out. Each case is in the tune or the report half by the first byte of the
SHA-256 of its rule, suffix and code (odd: tune): cases are split one by one, so every rule
has cases on both sides, and a case is on the same side whatever else the sources add.

`--repos DIR`: where the repositories are checked out as `DIR/<owner>+<name>/repo` (git
directories); else each is cloned (blobless) into a temporary folder at its pinned commit.
Needs the provisioned ESLint tool folder (`reviewloop tools install eslint`) for TypeScript.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent.parent))

from reviewloop.checks.analyzers.provision import TOOLS, install  # noqa: E402

OUT = _HERE / "js_rule_tests.jsonl"
EXTRACT = _HERE / "extract_rule_tests.mjs"


@dataclass(frozen=True)
class Source:
    name: str
    repo: str
    commit: str
    path: str  # `{rule}` is the rule's name (without its plugin prefix)
    prefix: str  # the plugin prefix of its rule ids
    rules: tuple[str, ...]
    lang: str  # "js" | "ts"


ESLINT_RULES = (
    # code run from a string, and the script URL
    "no-eval no-implied-eval no-new-func no-script-url "
    # ESLint recommended rules that find real defects (not style)
    "no-unsafe-finally no-unsafe-negation no-unsafe-optional-chaining no-self-assign "
    "no-dupe-keys no-constant-binary-expression use-isnan valid-typeof no-cond-assign "
    "no-unreachable no-prototype-builtins no-global-assign no-async-promise-executor "
    "no-compare-neg-zero no-loss-of-precision no-undef").split()
SOURCES = (
    Source("eslint", "eslint/eslint", "c27bc926e496985eb7911c09eb60914b2e4b5d0f",
           "tests/lib/rules/{rule}.js", "", tuple(ESLINT_RULES), "js"),
    Source("typescript-eslint", "typescript-eslint/typescript-eslint",
           "56c9ed90d0aee0b5a71cfc39fc76b715b82e3ea8",
           "packages/eslint-plugin/tests/rules/{rule}.test.ts", "@typescript-eslint/",
           ("no-unsafe-argument", "no-unsafe-assignment", "no-unsafe-call",
            "no-unsafe-member-access", "no-unsafe-return", "no-implied-eval",
            "no-floating-promises", "no-misused-promises", "await-thenable",
            "no-for-in-array", "no-array-delete", "no-explicit-any", "ban-ts-comment"), "ts"),
    Source("eslint-plugin-security", "eslint-community/eslint-plugin-security",
           "cb8645c3150a52eb400ba08d83fb53528797b652", "test/rules/{rule}.js", "security/",
           ("detect-bidi-characters", "detect-buffer-noassert", "detect-child-process",
            "detect-disable-mustache-escape", "detect-eval-with-expression",
            "detect-new-buffer", "detect-no-csrf-before-method-override",
            "detect-non-literal-fs-filename", "detect-non-literal-regexp",
            "detect-non-literal-require", "detect-object-injection",
            "detect-possible-timing-attacks", "detect-pseudoRandomBytes",
            "detect-unsafe-regex"), "js"),
    Source("eslint-plugin-no-unsanitized", "mozilla/eslint-plugin-no-unsanitized",
           "ade1d1131a249ab916e8f8da347efb8ac6092b50", "tests/rules/{rule}.js",
           "no-unsanitized/", ("method", "property"), "js"),
)
# a rule whose test file is named otherwise
FILE_NAMES = {"security/detect-unsafe-regex": "detect-unsafe-regexp"}
TYPED_TSCONFIGS = (None, "./tsconfig.json", "./tsconfig.noImplicitThis.json")
STANDARD_SETS = {"browser", "node", "nodeBuiltin", "commonjs", "builtin", "es5", "es2015",
                 "es2017", "es2020", "es2021", "shared-node-browser", "worker"}


def checkout(source: Source, repos: Path | None, scratch: Path) -> Path:
    if repos is not None:
        return repos / source.repo.replace("/", "+") / "repo"
    target = scratch / source.repo.replace("/", "+")
    subprocess.run(["git", "clone", "-q", "--filter=blob:none", "--no-checkout",
                    f"https://github.com/{source.repo}.git", str(target)], check=True)
    return target


def test_files(source: Source, git_dir: Path, scratch: Path) -> dict[str, Path]:
    """rule id -> its test file, written out at the pinned commit."""
    found = {}
    for rule in source.rules:
        rule_id = source.prefix + rule
        path = source.path.format(rule=FILE_NAMES.get(rule_id, rule))
        text = subprocess.run(["git", "--git-dir", str(_git_dir(git_dir)), "show",
                               f"{source.commit}:{path}"], check=True, capture_output=True,
                              text=True).stdout
        out = scratch / source.name / Path(path).name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        found[rule_id] = out
    return found


def _git_dir(path: Path) -> Path:
    return path / ".git" if (path / ".git").exists() else path


def known_globals(home: Path) -> set[str]:
    script = ("const g = require('globals'); process.stdout.write(JSON.stringify(Object.keys("
              "{...g.browser, ...g.node, ...g.builtin})))")
    done = subprocess.run(["node", "-e", script], cwd=home, check=True, capture_output=True,
                          text=True)
    return set(json.loads(done.stdout))


def suffix(row: dict[str, Any], source: Source, names: set[str]) -> str | None:
    """The file suffix a case is linted as, or None when it needs what a file cannot say."""
    settings, tester = row["settings"], row["tester"] or {}
    if set(settings) - {"languageOptions", "filename"} or not isinstance(tester, dict):
        return None
    options = settings.get("languageOptions", {})
    base = tester.get("languageOptions", {})
    if not isinstance(options, dict) or not isinstance(base, dict):
        return None
    if set(options) - {"sourceType", "ecmaVersion", "globals", "parserOptions", "parser"}:
        return None
    if not _standard(options.get("globals"), names) or not _plain_parser(options):
        return None
    if options.get("parser") == {"parser": "typescript-eslint"}:
        return "ts"  # a JavaScript plugin's cases under typescript-eslint's parser
    if "parser" in options:
        return None
    if source.lang == "ts":
        if tester.get("project") not in TYPED_TSCONFIGS or set(base) - {"parserOptions"}:
            return None
        name = settings.get("filename")
        return "tsx" if isinstance(name, str) and name.endswith(".tsx") else "ts"
    source_type = options.get("sourceType", base.get("sourceType", "module"))
    return "cjs" if source_type == "commonjs" else "js"


def _standard(declared: Any, names: set[str]) -> bool:
    if declared is None:
        return True
    if not isinstance(declared, dict) or declared.get("dynamic"):
        return False
    if "globals" in declared:  # `globals.browser`
        return declared["globals"] in STANDARD_SETS
    sets = declared.pop("$spread", [])
    return all(s in STANDARD_SETS for s in sets) and set(declared) <= names


def _plain_parser(options: dict[str, Any]) -> bool:
    """Parser options a file's suffix says anyway: JSX, the ECMAScript version, modules."""
    parser = options.get("parserOptions")
    if parser is None:
        return True
    if not isinstance(parser, dict) or set(parser) - {"ecmaFeatures", "ecmaVersion",
                                                      "sourceType"}:
        return False
    features = parser.get("ecmaFeatures", {})
    return isinstance(features, dict) and set(features) <= {"jsx"}


def split(rule: str, file_suffix: str, code: str) -> str:
    digest = hashlib.sha256(f"{rule}\0{file_suffix}\0{code}".encode()).digest()
    return "tune" if digest[0] % 2 else "report"


def build(repos: Path | None) -> list[dict[str, Any]]:
    home = install(TOOLS["eslint"]).parents[2]  # node_modules/.bin/eslint -> the folder
    names = known_globals(home)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        for source in SOURCES:
            files = test_files(source, checkout(source, repos, scratch), scratch)
            by_path = {str(p): r for r, p in files.items()}
            done = subprocess.run(["node", str(EXTRACT), str(home), *by_path], check=True,
                                  capture_output=True, text=True)
            for row in json.loads(done.stdout):
                if "code" not in row:
                    continue
                rule = by_path[row["file"]]
                kind = suffix(row, source, names)
                if kind is None:
                    continue
                path = source.path.format(rule=FILE_NAMES.get(rule, rule.split("/")[-1]))
                rows.append({"source": source.name, "rule": rule, "label": row["label"],
                             "suffix": kind, "code": row["code"],
                             "origin": f"{source.repo}@{source.commit[:12]}:{path}"})
    return _unambiguous(rows)


def _unambiguous(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    labels: dict[tuple[str, str, str], set[bool]] = {}
    for row in rows:
        labels.setdefault((row["rule"], row["suffix"], row["code"]), set()).add(row["label"])
    kept, seen = [], set()
    for row in rows:
        key = (row["rule"], row["suffix"], row["code"])
        if len(labels[key]) == 1 and key not in seen:
            seen.add(key)
            kept.append({**row, "split": split(*key)})
    return kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=Path, help="folder of the checked-out repositories")
    args = parser.parse_args()
    rows = build(args.repos)
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                   encoding="utf-8")
    print(f"{len(rows)} cases written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
