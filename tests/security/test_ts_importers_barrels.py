"""A change to a TypeScript module reaches the unchanged files that import it through a
barrel (`lib/index.ts` holding `export * from "./m.js"`), the layout most TypeScript projects
use: `save()` made async leaves their untouched `save();` a floating promise, which plain
`eslint .` reports. Before, only the files importing the changed module itself were linted,
and the review was silent and complete (fuzz round 11, D15).

Generated: each re-export form (`export *`, `export { save }`, renamed, `export * as ns`, a
barrel of barrels) × how the caller names the barrel (its folder, `index.js`, a barrel of
another name), each in a folder of one repository, every third a twin that must show nothing
(the caller voids the promise; the change leaves `save` synchronous). Plain `eslint .` at the
head, with the project's config, is the oracle."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.plain_eslint import linked_node_modules, plain_eslint, rule_hits
from tests.support.repos import commit, init_repo
from tests.support.review_cli import review

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

FLOATING = "@typescript-eslint/no-floating-promises"
CONFIG = '''import tseslint from "typescript-eslint";
export default tseslint.config({ files: ["**/*.ts"], extends: [tseslint.configs.base],
  languageOptions: { parserOptions: { projectService: true,
                                      tsconfigRootDir: import.meta.dirname } },
  rules: { "@typescript-eslint/no-floating-promises": "error" } });
'''
TSCONFIG = json.dumps({"compilerOptions": {"strict": True, "module": "ES2022", "noEmit": True,
                                           "moduleResolution": "bundler", "target": "ES2022"}})
SYNC = "export function save(): void {}\n"
ASYNC = "export async function save(): Promise<void> {}\n"
# form → (the barrel's files, relative to the folder holding the module, with {barrel} its
# name; what the caller imports; how it calls)
FORMS = {
    "star": ({"{barrel}": 'export * from "./m.js";\n'}, "{ save }", "save()"),
    "named": ({"{barrel}": 'export { save } from "./m.js";\n'}, "{ save }", "save()"),
    "renamed": ({"{barrel}": 'export { save as store } from "./m.js";\n'}, "{ store }",
                "store()"),
    "namespace": ({"{barrel}": 'export * as api from "./m.js";\n'}, "{ api }", "api.save()"),
    "two levels": ({"{barrel}": 'export * from "./mid.js";\n',
                    "mid.ts": 'export { save } from "./m.js";\n'}, "{ save }", "save()"),
}
# place → (the barrel's name, the caller's specifier)
PLACES = {"folder": ("index.ts", "./lib"), "index.js": ("index.ts", "./lib/index.js"),
          "named file": ("api.ts", "./lib/api.js")}
TWINS = ("", "voided", "kept synchronous")


def _variants() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(base files, the change, changed module → the caller the finding must name)."""
    base: dict[str, str] = {}
    change: dict[str, str] = {}
    shown: dict[str, str] = {}
    for n, (form, place) in enumerate(itertools.product(FORMS, PLACES)):
        twin = TWINS[n % len(TWINS)]
        folder = f"v{n}"
        barrels, names, call = FORMS[form]
        barrel, specifier = PLACES[place]
        for name, text in barrels.items():
            base[f"{folder}/lib/{name.format(barrel=barrel)}"] = text
        base[f"{folder}/lib/m.ts"] = SYNC
        call = f"void {call}" if twin == "voided" else call
        base[f"{folder}/app.ts"] = (f'import {names} from "{specifier}";\n\n'
                                    f"export function run(): void {{\n  {call};\n}}\n")
        change[f"{folder}/lib/m.ts"] = (SYNC + "export const more = 1;\n"
                                        if twin == "kept synchronous" else ASYNC)
        if not twin:
            shown[f"{folder}/lib/m.ts"] = f"{folder}/app.ts"
    return base, change, shown


@pytest.mark.long(seconds=16)
def test_a_change_reaches_the_importers_of_a_barrel(tmp_path: Path, eslint_tools: Path) -> None:
    base, change, shown = _variants()
    root = init_repo(tmp_path / "r", {"package.json": '{"name": "x", "type": "module"}\n',
                                      ".gitignore": "node_modules/\n", "tsconfig.json": TSCONFIG,
                                      "eslint.config.js": CONFIG, **base})
    linked_node_modules(root)
    git(root, "checkout", "-qb", "feature")
    commit(root, change, "the change")
    plain = {(path, line) for path, rule, line in rule_hits(plain_eslint(root))
             if rule == FLOATING}
    assert {path for path, _ in plain} == set(shown.values()), plain  # the oracle's answer
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    floating = {f["file"]: f["rationale"] for bucket in ("remaining", "nits")
                for f in report["findings"][bucket] if f["rule"] == FLOATING}
    assert set(floating) == set(shown), sorted(floating)
    for path, line in plain:
        module = path.removesuffix("app.ts") + "lib/m.ts"
        assert f"It is on {path} line {line}, " in floating[module], floating[module]
        assert "which re-exports it" in floating[module]
    assert report["health"]["complete"], report["health"]


@pytest.mark.parametrize("specifier", ["./lib", "./lib/index", "./lib/index.js"])
def test_a_changed_index_is_found_by_its_folder_s_name(tmp_path: Path, specifier: str) -> None:
    """An importer naming a changed `lib/index.ts` by its folder (`./lib`) holds no "index"
    in its text: the search's prefilter took its folder's name too (no ESLint run needed)."""
    from reviewloop.checks.analyzers.base import AnalyzerContext
    from reviewloop.checks.analyzers.eslint_importers import importers
    from reviewloop.git.diff import parse_diff

    root = init_repo(tmp_path / "r", {"tsconfig.json": "{}\n", "lib/index.ts": SYNC,
                                      "app.ts": f'import {{ save }} from "{specifier}";\n'})
    git(root, "checkout", "-qb", "feature")
    commit(root, {"lib/index.ts": ASYNC}, "the change")
    diff = git(root, "diff", "main", "feature")
    ctx = AnalyzerContext(root, parse_diff(diff), diff, "review-maintainability",
                          files=("lib/index.ts",))
    assert importers(ctx, ["lib/index.ts"], lambda path: "").files == {
        "app.ts": ("lib/index.ts",)}
