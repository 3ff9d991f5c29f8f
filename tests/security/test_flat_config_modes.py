"""The project's ESLint config is loaded in every review mode. A `--staged` review exports
the index to a folder in /dev/shm, and the sandbox's `--dev /dev` is a new /dev that hid it:
the config run could not chdir there, every JS file was named "config could not be loaded"
and its findings were lost (the session's reviewer, D5); `--working` and `--head` loaded it.

Generated: each flat-config spelling (`eslint.config.mjs`, `.js` in a module package,
`.cjs`) × each review mode, a copy per mode of one repository per spelling. Plain `eslint .`
on the tree is the oracle: every no-undef it reports on a changed file is reported, and no
file is named as not analysed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.environment import suite_environment
from tests.support.eslint_batches import copied
from tests.support.gitutil import git
from tests.support.js_tools import installed
from tests.support.plain_eslint import plain_eslint, rule_files
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import MODES, reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

RULES = '[{files: ["**/*.js", "**/*.cjs"], rules: {"no-undef": "error"}}]'
CONFIGS = {"eslint.config.mjs": (f"export default {RULES};\n", '{"type": "module"}\n'),
           "eslint.config.js": (f"export default {RULES};\n", '{"type": "module"}\n'),
           "eslint.config.cjs": (f"module.exports = {RULES};\n", '{}\n')}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, set[str]]]:
    """config → its repository (the change in its working tree) and the files plain ESLint
    reports no-undef in: built and answered once; each mode reviews a copy (`copied`)."""
    found = {}
    with pytest.MonkeyPatch.context() as patch:
        suite_environment(patch, tmp_path_factory.getbasetemp())
        installed(patch, "eslint")
        for config, (text, package) in CONFIGS.items():
            root = init_repo(tmp_path_factory.mktemp("config") / "r", {
                config: text, "package.json": package, "app.js": "export const a = 1;\n"})
            git(root, "checkout", "-qb", "feature")
            write_files(root, {"app.js": "export const a = missingName;\n"})
            found[config] = root, rule_files(plain_eslint(root), "no-undef")
    return found


@pytest.mark.parametrize("config", sorted(CONFIGS))
@pytest.mark.parametrize("mode", MODES)
def test_the_project_config_loads_in_every_mode(
        tmp_path: Path, eslint_tools: Path, built: dict[str, tuple[Path, set[str]]],
        config: str, mode: str) -> None:
    template, plain = built[config]
    assert plain == {"app.js"}
    report = reviewed_in(copied(template, tmp_path / "r"), mode)
    unread = {row["path"]: row["not_read"] for row in report["health"]["files"]
              if row["not_read"]}
    assert not unread, unread
    reported = {f["file"] for bucket in ("remaining", "nits") for f in report["findings"][bucket]
                if f["rule"] == "no-undef"}
    assert reported == plain
