"""A file the project's own ESLint flat config lints is ESLint's. With `{ files: ["**/*.es6"] }`
in the base's `eslint.config.mjs`, plain `eslint .` reports an `eval` in a changed
`src/run.es6`; the review read it as text (the secrets scan only) and passed. Now ESLint itself
is asked which changed files the trusted side's configs lint, and as what (`eslint_files`).

Generated: the suffix (a TypeScript one parsed by typescript-eslint's parser included), the
config file's name (`.js`, `.mjs`, `.cjs`) and the pattern's shape (any folder, under a folder,
a brace list, the config's own folder), each variant a folder of its own with its own config
(ESLint 10 takes the nearest): one pull request holds them all. Twins never ESLint's: a suffix
no pattern names, a path a folder pattern leaves out, a file the config ignores, and a pattern
only the change adds (a change never widens its own review — though the user's own uncommitted
change is trusted). A
config that cannot be evaluated (the change touches `package.json`) leaves the file named as
not read, never quietly read as text; so does a file the config lints in a plugin's language."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.eslint_files import declared
from reviewloop.git.diff import parse_diff
from reviewloop.policy.trust import Trust
from tests.support.gitutil import git
from tests.support.repos import commit, init_repo
from tests.support.review_cli import review

JS = "export function run(x) {\n  return eval(x);\n}\n"
TS = "export function run(x: string): unknown {\n  return eval(x);\n}\n"
PACKAGE = '{"name": "x", "private": true}\n'  # no "type": a `.js` config is CommonJS
# how each config file name loads typescript-eslint's parser (the tools folder's, as the
# sandbox shows it) and exports the config
HEAD = {"mjs": 'import { createRequire } from "node:module";\n',
        "js": 'const { createRequire } = require("node:module");\n',
        "cjs": 'const { createRequire } = require("node:module");\n'}
TSESLINT = ('const ts = createRequire(`${process.env.REVIEWLOOP_ESLINT_HOME}/package.json`)'
            '("typescript-eslint");\n')


class Variant(NamedTuple):
    folder: str
    config: str  # file name
    text: str
    linted: str  # the file the pattern matches
    twins: tuple[str, ...]  # files it does not


def variants() -> Iterator[Variant]:
    """suffixes × config names × pattern shapes, each in a folder of its own."""
    shapes = {"any": ("**/*.{s}", "src/deep/a.{s}"), "under": ("src/**/*.{s}", "src/a.{s}"),
              "brace": ("**/*.{{{s},zzz}}", "lib/a.{s}"), "top": ("*.{s}", "a.{s}")}
    suffixes = ("es6", "jsx5", "gs", "ts5")
    for n, (suffix, kind, shape) in enumerate(itertools.product(suffixes, HEAD, shapes)):
        pattern, linted = (x.format(s=suffix) for x in shapes[shape])
        options = ", languageOptions: { parser: ts.parser }" if suffix == "ts5" else ""
        body = (f'[{{ files: ["{pattern}"]{options}, rules: {{ "no-console": "warn" }} }}, '
                '{ ignores: ["**/gen/**"] }]')
        text = HEAD[kind] + (TSESLINT if options else "") + (
            f"export default {body};\n" if kind == "mjs" else f"module.exports = {body};\n")
        twins = (f"misc/b.{suffix}x", f"src/gen/c.{suffix}") + (
            (f"lib/b.{suffix}",) if shape == "under" else ())
        yield Variant(f"v{n}", f"eslint.config.{kind}", text, linted, twins)


VARIANTS = list(variants())
# a plugin's language (as @eslint/json's or @eslint/markdown's): ESLint's, not reviewloop's
LANGUAGE = """const data = { fileType: "text", lineStart: 1, columnStart: 1, nodeTypeKey: "type",
  validateLanguageOptions() {}, parse: () => ({ ok: true, ast: { type: "Root" } }),
  createSourceCode() { throw new Error("not for this test"); } };
export default [{ files: ["**/*.data"], plugins: { d: { languages: { data } } },
  language: "d/data" }];
"""
OWN = {"w/eslint.config.mjs": 'export default [{ files: ["**/*.es7"] }];\n', "w/a.es7": JS}


def _eslint(report: dict[str, Any], path: str) -> tuple[set[str], list[str], list[Any]]:
    """(ESLint's rules on `path`, who read it, why not)."""
    rules = {f["rule"] for f in report["findings"]["remaining"] if f["file"] == path
             and f["source"].startswith("eslint")}
    row = next(r for r in report["health"]["files"] if r["path"] == path)
    return rules, [r for r in row["analysed_by"] if r.startswith("eslint")], row["not_read"]


def _review(root: Path, *args: str) -> dict[str, Any]:
    done = review(root, *args, "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout))


def _content(path: str) -> str:
    return TS if path.endswith(".ts5") else JS


@pytest.fixture(scope="module")
def pull_request(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = {"package.json": PACKAGE, "README.md": "base\n",
            "lang/eslint.config.mjs": LANGUAGE,
            **{f"{v.folder}/{v.config}": v.text for v in VARIANTS}}
    root = init_repo(tmp_path_factory.mktemp("eslint-files") / "r", base)
    git(root, "checkout", "-qb", "feature")
    commit(root, {**{f"{v.folder}/{p}": _content(p) for v in VARIANTS
                     for p in (v.linted, *v.twins)}, **OWN, "lang/a.data": "{}\n"},
           "add the files")
    return root


@pytest.mark.npm
def test_a_file_the_trusted_config_lints_is_eslints(pull_request: Path,
                                                    eslint_tools: Path) -> None:
    report = _review(pull_request, "--base", "main", "--head", "feature")
    unread = {r["path"]: r["not_read"] for r in report["health"]["files"] if r["not_read"]}
    assert list(unread) == ["lang/a.data"] and "a plugin's language" in str(unread), unread
    for variant in VARIANTS:
        rules, readers, unread = _eslint(report, f"{variant.folder}/{variant.linted}")
        assert "no-eval" in rules and len(readers) == 3 and not unread, (variant, rules, unread)
        for twin in variant.twins:
            assert _eslint(report, f"{variant.folder}/{twin}") == (set(), [], []), (variant, twin)
    assert _eslint(report, "w/a.es7") == (set(), [], [])  # the change's own pattern


@pytest.mark.npm
def test_the_users_own_change_is_trusted_and_an_unevaluated_config_leaves_files_unread(
        pull_request: Path, eslint_tools: Path) -> None:
    git(pull_request, "checkout", "-q", "-b", "local", "feature")
    try:
        git(pull_request, "reset", "-q", "--soft", "main")  # the change, uncommitted: the user's
        assert "no-eval" in _eslint(_review(pull_request), "w/a.es7")[0]
        # the change touches the manifests, which install what a config imports: not evaluated
        commit(pull_request, {"package.json": PACKAGE.replace("x", "y")}, "a manifest too")
        report = _review(pull_request, "--base", "main", "--head", "local")
    finally:
        git(pull_request, "checkout", "-qf", "feature")
    assert not report["health"]["complete"]
    es6 = next(v for v in VARIANTS if v.linted.endswith(".es6"))
    rules, _, unread = _eslint(report, f"{es6.folder}/{es6.linted}")
    assert rules == set() and unread and "could not be evaluated" in str(unread), unread
    assert _eslint(report, f"{es6.folder}/misc/b.es6x")[2] == []  # its text names no `es6x`


@pytest.mark.npm
def test_the_users_own_config_is_asked_afresh_when_it_changes(tmp_path: Path,
                                                              eslint_tools: Path) -> None:
    """A commit's answer is kept; the user's own tree's is kept only while its configs are."""
    root = init_repo(tmp_path / "r", {"eslint.config.mjs": 'export default [{ files: '
                                      '["**/*.es6"] }];\n', "a.es6": JS, "b.es7": JS})
    ctx = AnalyzerContext(root, parse_diff(""), "", "review-security", files=("a.es6", "b.es7"),
                          trust=Trust.everything())
    assert declared(ctx, []).js == ("a.es6",)
    (root / "eslint.config.mjs").write_text('export default [{ files: ["**/*.es7"] }];\n')
    assert declared(ctx, []).js == ("b.es7",)
