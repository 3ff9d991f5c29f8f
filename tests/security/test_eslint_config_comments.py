"""An ESLint config comment waives a rule only when it switches it off: `/* eslint no-undef:
"error" */` switches it on, and ESLint reports the no-undef a change causes under it; the
review took every rule such a comment names as waived and suppressed it (fuzz round 7, D7).

The product: settings in levn's syntax (quoted or not, a number, an array with options, the
name quoted, beside another rule) × on or off, each in its own file under the project's
config making an undefined name an error; the change deletes the import the file's last,
unchanged line uses. Suppressed in the review exactly where ESLint's inline config silences
it (its run with and without `--no-inline-config`).

The comment was searched for any `name: off` pair: a rule set off, then on again in the same
comment, or `no-undef: off` in another rule's string option, was waived where ESLint, which
parses the object (levn), reports (the session's reviewer, D9).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.plain_eslint import plain_eslint, rule_files
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import outcomes, reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

CONFIG = 'export default [{ files: ["**/*.js"], rules: { "no-undef": "error" } }];\n'
IMPORT = 'import { compute } from "./c.js";\n'
SINK = "export const v = compute();\n"
SETTINGS = ('"off"', "'off'", "off", "0", '["off"]', "[0]", '[ "off", { "typeof": true } ]',
            '"error"', "2", '"warn"', "1", '["error"]', '[2, "always"]', "'error'")
NAMES = ("no-undef", '"no-undef"', "eqeqeq: 0, no-undef",
         # the rule set twice (the last setting wins), or named inside another's string
         'no-undef: "off", no-undef', "no-undef: 2, no-undef",
         'no-restricted-globals: ["error", "no-undef: off"], no-undef')


def _texts() -> dict[str, tuple[str, str]]:
    texts = {}
    for n, (name, setting, braced) in enumerate(
            (a, b, c) for a in NAMES for b in SETTINGS for c in (False, True)):
        body = f"{name}: {setting}"
        comment = f"/* eslint {{ {body} }} */\n" if braced else f"/* eslint {body} */\n"
        texts[f"v{n}.js"] = (comment + IMPORT + SINK, comment + "\n" + SINK)
    return texts


def test_a_config_comment_waives_only_the_rules_it_switches_off(
        tmp_path: Path, eslint_tools: Path) -> None:
    texts = _texts()
    root = init_repo(tmp_path / "r", {"eslint.config.mjs": CONFIG, "c.js": "export {};\n",
                                      "package.json": '{"name": "x", "type": "module"}\n',
                                      **{p: base for p, (base, _) in texts.items()}})
    git(root, "checkout", "-qb", "feature")
    write_files(root, {p: head for p, (_, head) in texts.items()})
    honoured = rule_files(plain_eslint(root, "--no-inline-config"), "no-undef") \
        - rule_files(plain_eslint(root), "no-undef")
    assert honoured and len(honoured) < len(texts), honoured  # both kinds met
    report = reviewed_in(root, "head")
    suppressed, _ = outcomes(report, "no-undef")
    assert suppressed == honoured, sorted(suppressed ^ honoured)
