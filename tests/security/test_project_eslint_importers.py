"""A change to a TypeScript module under a type-aware project config is never silent about the
unchanged files importing it. The project's typed rules (`switch-exhaustiveness-check` on an
unchanged `switch` over a union the change widened) ran on the changed files only: plain
`eslint .` reported the importer, the review said nothing and was complete (fuzz round 11,
D8). reviewloop's own typed rules lint those importers; the project's do not, so the changed
module is named as not fully analysed, with its importers.

Generated: the importer's specifier (`./k.js`, `./k`, `../k.js` from a folder below) × whether
the importer switches on the type (plain `eslint .` then reports it) × a type-aware config
or one without types (nothing is named there), each in a folder of one repository. Plain
`eslint .` on the head is the oracle: each unchanged file it reports is reported or its
changed module named; under the untyped config nothing is named."""

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

TYPED = '''import tseslint from "typescript-eslint";
export default tseslint.config({ files: ["**/*.ts"], extends: [tseslint.configs.base],
  languageOptions: { parserOptions: { projectService: true,
                                      tsconfigRootDir: import.meta.dirname } },
  rules: { "@typescript-eslint/switch-exhaustiveness-check": "error" } });
'''
UNTYPED = '''import tseslint from "typescript-eslint";
export default tseslint.config({ files: ["**/*.ts"], extends: [tseslint.configs.base],
  languageOptions: { parserOptions: { tsconfigRootDir: import.meta.dirname } },
  rules: { "eqeqeq": "error" } });
'''
TSCONFIG = ('{"compilerOptions": {"strict": true, "target": "es2022", "module": "nodenext", '
            '"noEmit": true}, "include": ["**/*.ts"]}\n')
K = ('export type K = "a" | "b";\n\nexport function f(k: K): boolean {\n'
     '  return k === "a";\n}\n')
SWITCH = ('import type {{ K }} from "{spec}";\n\nexport function g(k: K): void {{\n'
          '  switch (k) {{\n    case "a": console.log(1); break;\n'
          '    case "b": console.log(2); break;\n  }}\n}}\n')
PLAIN = 'import {{ f }} from "{spec}";\n\nexport const h = f("a");\n'
PLACES = {"./k.js": "user.ts", "./k": "user.ts", "../k.js": "sub/user.ts"}


def test_a_typed_module_s_unchanged_importers_are_linted_or_named(tmp_path: Path,
                                                                  eslint_tools: Path) -> None:
    base: dict[str, str] = {"package.json": '{"name": "x", "type": "module"}\n',
                            ".gitignore": "node_modules/\n"}
    change: dict[str, str] = {}
    for config, text in (("typed", TYPED), ("untyped", UNTYPED)):
        base.update({f"{config}/eslint.config.js": text, f"{config}/tsconfig.json": TSCONFIG})
        for n, ((spec, user), switches) in enumerate(itertools.product(PLACES.items(),
                                                                       (True, False))):
            folder = f"{config}/v{n}"
            base[f"{folder}/k.ts"] = K
            base[f"{folder}/{user}"] = (SWITCH if switches else PLAIN).format(spec=spec)
            change[f"{folder}/k.ts"] = K.replace('"a" | "b";', '"a" | "b" | "c";')
    root = init_repo(tmp_path / "r", base)
    provisioned_packages(root)
    git(root, "checkout", "-qb", "feature")
    write_files(root, change)
    plain = {(f"{config}/{path}", rule, line) for config in ("typed", "untyped")
             for path, rule, line in rule_hits(plain_eslint(root / config))
             if f"{config}/{path}" not in change}
    assert {path.split("/")[0] for path, _, _ in plain} == {"typed"}, plain
    report = reviewed_in(root, "head")
    named = {row["path"] for row in report["health"]["files"] if row["not_read"]}
    reported = {(f["file"], f["rule"], f["start_line"])
                for bucket in ("remaining", "nits", "out_of_scope")
                for f in report["findings"][bucket]}
    silent = {hit for hit in plain if hit not in reported
              and f"{hit[0].removesuffix('sub/user.ts').removesuffix('user.ts')}k.ts"
              not in named}
    assert not silent, silent
    assert not {path for path in named if path.startswith("untyped/")}
