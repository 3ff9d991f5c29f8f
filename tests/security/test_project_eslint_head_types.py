"""The project's typed ESLint rules see the head's types, as plain `eslint .` at the head does.
They ran in a copy of the base with only the linted file's text the change's: a file the
change adds was "not found by the project service" (named not analysed), a type another
changed file adds or edits was the base's — a finding lost, or one made up for a case the
change removed — and a module the change adds was unresolved ("unsafe call of an error
typed value") (fuzz round 11, D1, D9, D13).

Generated: where the type comes from (a declaration or a module the change adds, one it
widens, one it narrows, one it leaves) × the file switching on it (changed, or added) × a
call of a function the change adds in a new module or not, each variant in a folder of one
repository, typescript-eslint's documented `projectService` setup. Plain `eslint .` on the
head is the oracle for the project's typed rules on the changed files."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.provision import TOOLS, home
from tests.support.gitutil import git
from tests.support.plain_eslint import plain_eslint, rule_hits
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

CONFIG = '''import tseslint from "typescript-eslint";
export default tseslint.config({ files: ["**/*.ts"], extends: [tseslint.configs.base],
  languageOptions: { parserOptions: { projectService: true,
                                      tsconfigRootDir: import.meta.dirname } },
  rules: { "@typescript-eslint/switch-exhaustiveness-check": "error",
           "@typescript-eslint/no-unsafe-call": "error",
           "@typescript-eslint/no-unsafe-assignment": "error" } });
'''
TSCONFIG = ('{"compilerOptions": {"strict": true, "target": "es2022", "module": "nodenext", '
            '"noEmit": true}, "include": ["**/*.ts"]}\n')
RULES = {"@typescript-eslint/switch-exhaustiveness-check", "@typescript-eslint/no-unsafe-call",
         "@typescript-eslint/no-unsafe-assignment"}
AB = 'export type K = "a" | "b";\n'
A = 'export type K = "a";\n'
# where K comes from: (its base text, its head text, its file's name); None: no such file
KINDS = {"added-dts": (None, AB, "kinds.d.ts"), "added-ts": (None, AB, "kinds.ts"),
         "widened": (A, AB, "kinds.d.ts"), "narrowed": (AB, A, "kinds.d.ts"),
         "kept": (AB, AB, "kinds.d.ts")}
USE = ('import type {{ K }} from "./{module}";\n{call_import}\n'
       'export function f(k: K): void {{\n  switch (k) {{\n    case "a": console.log(1); break;\n'
       '  }}\n{call}}}\n')
UTIL = "export function util(n: number): number {\n  return n + 1;\n}\n"


def _variants() -> tuple[dict[str, str], dict[str, str]]:
    base: dict[str, str] = {}
    head: dict[str, str] = {}
    for n, ((kind, (was, now, name)), added, calls) in enumerate(itertools.product(
            KINDS.items(), (False, True), (False, True))):
        folder = f"v{n}-{kind}-{'added' if added else 'changed'}-{'calls' if calls else 'no'}"
        if was is not None:
            base[f"{folder}/{name}"] = was
        if now != was:
            head[f"{folder}/{name}"] = now
        if not added:
            base[f"{folder}/a.ts"] = "export const a = 1;\n"
        module = name.removesuffix(".d.ts").removesuffix(".ts") + ".js"
        head[f"{folder}/a.ts"] = USE.format(
            module=module, call_import='import { util } from "./util.js";' if calls else "",
            call="  const m = util(1);\n  console.log(m);\n" if calls else "")
        if calls:
            head[f"{folder}/util.ts"] = UTIL
    return base, head


def _node_modules(root: Path) -> None:
    """A real `node_modules` folder holding the provisioned ESLint's packages (typescript-eslint
    among them), each a link, as a project installs them."""
    tools = home(TOOLS["eslint"])
    assert tools is not None
    modules = root / "node_modules"
    modules.mkdir()
    for package in (tools / "node_modules").iterdir():
        (modules / package.name).symlink_to(package, target_is_directory=package.is_dir())


def test_the_project_s_typed_rules_see_the_head_s_types(tmp_path: Path,
                                                         eslint_tools: Path) -> None:
    base, head = _variants()
    root = init_repo(tmp_path / "r", {"package.json": '{"name": "x", "type": "module"}\n',
                                      ".gitignore": "node_modules/\n", "tsconfig.json": TSCONFIG,
                                      "eslint.config.js": CONFIG, **base})
    _node_modules(root)
    git(root, "checkout", "-qb", "feature")
    write_files(root, head)
    changed = set(head)
    hits = rule_hits(plain_eslint(root))  # one typed run of the project: both answers
    plain = {hit for hit in hits if hit[1] in RULES}
    assert not [hit for hit in hits if hit[1] is None]
    assert {h[1] for h in plain} == {"@typescript-eslint/switch-exhaustiveness-check"}, plain
    report = reviewed_in(root, "head")
    unread = {row["path"]: row["not_read"] for row in report["health"]["files"]
              if row["not_read"] and row["path"] in changed}
    assert not unread, unread
    reported = {(f["file"], f["rule"], f["start_line"])
                for bucket in ("remaining", "nits", "out_of_scope")
                for f in report["findings"][bucket] if f["rule"] in RULES}
    assert reported == {hit for hit in plain if hit[0] in changed}


READS_TSCONFIG = '''import fs from "node:fs";
import tseslint from "typescript-eslint";
const tsconfig = JSON.parse(fs.readFileSync(new URL("./tsconfig.json", import.meta.url)));
export default tseslint.config({ ignores: tsconfig.exclude ?? [] },
  { files: ["**/*.ts"], extends: [tseslint.configs.base], rules: { "no-console": "error" } });
'''


@pytest.mark.parametrize("exclude", ["src/b.ts", "src/**", "**/*.ts"])
def test_the_change_s_tsconfig_never_narrows_the_trusted_config(
        tmp_path: Path, eslint_tools: Path, exclude: str) -> None:
    """A trusted config may read the tsconfig (`ignores: tsconfig.exclude`): the change's own
    tsconfig, excluding its new file, would lose the project's findings on it if it were laid
    over the base copy (rev11c D4). The oracle: plain `eslint .` with the base's config and
    tsconfig on the head's sources."""
    root = init_repo(tmp_path / "r", {"package.json": '{"name": "x", "type": "module"}\n',
                                      ".gitignore": "node_modules/\n", "tsconfig.json": TSCONFIG,
                                      "eslint.config.js": READS_TSCONFIG,
                                      "src/a.ts": "export const a = 1;\n"})
    _node_modules(root)
    git(root, "checkout", "-qb", "feature")
    write_files(root, {"src/b.ts": "export function b(): void {\n  console.log(1);\n}\n"})
    trusted = {hit for hit in rule_hits(plain_eslint(root)) if hit[1] == "no-console"}
    assert trusted == {("src/b.ts", "no-console", 2)}
    write_files(root, {"tsconfig.json": TSCONFIG.replace(
        '"include"', f'"exclude": ["{exclude}"], "include"')})
    report = reviewed_in(root, "head")
    reported = {(f["file"], f["rule"], f["start_line"])
                for bucket in ("remaining", "nits", "out_of_scope")
                for f in report["findings"][bucket] if f["rule"] == "no-console"}
    assert reported == trusted
