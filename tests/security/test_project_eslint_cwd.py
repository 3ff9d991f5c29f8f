"""A project's ESLint config that reads a file relative to the working folder (`readFileSync(
"lint-rules.json")`, `process.cwd() + "/lint-rules.json"`) gets its rules when the project runs
`eslint .` from its root. The review evaluated it from an empty scratch folder: the read failed
(named as not read, with the fix "install the project's dependencies") or, in a `try` or
behind `existsSync`, the rules were silently empty and the review complete and clean (the
fuzzer's D44). The config now runs from the trusted tree's root; a file it reads that the
trusted tree does not hold is named with a fix that says so.

A matrix of ways to read the rules (and one config that reads which files it lints, a `.es6`
one ESLint's only by it), each config in its own folder (the nearest config lints
each file, as `eslint .` finds it), in a review of commits (the base's config) and of the
user's own working tree (its config).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

RULES = '{"eqeqeq": "error", "no-console": "error"}\n'
READS = {  # folder → how its config reads the rules
    "cwd": 'JSON.parse(readFileSync(process.cwd() + "/lint-rules.json", "utf8"))',
    "relative": 'JSON.parse(readFileSync("lint-rules.json", "utf8"))',
    "tried": '(() => { try { return JSON.parse(readFileSync("lint-rules.json", "utf8")); } '
             "catch { return {}; } })()",
    "exists": 'existsSync("lint-rules.json") ? JSON.parse(readFileSync("lint-rules.json", '
              '"utf8")) : {}',
    # the change adds the file it reads: the base's tree does not hold it
    "missing": 'JSON.parse(readFileSync("added-rules.json", "utf8"))',
}


def _config(reads: str, files: str = '["**/*.js"]') -> str:
    return ('import { readFileSync, existsSync } from "node:fs";\n'
            f'export default [{{ files: {files}, rules: {reads} }}];\n')


# which files it lints read the same way: a `.es6` file is ESLint's only by that list
DECLARED = _config(READS["relative"], 'JSON.parse(readFileSync("lint-files.json", "utf8"))')


@pytest.mark.parametrize("mode", ("head", "working"))
def test_a_config_reading_files_from_the_working_folder_gets_its_rules(
        tmp_path: Path, eslint_tools: Path, mode: str) -> None:
    base = {"package.json": '{"name": "x", "version": "1.0.0", "type": "module"}\n',
            "lint-rules.json": RULES, "lint-files.json": '["**/*.es6"]\n',
            "declared/eslint.config.mjs": DECLARED, "declared/b.es6": "export const b = 1;\n",
            **{f"{name}/eslint.config.mjs": _config(reads) for name, reads in READS.items()},
            **{f"{name}/b.js": "export const b = 1;\n" for name in READS}}
    root = init_repo(tmp_path / "r", base)
    git(root, "checkout", "-qb", "feature")
    write_files(root, {"added-rules.json": RULES,
                       "declared/b.es6": 'export const b = 1;\nif (b == 2) { console.log("x"); }\n',
                       **{
        f"{name}/b.js": 'export const b = 1;\nif (b == 2) { console.log("x"); }\n'
        for name in READS}})
    report = reviewed_in(root, mode)
    found = {(f["rule"], f["file"]) for bucket in ("remaining", "nits")
             for f in report["findings"][bucket]}
    unread = {f["path"]: f["not_read"] for f in report["health"]["files"]}
    for name in READS:
        if name == "missing" and mode == "head":  # the base's config cannot read it
            assert not {r for r, f in found if f == f"{name}/b.js" and r == "no-console"}
            reasons = unread[f"{name}/b.js"]
            assert reasons and all("the config reads a file the trusted side's tree does not "
                                   "hold" in r and "npm ci" not in r for r in reasons), reasons
            continue
        assert {("eqeqeq", f"{name}/b.js"), ("no-console", f"{name}/b.js")} <= found, \
            (name, sorted(found), unread)
        assert not unread[f"{name}/b.js"], unread
    assert {("eqeqeq", "declared/b.es6"), ("no-console", "declared/b.es6")} <= found, \
        (sorted(found), unread)
