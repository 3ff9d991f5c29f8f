"""An unchanged file of ANOTHER TypeScript project (tsconfig folder) importing a changed module
by a relative specifier is named, never silent. `save()` made async in `lib/src/m.ts` left
`app/src/main.ts`'s `save();` a floating promise plain `eslint .` reports; the importers were
looked for in the module's own tsconfig folder only, so the review was complete and said
nothing (fuzz round 11, D7).

Generated: the specifier (`../../lib/src/m.js`, `../../lib/src/m`; a barrel's re-export is
not followed) × the importing project (`app/`, `web/` with a folder below) × whether it
calls the function (plain `eslint .` then reports it), in one repository of three tsconfig
projects under a root config (typescript-eslint's `recommendedTypeChecked`). Plain `eslint .`
is the oracle: each unchanged file it reports is reported or its changed module named."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.plain_eslint import plain_eslint, rule_hits
from tests.support.project_eslint import provisioned_packages
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

CONFIG = '''import tseslint from "typescript-eslint";
export default tseslint.config({ files: ["**/*.ts"],
  extends: [tseslint.configs.recommendedTypeChecked],
  languageOptions: { parserOptions: { projectService: true,
                                      tsconfigRootDir: import.meta.dirname } } });
'''
TSCONFIG = ('{"compilerOptions": {"strict": true, "target": "es2022", "module": "nodenext", '
            '"noEmit": true}, "include": ["src/**/*"]}\n')
SAVE = 'export function save{n}(): void {{\n  console.log("saved");\n}}\n'
ASYNC = ('export async function save{n}(): Promise<void> {{\n  await Promise.resolve();\n'
         '  console.log("saved");\n}}\n')
SPECIFIERS = ("m{n}.js", "m{n}")  # a barrel (`index.js`) is not followed (fuzz D15)
PROJECTS = {"app": "src/main{n}.ts", "web": "src/deep/main{n}.ts"}


def test_an_importer_in_another_project_is_named(tmp_path: Path, eslint_tools: Path) -> None:
    base = {"package.json": '{"name": "x", "type": "module"}\n', ".gitignore": "node_modules/\n",
            "eslint.config.js": CONFIG, "lib/tsconfig.json": TSCONFIG,
            "app/tsconfig.json": TSCONFIG, "web/tsconfig.json": TSCONFIG}
    change: dict[str, str] = {}
    for n, (specifier, (project, main), calls) in enumerate(itertools.product(
            SPECIFIERS, PROJECTS.items(), (True, False))):
        base[f"lib/src/m{n}.ts"] = SAVE.format(n=n)
        change[f"lib/src/m{n}.ts"] = ASYNC.format(n=n)
        path = f"{project}/{main.format(n=n)}"
        up = "../" * path.count("/")
        spec = f"{up}lib/src/{specifier.format(n=n)}"
        body = f"  save{n}();\n" if calls else "  console.log(1);\n"
        base[path] = (f'import {{ save{n} }} from "{spec}";\n\n'
                      f"export function run(): void {{\n{body}}}\n")
    root = init_repo(tmp_path / "r", base)
    provisioned_packages(root)
    git(root, "checkout", "-qb", "feature")
    write_files(root, change)
    plain = {hit for hit in rule_hits(plain_eslint(root))
             if hit[0] not in change and hit[1] == "@typescript-eslint/no-floating-promises"}
    assert plain, "the variants hold importers plain ESLint reports"
    report = reviewed_in(root, "head")
    named = {row["path"]: " ".join(row["not_read"]) for row in report["health"]["files"]
             if row["not_read"]}
    reported = {(f["file"], f["rule"]) for bucket in ("remaining", "nits", "out_of_scope")
                for f in report["findings"][bucket]}
    silent = {hit for hit in plain if (hit[0], hit[1]) not in reported
              and not any(hit[0] in why for why in named.values())}
    assert not silent, (silent, named)
