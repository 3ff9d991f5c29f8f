"""A pull request whose files sit under every kind of project ESLint config, for the tests of
the project's own rules being run or named as not read (`eslint_project.py`).

A folder per config variant — each flat config name (`.mjs`, `.js`, `.cjs`) importing a plugin
from `node_modules` (`needs`) or defining it inline (`own`), under a package whose packages are
installed (`inst/`), absent (`gone/`) or installed behind a `node_modules` link (`link/`); a
TypeScript config (`.ts`, `.mts`, `.cts`: ESLint loads it with jiti only), a legacy config
(`.eslintrc.json`, `.js`, `.yml`, `.eslintrc`, `package.json`'s `eslintConfig`) — and a folder
under no config at all. A branch per change (`CHANGES`) gives every folder an `a.js`; `expected`
says what each must show.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

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
PROJECT_RULES = {"local/no-todo-names", "no-console"}
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
STATES = ("inst", "gone", "link")  # the packages installed, absent, installed behind a link
CODE = "export const todoA = 1;\nconsole.log(todoA);\n"
PACKAGE = '{"name": "x", "version": "1.0.0", "private": true}\n'  # no "type": `.js` is CJS
LOCK = '{"name": "x", "version": "1.0.0", "lockfileVersion": 3, "packages": {}}\n'
CHANGES = {"code": {}, "bump": {"package.json": PACKAGE.replace("1.0.0", "1.0.1")},
           "lock": {"inst/package-lock.json": LOCK.replace("{}", '{"": {"name": "x"}}')},
           # a manifest beside the linted files, not above any: it installs nothing they load
           "sibling": {"docs/package.json": PACKAGE.replace("1.0.0", "1.0.1")}}
INSTALLING = ("bump", "lock")  # the changes whose manifest is the linted files' packages
FOUND = "found"  # the project's rules ran: their findings are there and the file was read


class Variant(NamedTuple):
    folder: str
    kind: str  # "needs" | "own" | "typescript" | "legacy" | "none"
    state: str  # of the packages beside it: one of STATES, "" for none of their own
    files: dict[str, str]


def variants() -> Iterator[Variant]:
    for state in STATES:
        for n, (name, (get, export)) in enumerate(FLAT.items()):
            config = f"[{{ plugins: {{ local }}, rules: {RULES} }}];\n"
            yield Variant(f"{state}/needs{n}", "needs", state, {name: get + export + config})
            yield Variant(f"{state}/own{n}", "own", state,
                          {name: f"const local = {{ rules: {RULE} }};\n{export}{config}"})
    for n, name in enumerate(TYPESCRIPT):
        yield Variant(f"ts{n}", "typescript", "",
                      {name: f"const local = {{ rules: {RULE} }};\n"  # types: jiti strips them
                             f"const rules: Record<string, string> = {RULES};\n"
                             "export default [{ plugins: { local }, rules }];\n"})
    for n, (name, text) in enumerate(LEGACY.items()):
        yield Variant(f"legacy{n}", "legacy", "", {name: text})
    yield Variant("none", "none", "", {})


VARIANTS = list(variants())


def expected(variant: Variant, change: str, jiti: bool, sandbox: bool = True) -> str | None:
    """What `variant`'s `a.js` shows in a review of `change`: FOUND, a piece of its not-read
    reason, or None (no project rules: nothing of theirs, nothing unread)."""
    if variant.kind == "none":
        return None
    if variant.kind == "legacy":
        return "a legacy one (ESLint 8)"
    if variant.kind == "typescript" and not jiti:
        return "loads only with jiti"
    if not sandbox:
        return "there is none here"
    if variant.kind != "needs":
        return FOUND
    if change in INSTALLING:  # a manifest: the base's config runs without any packages
        return f"the change edits {next(iter(CHANGES[change]))}"
    return {"inst": FOUND, "gone": "fix: install the project's dependencies (npm ci)",
            "link": "does not follow the checkout's node_modules link"}[variant.state]


def build(top: Path) -> Path:
    """The repository (under `top`): main with the configs, a branch per change, and `clean`,
    whose files' project rules can all run; the checkout's packages installed as `STATES`
    says."""
    base = {"package.json": PACKAGE, "package-lock.json": LOCK, ".gitignore": "node_modules\n",
            "docs/package.json": PACKAGE,
            **{f"{s}/package.json": PACKAGE for s in STATES}, "inst/package-lock.json": LOCK,
            **{f"{v.folder}/{name}": text for v in VARIANTS for name, text in v.files.items()}}
    root = init_repo(top / "r", base)
    store = top / "store"
    for path, text in {"package.json": PACKAGE, **PLUGIN}.items():
        (store / path).parent.mkdir(parents=True, exist_ok=True)
        (store / path).write_text(text, encoding="utf-8")
    shutil.copytree(store / "node_modules", root / "inst" / "node_modules")
    (root / "link" / "node_modules").symlink_to(store / "node_modules", target_is_directory=True)
    for name, manifests in CHANGES.items():
        git(root, "checkout", "-qb", name, "main")
        commit(root, {**{f"{v.folder}/a.js": CODE for v in VARIANTS}, **manifests}, name)
    git(root, "checkout", "-qb", "clean", "main")
    commit(root, {f"{v.folder}/a.js": CODE for v in VARIANTS
                  if expected(v, "clean", jiti=False) in (FOUND, None)}, "clean")
    git(root, "checkout", "-q", "main")
    return root


def no_sandbox(folder: Path) -> Path:
    """A bwrap that cannot make its namespaces (a locked-down host), for REVIEWLOOP_BWRAP."""
    fake = folder / "bwrap"
    fake.write_text('#!/bin/sh\necho "bwrap: setting up uid map: Permission denied" >&2\n'
                    "exit 1\n", encoding="utf-8")
    fake.chmod(0o755)
    return fake


def reviewed(root: Path, head: str) -> dict[str, Any]:
    done = review(root, "--base", "main", "--head", head, "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout))


def shown(report: dict[str, Any], path: str) -> tuple[set[str], list[str]]:
    """(the project's rules reported on `path`, the ESLint views' not-read reasons for it)."""
    rules = {f["rule"] for f in report["findings"]["remaining"] + report["findings"]["nits"]
             if f["file"] == path and "(the project's own" in f["rationale"]}
    row = next((r for r in report["health"]["files"] if r["path"] == path), {"not_read": []})
    return rules, [why for why in row["not_read"] if why.startswith("eslint-")]


def check(report: dict[str, Any], variant: Variant, want: str | None) -> None:
    """`variant`'s `a.js` shows `want` (`expected`)."""
    rules, unread = shown(report, f"{variant.folder}/a.js")
    if want is None:
        assert (rules, unread) == (set(), []), (variant, rules, unread)
    elif want == FOUND:
        assert rules == PROJECT_RULES and not unread, (variant, rules, unread)
    else:  # named by the two views the project's rules report to, with the fix
        assert not rules and len(unread) == 2 and all(
            want in why and "its rules were not run" in why and "fix:" in why
            for why in unread), (variant, want, unread)
        assert {why.split(":")[0] for why in unread} == {"eslint-security",
                                                         "eslint-maintainability"}
