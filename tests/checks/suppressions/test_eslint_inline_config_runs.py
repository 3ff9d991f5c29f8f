"""A review of the fixture project `eslint-lint-setups` answers as its CI's own ESLint
commands do: each folder linted with the config its command names (a chain of npm scripts,
`run-s` with words added, a recipe of an included makefile, each command's paths), and an
`eslint-disable` comment the base wrote waiving a finding only where that command reads
inline configuration (not under web.config.js's `linterOptions.noInlineConfig`, nor api's
`--no-inline-config`). The oracle: plain ESLint run as each command runs it, in each review
mode."""

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
RULE = "no-console"


def _lines(report: dict[str, Any]) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """(file, line) of each no-console finding the review reported, and of each suppressed."""
    suppressed = {((f.get("finding") or f)["file"], (f.get("finding") or f)["start_line"])
                  for f in report["findings"]["suppressed"]
                  if (f.get("finding") or f)["rule"] == RULE}
    reported = {(f["file"], f["start_line"]) for bucket in ("remaining", "nits", "out_of_scope")
                for f in report["findings"][bucket] if f["rule"] == RULE}
    return reported, suppressed


@pytest.mark.parametrize("mode", MODES)
def test_each_folder_is_linted_and_waived_as_its_ci_command_does(
        tmp_path: Path, eslint_tools: Path, mode: str) -> None:
    files = {p.relative_to(PROJECT).as_posix(): p.read_text(encoding="utf-8")
             for p in PROJECT.rglob("*") if p.is_file()}
    root = init_repo(tmp_path / "r", files)
    git(root, "checkout", "-qb", "feature")
    write_files(root, {f"{folder}/main.js": files[f"{folder}/main.js"] + 'console.log("b");\n'
                       for folder in COMMANDS})
    plain = {(r["filePath"], m["line"]) for folder, args in COMMANDS.items()
             for r in plain_eslint(root, *args) if r["filePath"].startswith(f"{folder}/")
             for m in r["messages"] if m.get("ruleId") == RULE}
    # the oracle itself: each folder's command, as the fixture's README says
    assert plain == {("web/main.js", 2), ("web/main.js", 3), ("api/main.js", 2),
                     ("api/main.js", 3), ("tools/main.js", 3)}

    reported, suppressed = _lines(reviewed_in(root, mode))

    assert reported == plain
    assert suppressed == {("tools/main.js", 2)}  # the comment tools/' command reads
