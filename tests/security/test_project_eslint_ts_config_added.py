"""Under a TypeScript ESLint config (`eslint.config.ts`, loaded with jiti: it may import the
base's TypeScript files), the files a change ADDS are laid over the base's copy where the
project's rules run, as under a JavaScript config: nothing was, so typescript-eslint's project
service did not find a new file, and every pull request adding a `.ts` file to such a project
was "incomplete: not analysed ... the project's `eslint` fails it", its findings lost, while
plain `eslint .` at the head lints it (rev11c D7).

Generated: the config's name (`.ts`, `.mts`) × an edit of the existing file beside the new
ones or not, each in a repository whose change adds a file of every kind at once (beside the
existing one, in a new folder, an `.mts`, one that imports another file the change adds:
each is asserted on its own, and one review of them all costs what one of them did). Plain
`eslint .` at the head is the oracle on the changed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.plain_eslint import linked_node_modules, plain_eslint, rule_hits
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(900)]

CONFIG = '''import tseslint from "typescript-eslint";
export default tseslint.config({ files: ["**/*.ts", "**/*.mts"], extends: [tseslint.configs.base],
  languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: process.cwd() } },
  rules: { "@typescript-eslint/switch-exhaustiveness-check": "error" } });
'''
TSCONFIG = ('{"compilerOptions": {"strict": true, "target": "es2022", "module": "nodenext", '
            '"noEmit": true}, "include": ["src/**/*"]}\n')
RULE = "@typescript-eslint/switch-exhaustiveness-check"
BODY = ('{imports}export function f(k: K): number {{\n  switch (k) {{\n    case "a": return 2;\n'
        "  }}\n  return 0;\n}}\n")
OWN = 'type K = "a" | "b";\n'
# the change's new files, of every kind: beside the existing one, in a new folder, an `.mts`,
# one importing another file the change adds
ADDED = {"src/b.ts": BODY.format(imports=OWN), "src/deep/er/b.ts": BODY.format(imports=OWN),
         "src/b.mts": BODY.format(imports=OWN), "src/kinds.ts": 'export type K = "a" | "b";\n',
         "src/c.ts": BODY.format(imports='import type { K } from "./kinds.js";\n')}


@pytest.mark.long(seconds=17)
@pytest.mark.parametrize("edited", [False, True], ids=["added only", "beside an edit"])
@pytest.mark.parametrize("config", ["eslint.config.ts", "eslint.config.mts"])
def test_a_file_the_change_adds_is_linted_with_the_project_s_typed_rules(
        tmp_path: Path, eslint_tools: Path, config: str, edited: bool) -> None:
    root = init_repo(tmp_path / "r", {"package.json": '{"name": "x", "type": "module"}\n',
                                      ".gitignore": "node_modules/\n", "tsconfig.json": TSCONFIG,
                                      config: CONFIG, "src/a.ts": "export const a = 1;\n"})
    linked_node_modules(root)
    git(root, "checkout", "-qb", "feature")
    change = {**ADDED, **({"src/a.ts": BODY.format(imports=OWN)} if edited else {})}
    write_files(root, change)
    plain = {hit for hit in rule_hits(plain_eslint(root)) if hit[1] == RULE}
    assert {hit[0] for hit in plain} == {p for p in change if "kinds" not in p}, plain
    report = reviewed_in(root, "head")
    unread = {row["path"]: row["not_read"] for row in report["health"]["files"]
              if row["not_read"] and row["path"] in change}
    assert not unread, unread
    reported = {(f["file"], f["rule"], f["start_line"])
                for bucket in ("remaining", "nits", "out_of_scope")
                for f in report["findings"][bucket] if f["rule"] == RULE}
    assert reported == plain
