"""The project's ESLint config is loaded in every review mode. A `--staged` review exports
the index to a folder in /dev/shm, and the sandbox's `--dev /dev` is a new /dev that hid it:
the config run could not chdir there, every JS file was named "config could not be loaded"
and its findings were lost (the session's reviewer, D5); `--working` and `--head` loaded it.

Generated: each flat-config spelling (`eslint.config.mjs`, `.js` in a module package,
`.cjs`) × each review mode, in one repository per mode. Plain `eslint .` on the tree is the
oracle: every no-undef it reports on a changed file is reported, and no file is named as
not analysed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.plain_eslint import plain_eslint, rule_files
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import MODES, reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

RULES = '[{files: ["**/*.js", "**/*.cjs"], rules: {"no-undef": "error"}}]'
CONFIGS = {"eslint.config.mjs": (f"export default {RULES};\n", '{"type": "module"}\n'),
           "eslint.config.js": (f"export default {RULES};\n", '{"type": "module"}\n'),
           "eslint.config.cjs": (f"module.exports = {RULES};\n", '{}\n')}


@pytest.mark.parametrize("config", sorted(CONFIGS))
@pytest.mark.parametrize("mode", MODES)
def test_the_project_config_loads_in_every_mode(tmp_path: Path, eslint_tools: Path,
                                                config: str, mode: str) -> None:
    text, package = CONFIGS[config]
    root = init_repo(tmp_path / "r", {config: text, "package.json": package,
                                      "app.js": "export const a = 1;\n"})
    git(root, "checkout", "-qb", "feature")
    write_files(root, {"app.js": "export const a = missingName;\n"})
    plain = rule_files(plain_eslint(root), "no-undef")
    assert plain == {"app.js"}
    report = reviewed_in(root, mode)
    unread = {row["path"]: row["not_read"] for row in report["health"]["files"]
              if row["not_read"]}
    assert not unread, unread
    reported = {f["file"] for bucket in ("remaining", "nits") for f in report["findings"][bucket]
                if f["rule"] == "no-undef"}
    assert reported == plain
