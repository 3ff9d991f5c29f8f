"""A change that takes an `ignores` entry or a rule's `"off"` out of the project's ESLint config
tightens it: plain `eslint .` at its head reports what the base's config hid. The base's
config alone decided what was suppressed, so the finding stayed suppressed, and the edit was
called "this change suppresses findings" (fuzz round 11, D18). Now a suppression holds only
where the head's config makes it too (the change's config can only take suppressions away),
and an edit that only drops global ignores is a tightening, not a suppression.

Generated: a package per config edit (an entry, a whole global-ignores object, a named one, a
`globalIgnores()` entry, a rule's `"off"` dropped; twins: an ignore added, an `ignores` beside
`files` and `"off"` dropped (that object's "off" then reaches more files), no edit), each with
a file the base ignores and one it lints. The oracle: plain `eslint .` with the base's configs
and with the head's, on the head's files; a finding either reports is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.plain_eslint import linked_node_modules, plain_eslint, rule_files
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import outcomes, reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

R = '{ rules: { "no-eval": "error" } }'
GLOBAL = 'import { globalIgnores } from "eslint/config";\n'
# edit → (the base's config, the head's, whether the edit only tightens)
EDITS = {
    "entry": (f'[{{ ignores: ["legacy/**", "gen/**"] }}, {R}]', f'[{{ ignores: ["gen/**"] }}, {R}]',
              True),
    "object": (f'[{{ ignores: ["legacy/**"] }}, {R}]', f"[{R}]", True),
    "named object": (f'[{{ name: "skip", ignores: ["legacy/**"] }},\n  {R}]', f"[\n  {R}]", True),
    "globalIgnores": (f'[globalIgnores(["legacy/**", "gen/**"]), {R}]',
                      f'[globalIgnores(["gen/**"]), {R}]', True),
    "off dropped": (f'[{R}, {{ files: ["legacy/**"], rules: {{ "no-eval": "off" }} }}]', f"[{R}]",
                    False),
    "ignore added": (f"[{R}]", f'[{{ ignores: ["legacy/**"] }}, {R}]', False),
    "scoped ignores dropped": (
        f'[{R}, {{ files: ["**/*.js"], ignores: ["legacy/**"], rules: {{ "no-eval": "off" }} }}]',
        f'[{R}, {{ files: ["**/*.js"], rules: {{ "no-eval": "off" }} }}]', False),
    "no edit": (f'[{{ ignores: ["legacy/**"] }}, {R}]', f'[{{ ignores: ["legacy/**"] }}, {R}]',
                False),
}
CODE = "export function run(s) {\n  return eval(s);\n}\n"


def _config(body: str) -> str:
    return (GLOBAL if "globalIgnores" in body else "") + f"export default {body};\n"


def test_the_stricter_of_the_two_configs_applies(tmp_path: Path, eslint_tools: Path) -> None:
    base = {f"v{n}/eslint.config.js": _config(EDITS[edit][0]) for n, edit in enumerate(EDITS)}
    head = {f"v{n}/eslint.config.js": _config(EDITS[edit][1]) for n, edit in enumerate(EDITS)}
    change = {f"v{n}/{place}": CODE for n in range(len(EDITS)) for place in ("legacy/x.js",
                                                                             "src/x.js")}
    root = init_repo(tmp_path / "r", {"package.json": '{"name": "x", "type": "module"}\n',
                                      ".gitignore": "node_modules/\n",
                                      "eslint.config.js": "export default [];\n", **base})
    linked_node_modules(root)
    git(root, "checkout", "-qb", "feature")
    write_files(root, change)
    by_base = rule_files(plain_eslint(root), "no-eval")
    write_files(root, head)
    plain = by_base | rule_files(plain_eslint(root), "no-eval")
    assert plain != set(change) and plain
    report = reviewed_in(root, "head")
    suppressed, reported = outcomes(report, "no-eval")
    assert reported == plain, (sorted(reported - plain), sorted(plain - reported))
    assert suppressed == set(change) - plain
    said = {(f["file"], f["rule"]) for bucket in ("remaining", "nits")
            for f in report["findings"][bucket] if f["source"] == "reviewloop"}
    for n, (edit, (was, now, tightens)) in enumerate(EDITS.items()):
        config = f"v{n}/eslint.config.js"
        assert ((config, "adds-suppression") in said) == (was != now and not tightens), edit
        assert ((config, "tightens-config") in said) == tightens, edit
