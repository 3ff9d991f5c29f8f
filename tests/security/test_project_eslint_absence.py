"""The project's own ESLint rules are never silently absent: where `eslint .`, as the project
runs it, would lint a changed file with the project's config, reviewloop either runs that
config's rules on it or names the file as not read, with the reason and the fix.

Generated: one pull request holds a folder per config variant — each flat config name
(`.mjs`, `.js`, `.cjs`) importing a plugin from `node_modules` (`needs`) or defining it inline
(`own`), a TypeScript config (`.ts`, `.mts`, `.cts`: loaded with jiti only), a legacy config
(`.eslintrc.json`, `.js`, `.yml`, `.eslintrc`, `package.json`'s `eslintConfig`) — and a folder
under no config at all. It is reviewed in each state of the checkout (the packages installed,
absent, installed behind a `node_modules` link, no working sandbox) and with the change touching
no manifest, `package.json` or `package-lock.json`. `expected` says what each file must show;
a review touching only files whose rules can run stays complete.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from reviewloop.checks.analyzers.eslint_configs import has_jiti
from reviewloop.checks.analyzers.provision import TOOLS, home
from tests.support.gitutil import git
from tests.support.repos import commit, init_repo
from tests.support.review_cli import review

RULE = """{ "no-todo-names": { meta: { type: "problem" }, create: (context) => ({
  Identifier(node) {
    if (node.name.startsWith("todo")) context.report({ node, message: "a name left as todo" });
  } }) } }"""
PLUGIN = {"node_modules/local-rules/package.json":
          '{"name": "local-rules", "version": "1.0.0", "main": "index.js"}\n',
          "node_modules/local-rules/index.js": f"module.exports = {{ rules: {RULE} }};\n"}
RULES = '{ "local/no-todo-names": "error", "no-console": "error" }'
FLAT = {  # config name → (how it gets the plugin from node_modules, how it exports)
    "eslint.config.mjs": ('import local from "local-rules";\n', "export default "),
    "eslint.config.js": ('const local = require("local-rules");\n', "module.exports = "),
    "eslint.config.cjs": ('const local = require("local-rules");\n', "module.exports = "),
}
TYPESCRIPT = ("eslint.config.ts", "eslint.config.mts", "eslint.config.cts")
LEGACY = {".eslintrc.json": '{"root": true, "rules": {"no-console": "error"}}\n',
          ".eslintrc.js": 'module.exports = { root: true, rules: { "no-console": "error" } };\n',
          ".eslintrc.yml": "root: true\nrules:\n  no-console: error\n",
          ".eslintrc": '{"root": true, "rules": {"no-console": "error"}}\n',
          "package.json": '{"name": "old", "eslintConfig": {"rules": {"no-console": "error"}}}\n'}
CODE = "export const todoA = 1;\nconsole.log(todoA);\n"
PACKAGE = '{"name": "x", "version": "1.0.0", "private": true}\n'  # no "type": `.js` is CJS
LOCK = '{"name": "x", "version": "1.0.0", "lockfileVersion": 3, "packages": {}}\n'


class Variant(NamedTuple):
    folder: str
    kind: str  # "needs" | "own" | "typescript" | "legacy" | "none"
    files: dict[str, str]


def variants() -> Iterator[Variant]:
    for n, (name, (get, export)) in enumerate(FLAT.items()):
        yield Variant(f"needs{n}", "needs", {name: f"{get}{export}[{{ plugins: {{ local }}, "
                                                   f"rules: {RULES} }}];\n"})
        yield Variant(f"own{n}", "own", {name: f"const local = {{ rules: {RULE} }};\n"
                                               f"{export}[{{ plugins: {{ local }}, "
                                               f"rules: {RULES} }}];\n"})
    for n, name in enumerate(TYPESCRIPT):
        yield Variant(f"ts{n}", "typescript",
                      {name: 'export default [{ rules: { "no-console": "error" } }];\n'})
    for n, (name, text) in enumerate(LEGACY.items()):
        yield Variant(f"legacy{n}", "legacy", {name: text})
    yield Variant("none", "none", {})


VARIANTS = list(variants())
STATES = ("installed", "absent", "linked", "no sandbox")
CHANGES = {"code": {}, "bump": {"package.json": PACKAGE.replace("1.0.0", "1.0.1")},
           "lock": {"package-lock.json": LOCK.replace("{}", '{"": {"name": "x"}}')}}
# (state, change) reviewed: each state with the code alone, the manifests with two states
REVIEWS = (("installed", "code"), ("installed", "bump"), ("installed", "lock"),
           ("absent", "code"), ("absent", "bump"), ("linked", "code"), ("no sandbox", "code"))
FOUND = "found"  # the project's rules ran: their findings are there and the file was read


def expected(kind: str, state: str, change: str, jiti: bool) -> str | None:
    """What a file under `kind`'s config shows: FOUND, a piece of its not-read reason, or None
    (no project rules: nothing of theirs, nothing unread)."""
    if kind == "none":
        return None
    if kind == "legacy":
        return "a legacy one (ESLint 8)"
    if kind == "typescript" and not jiti:
        return "loads only with jiti"
    if state == "no sandbox":
        return "there is none here"
    if kind != "needs":
        return FOUND
    if change != "code":
        return f"the change edits {next(iter(CHANGES[change]))}"
    return {"installed": FOUND, "absent": "fix: install the project's dependencies (npm ci)",
            "linked": "does not follow the checkout's node_modules link"}[state]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """main: the configs; a branch per change in `CHANGES`, each giving every folder an
    `a.js`; the plugin installed in a store beside the repository, linked or copied in."""
    top = tmp_path_factory.mktemp("eslint-absence")
    base = {"package.json": PACKAGE, "package-lock.json": LOCK, ".gitignore": "node_modules\n",
            **{f"{v.folder}/{name}": text for v in VARIANTS for name, text in v.files.items()}}
    root = init_repo(top / "r", base)
    store = top / "store"
    for path, text in {"package.json": PACKAGE, **PLUGIN}.items():
        (store / path).parent.mkdir(parents=True, exist_ok=True)
        (store / path).write_text(text, encoding="utf-8")
    for name, manifests in CHANGES.items():
        git(root, "checkout", "-qb", name, "main")
        commit(root, {**{f"{v.folder}/a.js": CODE for v in VARIANTS}, **manifests}, name)
    git(root, "checkout", "-qb", "clean", "main")  # only files whose rules can run
    commit(root, {f"{v.folder}/a.js": CODE for v in VARIANTS if v.kind in ("own", "none")},
           "clean")
    git(root, "checkout", "-q", "main")
    return root


def _checkout(root: Path, state: str, monkeypatch: pytest.MonkeyPatch) -> None:
    modules, store = root / "node_modules", root.parent / "store" / "node_modules"
    if modules.is_symlink():
        modules.unlink()
    elif modules.exists():
        shutil.rmtree(modules)
    if state in ("installed", "no sandbox"):
        shutil.copytree(store, modules)
    elif state == "linked":
        modules.symlink_to(store, target_is_directory=True)
    if state == "no sandbox":  # a bwrap that cannot make its namespaces (a locked-down host)
        fake = root.parent / "bwrap"
        fake.write_text('#!/bin/sh\necho "bwrap: setting up uid map: Permission denied" >&2\n'
                        "exit 1\n", encoding="utf-8")
        fake.chmod(0o755)
        monkeypatch.setenv("REVIEWLOOP_BWRAP", str(fake))
    else:
        monkeypatch.delenv("REVIEWLOOP_BWRAP", raising=False)


def _review(root: Path, head: str) -> dict[str, Any]:
    done = review(root, "--base", "main", "--head", head, "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout))


def _shown(report: dict[str, Any], path: str) -> tuple[set[str], list[str]]:
    """(the project's rules reported on `path`, the ESLint views' not-read reasons for it)."""
    rules = {f["rule"] for f in report["findings"]["remaining"] + report["findings"]["nits"]
             if f["file"] == path and "(the project's own" in f["rationale"]}
    row = next((r for r in report["health"]["files"] if r["path"] == path), {"not_read": []})
    return rules, [why for why in row["not_read"] if why.startswith("eslint-")]


@pytest.mark.npm
@pytest.mark.parametrize(("state", "change"), REVIEWS)
def test_the_projects_rules_run_or_the_file_is_named_as_not_read(
        project: Path, eslint_tools: Path, monkeypatch: pytest.MonkeyPatch, state: str,
        change: str) -> None:
    _checkout(project, state, monkeypatch)
    tool_home = home(TOOLS["eslint"])
    jiti = tool_home is not None and has_jiti(tool_home)
    report = _review(project, change)
    for variant in VARIANTS:
        rules, unread = _shown(report, f"{variant.folder}/a.js")
        want = expected(variant.kind, state, change, jiti)
        if want is None:
            assert (rules, unread) == (set(), []), (variant, rules, unread)
        elif want == FOUND:
            assert rules == {"local/no-todo-names", "no-console"} and not unread, \
                (variant, rules, unread)
        else:  # named by the two views the project's rules report to, with the fix
            assert not rules and len(unread) == 2 and all(
                want in why and "its rules were not run" in why and "fix:" in why
                for why in unread), (variant, want, unread)
            assert {why.split(":")[0] for why in unread} == {"eslint-security",
                                                             "eslint-maintainability"}
    assert report["health"]["complete"] is False  # the legacy configs at least


@pytest.mark.npm
def test_a_change_whose_project_rules_all_run_stays_complete(
        project: Path, eslint_tools: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _checkout(project, "absent", monkeypatch)  # the inline plugins need no packages
    report = _review(project, "clean")
    assert report["health"]["complete"] is True, report["health"]
    assert _shown(report, "own0/a.js")[0] == {"local/no-todo-names", "no-console"}
