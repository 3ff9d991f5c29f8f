"""What the trusted flat config declares is honoured by reviewloop's own ESLint run: its
`languageOptions.globals` (a name it defines is no no-undef) and its own `no-unused-vars`
options (`argsIgnorePattern: "^_"`). Before, reviewloop's isolated run reported no-undef on
`$` and no-unused-vars on `_req` that plain `eslint .` does not (fuzz round 9a, D6b).
A rule the trusted config runs itself (no-undef, no-unused-vars) is judged by its run, with
its options; a global it declares is honoured by reviewloop's own no-undef even when the
project does not run that rule.

Generated: a fixed product, each variant in its own folder under its own
`eslint.config.mjs` (ESLint reads the nearest), one pull-request review. Globals: the name
(`$`, `APP_CONFIG`, `jQuery`) × its setting (`readonly`, `writable`, and the twin `off`,
which declares nothing), with no-undef on; and the name declared with no-undef left to
reviewloop's own run. Unused: the option (`argsIgnorePattern`, `varsIgnorePattern`,
`caughtErrorsIgnorePattern`) × its pattern (`^_`, `^ignored`), on code with unused
arguments, variables and caught errors of both spellings. The oracle is plain `eslint .` on
the checkout: the no-undef and no-unused-vars lines it reports are the review's."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.plain_eslint import plain_eslint, rule_hits
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

RULES = ("no-undef", "no-unused-vars")
NAMES = ("$", "APP_CONFIG", "jQuery")
SETTINGS = ("readonly", "writable", "off")
OPTIONS = ("argsIgnorePattern", "varsIgnorePattern", "caughtErrorsIgnorePattern")
PATTERNS = ("^_", "^ignored")
UNUSED = ("export function f(_a, ignoredB, c) {\n  const _v = 1;\n  const ignoredW = 2;\n"
          "  try {\n    return c;\n  } catch (_e) {\n    return 0;\n  } finally {\n"
          "    try { c(); } catch (ignoredE) { c(); }\n  }\n}\n")


def _variants() -> dict[str, tuple[str, str]]:
    """{folder: (its eslint.config.mjs, its changed app.js)}."""
    variants = {}
    for index, (name, setting) in enumerate(itertools.product(NAMES, SETTINGS)):
        config = (f'export default [{{ files: ["**/*.js"], languageOptions: {{ globals: '
                  f'{{ "{name}": "{setting}" }} }}, rules: {{ "no-undef": "error" }} }}];\n')
        variants[f"globals{index}"] = (config, f"export function f() {{\n  return {name};\n}}\n")
    for index, (name, setting) in enumerate(itertools.product(NAMES, SETTINGS[:2])):
        # the name declared, no-undef not configured: reviewloop's own no-undef honours it
        config = (f'export default [{{ files: ["**/*.js"], languageOptions: {{ globals: '
                  f'{{ "{name}": "{setting}" }} }} }}];\n')
        variants[f"declared{index}"] = (config, f"export function f() {{\n  return {name};\n}}\n")
    for index, (option, pattern) in enumerate(itertools.product(OPTIONS, PATTERNS)):
        config = ('export default [{ files: ["**/*.js"], rules: { "no-unused-vars": '
                  f'["error", {{ {option}: "{pattern}" }}] }} }}];\n')
        variants[f"unused{index}"] = (config, UNUSED)
    return variants


def test_the_trusted_configs_declarations_are_honoured(tmp_path: Path,
                                                       eslint_tools: Path) -> None:
    variants = _variants()
    root = init_repo(tmp_path / "r", {
        **{f"{folder}/eslint.config.mjs": config for folder, (config, _) in variants.items()},
        **{f"{folder}/app.js": "export const x = 1;\n" for folder in variants}})
    git(root, "checkout", "-qb", "feature")
    write_files(root, {f"{folder}/app.js": code for folder, (_, code) in variants.items()})
    plain = {(file, rule, line) for file, rule, line in rule_hits(plain_eslint(root))
             if rule in RULES}
    assert {f"globals{NAMES.index(n) * 3 + 2}/app.js" for n in NAMES} <= {
        file for file, _, _ in plain}, "the `off` twins: plain ESLint reports no-undef"

    report = reviewed_in(root, "head")

    reported = {(f["file"], f["rule"], f["start_line"])
                for bucket in ("remaining", "nits") for f in report["findings"][bucket]
                if f["rule"] in RULES}
    assert reported == plain
