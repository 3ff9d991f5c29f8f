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
# what a config lints may be in what it imports: a shared file of the tree, or a package
SHARED = 'export default [{ files: ["**/*.es6"], rules: { "no-console": "warn" } }];\n'
IMPORTS = {"rel/eslint.config.mjs": 'import shared from "./eslint/shared.mjs";\n'
                                    "export default [...shared];\n",
           "rel/eslint/shared.mjs": SHARED,
           "pkg/eslint.config.mjs": 'import shared from "shared-eslint-config";\n'
                                    "export default [...shared];\n",
           ".gitignore": "node_modules/\n"}
PACKAGED = {"node_modules/shared-eslint-config/package.json":
            '{"name": "shared-eslint-config", "type": "module", "main": "index.mjs"}\n',
            "node_modules/shared-eslint-config/index.mjs": SHARED}


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
            "lang/eslint.config.mjs": LANGUAGE, **IMPORTS,
            **{f"{v.folder}/{v.config}": v.text for v in VARIANTS}}
    root = init_repo(tmp_path_factory.mktemp("eslint-files") / "r", base)
    for name, text in PACKAGED.items():  # installed, not committed
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git(root, "checkout", "-qb", "feature")
    commit(root, {**{f"{v.folder}/{p}": _content(p) for v in VARIANTS
                     for p in (v.linted, *v.twins)}, **OWN, "lang/a.data": "{}\n",
                  "rel/src/a.es6": JS, "pkg/src/a.es6": JS, "pkg/notes.txt": "notes\n"},
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
    for imported in ("rel/src/a.es6", "pkg/src/a.es6"):  # a config's imports say it
        assert "no-eval" in _eslint(report, imported)[0], imported


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
    # the base's configs evaluated with no package installed: one that imports only the
    # tree's own files answers; one that imports a package cannot, and every file of no
    # language of its own under it is named (what it lints is in the package)
    assert not report["health"]["complete"]
    es6 = next(v for v in VARIANTS if v.linted.endswith(".es6"))
    assert "no-eval" in _eslint(report, f"{es6.folder}/{es6.linted}")[0]
    assert "no-eval" in _eslint(report, "rel/src/a.es6")[0]
    for unknown in ("pkg/src/a.es6", "pkg/notes.txt"):
        rules, _, unread = _eslint(report, unknown)
        assert rules == set() and "could not be evaluated" in str(unread), (unknown, unread)


@pytest.mark.npm
def test_the_users_own_config_is_asked_afresh_when_it_changes(tmp_path: Path,
                                                              eslint_tools: Path) -> None:
    """A commit's answer is kept; the user's own tree's is kept only while its configs are."""
    root = init_repo(tmp_path / "r", {"eslint.config.mjs": 'export default [{ files: '
                                      '["**/*.es6"] }];\n'})
    (root / "a.es6").write_text(JS)
    (root / "b.es7").write_text(JS)
    git(root, "add", "-N", "a.es6", "b.es7")

    def asked() -> tuple[str, ...]:
        diff = git(root, "diff", "HEAD")
        ctx = AnalyzerContext(root, parse_diff(diff), diff, "review-security",
                              files=("a.es6", "b.es7"), trust=Trust.everything())
        return declared(ctx, []).js
    assert asked() == ("a.es6",)
    (root / "eslint.config.mjs").write_text('export default [{ files: ["**/*.es7"] }];\n')
    assert asked() == ("b.es7",)


@pytest.mark.npm
def test_a_name_eslint_cannot_be_given_is_named_under_a_config(tmp_path: Path,
                                                                eslint_tools: Path) -> None:
    """A file whose name is not UTF-8 cannot be asked about: under a config it is named as
    not read, beside its UTF-8 twin, which is linted; with no config above it, nothing."""
    root = init_repo(tmp_path / "r", {"web/eslint.config.mjs": 'export default [{ files: '
                                      '["**/*.es6"] }];\n', "README.md": "x\n"})
    for folder in (b"web", b"other"):
        (root / folder.decode()).mkdir(exist_ok=True)
        (root / folder.decode() / "ok.es6").write_text(JS)
        with open(bytes(root) + b"/" + folder + b"/a\xe9.es6", "wb") as handle:
            handle.write(JS.encode())
    git(root, "add", "-A")
    diff = git(root, "diff", "--cached", "HEAD")
    ctx = AnalyzerContext(root, parse_diff(diff), diff, "review-security",
                          files=tuple(f.path for f in parse_diff(diff).files),
                          trust=Trust.everything())
    found = declared(ctx, [])
    assert found.js == ("web/ok.es6",), found
    assert [p.startswith("web/a") for p in found.unread] == [True], found.unread
    assert "not UTF-8" in next(iter(found.unread.values()))
