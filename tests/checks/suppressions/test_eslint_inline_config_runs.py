"""A review of the fixture project `eslint-lint-setups` answers as its CI's own ESLint
commands do: each folder linted with the config its command names (a chain of npm scripts,
`run-s` with words added, a recipe of an included makefile, each command's paths), and an
`eslint-disable` comment the base wrote waiving a finding only where that command reads
inline configuration (not under web.config.js's `linterOptions.noInlineConfig`, nor api's
`--no-inline-config`), and a trusted `/* eslint eqeqeq: "error" */` switching its rule on
only there too. The oracle: plain ESLint run as each command runs it, in each review mode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.gitutil import git
from tests.support.npm_fixture import FIXTURES
from tests.support.plain_eslint import plain_eslint
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import MODES, reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

PROJECT = FIXTURES / "eslint-lint-setups"
# each folder, and how the project's CI runs ESLint on it (none: plain `eslint .`)
COMMANDS = {"web": ("-c", "web.config.js"), "api": ("--config=api.config.js",
                                                    "--no-inline-config"),
            "tools": ("-c", "tools.config.js"), "lib": ()}
RULES = ("no-console", "eqeqeq")
Hits = set[tuple[str, str, int]]


def _lines(report: dict[str, Any]) -> tuple[Hits, Hits]:
    """(file, rule, line) of each finding of `RULES` the review reported, and suppressed."""
    def hit(f: dict[str, Any]) -> tuple[str, str, int]:
        return f["file"], f["rule"], f["start_line"]
    suppressed = {hit(f.get("finding") or f) for f in report["findings"]["suppressed"]}
    reported = {hit(f) for bucket in ("remaining", "nits", "out_of_scope")
                for f in report["findings"][bucket]}
    return ({h for h in reported if h[1] in RULES}, {h for h in suppressed if h[1] in RULES})


@pytest.mark.parametrize("mode", MODES)
def test_each_folder_is_linted_and_waived_as_its_ci_command_does(
        tmp_path: Path, eslint_tools: Path, mode: str) -> None:
    files = {p.relative_to(PROJECT).as_posix(): p.read_text(encoding="utf-8")
             for p in PROJECT.rglob("*") if p.is_file()}
    root = init_repo(tmp_path / "r", files)
    git(root, "checkout", "-qb", "feature")
    for folder in COMMANDS:
        write_files(root, {
            f"{folder}/main.js": files[f"{folder}/main.js"] + 'console.log("b");\n',
            f"{folder}/rules.js": files[f"{folder}/rules.js"] + "export const loose = "
                                                                "(a, b) => a == b;\n"})
    plain = {(r["filePath"], m["ruleId"], m["line"]) for folder, args in COMMANDS.items()
             for r in plain_eslint(root, *args) if r["filePath"].startswith(f"{folder}/")
             for m in r["messages"] if m.get("ruleId") in RULES}
    # the oracle itself: each folder's command, as the fixture's README says
    assert plain == {("web/main.js", "no-console", 2), ("web/main.js", "no-console", 3),
                     ("api/main.js", "no-console", 2), ("api/main.js", "no-console", 3),
                     ("tools/main.js", "no-console", 3), ("tools/rules.js", "eqeqeq", 3),
                     ("lib/rules.js", "eqeqeq", 3)}

    reported, suppressed = _lines(reviewed_in(root, mode))

    assert reported == plain
    # the comment tools/' command reads
    assert suppressed == {("tools/main.js", "no-console", 2)}
