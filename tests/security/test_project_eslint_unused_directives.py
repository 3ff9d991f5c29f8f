"""The problems plain `eslint .` reports about directive comments themselves — an
`eslint-disable` that silences nothing, an inline config that changes nothing — are reported
by the review at the severity the project's `linterOptions` give them (ESLint's defaults when
it sets none; none when it turns them off), on the lines plain ESLint names. reviewloop's own
run reads no inline configuration, so they were never reported, nor named (r17 f_fz2 D6).
Plain `eslint .` at the head is the oracle."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.plain_eslint import plain_eslint
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

OPTIONS = {
    "error": 'linterOptions: { reportUnusedDisableDirectives: "error", '
             'reportUnusedInlineConfigs: "error" }, ',
    "defaults": "",
    "off": 'linterOptions: { reportUnusedDisableDirectives: "off", '
           'reportUnusedInlineConfigs: "off" }, ',
}
CHANGED = """/* eslint eqeqeq: "error" */
export const a = 1;
// eslint-disable-next-line no-console
export const b = a + 1; // eslint-disable-line no-undef
/* eslint-disable no-debugger */
export const c = 3;
// eslint-disable-next-line no-console
console.log(c);
"""
KEYS = ("reportUnusedDisableDirectives", "reportUnusedInlineConfigs")


@pytest.mark.parametrize("options", sorted(OPTIONS))
def test_unused_directives_are_reported_as_plain_eslint_reports_them(
        tmp_path: Path, eslint_tools: Path, options: str) -> None:
    config = (f"export default [{{ {OPTIONS[options]}"
              'rules: { eqeqeq: "error", "no-console": "error" } }];\n')
    root = init_repo(tmp_path / "r", {"package.json": '{"name": "x", "type": "module"}\n',
                                      "eslint.config.js": config,
                                      "src/a.js": "export const a = 1;\n"})
    git(root, "checkout", "-qb", "feature")
    write_files(root, {"src/a.js": CHANGED})
    plain = {(result["filePath"].removeprefix(f"{root}/"), m["line"], m["severity"])
             for result in plain_eslint(root) for m in result["messages"]
             if m.get("ruleId") is None and not m.get("fatal")}
    assert (plain == set()) is (options == "off"), plain
    report = reviewed_in(root, "head")
    severity = {"should_fix": 2, "nit": 1}
    reported = {(f["file"], f["start_line"], severity[f["severity"]])
                for bucket in ("remaining", "nits", "out_of_scope")
                for f in report["findings"][bucket] if f["rule"] in KEYS}
    assert reported == plain, (sorted(reported - plain), sorted(plain - reported))
