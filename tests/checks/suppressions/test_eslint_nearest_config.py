"""The project's ESLint config suppresses a finding only where plain `eslint .` would not
report it: the config NEAREST each file decides (ESLint 10), and a folder the walk from the
root is told to pass by (the root's `ignores: ["skip*/**"]`) is passed by. The root's
`ignores` or `"off"` suppressed 🔴 findings in a sub-package whose own config lints them
(fuzz round 11, D6).

Generated: the root turning no-eval on or off (a repository each) × a package the root's
`ignores` names or not × the package's own config (none, no-eval on, off, ignoring `gen/**`)
× the file in the package or in its `gen/` folder. Every config sets no-eval explicitly, so
plain `eslint .` reports it on a file exactly where the review must not suppress it."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.plain_eslint import plain_eslint, rule_files
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import outcomes, reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

ROOT = ('export default [{ ignores: ["skip*/**", "**/gen/**"] }, '
        '{ rules: { "no-eval": "%s" } }];\n')
OWN = {"none": None,
       "on": 'export default [{ rules: { "no-eval": "error" } }];\n',
       "off": 'export default [{ rules: { "no-eval": "off" } }];\n',
       "ignores": 'export default [{ ignores: ["gen/**"] }, { rules: { "no-eval": "error" } }];\n'}
CODE = "export function run(s) {\n  return eval(s);\n}\n"


def _packages() -> tuple[dict[str, str], dict[str, str]]:
    """The base's configs, and the change's files: one per variant."""
    configs: dict[str, str] = {}
    change: dict[str, str] = {}
    for named, (own, config), place in itertools.product(("keep", "skip"), OWN.items(),
                                                          ("x.js", "gen/x.js")):
        package = f"{named}-{own}"
        if config is not None:
            configs[f"{package}/eslint.config.js"] = config
        configs[f"{package}/a.js"] = "export const a = 1;\n"
        change[f"{package}/{place}"] = CODE
    return configs, change


@pytest.mark.parametrize("level", ["error", "off"])
def test_the_config_nearest_each_file_decides_as_plain_eslint(tmp_path: Path,
                                                              eslint_tools: Path,
                                                              level: str) -> None:
    configs, change = _packages()
    root = init_repo(tmp_path / "r", {"package.json": '{"name": "x", "type": "module"}\n',
                                      "eslint.config.js": ROOT % level, **configs})
    git(root, "checkout", "-qb", "feature")
    write_files(root, change)
    plain = rule_files(plain_eslint(root), "no-eval")
    assert plain, "the variants hold files plain ESLint reports"
    report = reviewed_in(root, "head")
    suppressed, reported = outcomes(report, "no-eval")
    assert reported == plain
    assert suppressed == set(change) - plain
