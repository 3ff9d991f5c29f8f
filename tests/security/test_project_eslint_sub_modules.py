"""A sub-package's own `node_modules` is there for its config when ESLint is asked which
changed files it lints (`eslint_files.py`): only the root's was linked into the base's copy,
so a config importing a plugin installed in `pkg/node_modules` could not be evaluated — a
`.es6` file it lints was named "config could not be evaluated" and went unlinted, while plain
`eslint .` lints it (fuzz round 11, D11).

Generated: the config's spelling (`eslint.config.mjs` importing the plugin, `.cjs` requiring
it) × the suffix only the config lints (`.es6`, `.es`) × where the file is (the package's
folder, a folder of it, a folder the change adds), each in a package of one repository.
Plain `eslint .` is the oracle for the plugin's rule on the changed files."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.plain_eslint import plain_eslint, rule_files
from tests.support.project_eslint import PLUGIN
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

RULE = "local/no-todo-names"
SETTINGS = ('[{ files: ["**/*.js", "**/*.es6", "**/*.es"], plugins: { local }, '
            f'rules: {{ "{RULE}": "error", "no-eval": "error" }} }}]')
CONFIGS = {"eslint.config.mjs": f'import local from "local-rules";\nexport default {SETTINGS};\n',
           "eslint.config.cjs": f'const local = require("local-rules");\n'
                                f'module.exports = {SETTINGS};\n'}
CODE = "export function todoRun(s) {\n  return eval(s);\n}\n"


def test_a_sub_package_s_own_packages_load_its_config(tmp_path: Path,
                                                      eslint_tools: Path) -> None:
    base: dict[str, str] = {".gitignore": "node_modules/\n"}
    change: dict[str, str] = {}
    packages = []
    for n, (config, suffix, place) in enumerate(itertools.product(
            CONFIGS, (".es6", ".es"), ("x", "src/x", "new/deep/x"))):
        package = f"pkg{n}"
        packages.append(package)
        base.update({f"{package}/package.json": '{"name": "p", "type": "module"}\n',
                     f"{package}/{config}": CONFIGS[config],
                     f"{package}/src/a.js": "export const a = 1;\n"})
        change[f"{package}/{place}{suffix}"] = CODE
    root = init_repo(tmp_path / "r", base)
    for package in packages:  # installed, not committed
        write_files(root / package, PLUGIN)
    git(root, "checkout", "-qb", "feature")
    write_files(root, change)
    plain = set().union(*(
        {f"{package}/{path}" for path in rule_files(plain_eslint(root / package), RULE)}
        for package in packages))
    assert plain == set(change)
    report = reviewed_in(root, "head")
    unread = {row["path"]: row["not_read"] for row in report["health"]["files"]
              if row["not_read"]}
    assert not unread, unread
    reported = {f["file"] for bucket in ("remaining", "nits", "out_of_scope")
                for f in report["findings"][bucket] if f["rule"] == RULE}
    assert reported == plain
