"""A file the project's own ESLint `languageOptions` cannot parse (an `ecmaVersion: 5` bundle
given an arrow function, `sourceType: "script"` or `"commonjs"` given an `import`): plain
`eslint .` fails it with a fatal parse error (exit 1). The review's project run kept only the
messages with a rule, so the parse error vanished, none of the project's rules had run on the
file, and the review was complete and clean (fuzz round 6, D2). A fatal message of the project
run now names the file as not read by the project's rules, as the review names a file any
other analyzer could not parse.

The matrix: each languageOptions × each construct, every pair in its own folder under its own
config (the nearest config lints each file); the review's unparsed files must be exactly those
plain ESLint fails, so a construct the options allow stays read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.plain_eslint import fatal_files, plain_eslint
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

OPTIONS = {  # folder prefix → the project's languageOptions
    "es5": '{ ecmaVersion: 5, sourceType: "script" }',
    "es2017": "{ ecmaVersion: 2017 }",
    "script": '{ sourceType: "script" }',
    "commonjs": '{ sourceType: "commonjs" }',
    "latest": "{}",  # ESLint's default: latest syntax, a module
}
CONSTRUCTS = {  # name → a change's code using it
    "arrow": "var x = 1;\nvar f = () => x;\nconsole.log(f());\n",
    "chain": "var cfg = { a: { b: 1 } };\nconsole.log(cfg?.a?.b ?? 2);\n",
    "import": 'import fs from "fs";\nconsole.log(fs.readFileSync("x"));\n',
    "export": 'const fs = require("fs");\nexport const y = fs;\n',
    "plain": "var x = 1;\nconsole.log(x);\n",  # parses under every option
}
BASE_CODE = "var x = 1;\nconsole.log(x);\n"
MARK = "the project's ESLint config could not parse it"


def _config(options: str) -> str:
    return (f'export default [{{ files: ["**/*.js"], languageOptions: {options}, '
            'rules: { eqeqeq: "error" } }];\n')


@pytest.mark.parametrize("mode", ("head", "working"))
def test_a_file_the_projects_language_options_cannot_parse_is_named(
        tmp_path: Path, eslint_tools: Path, mode: str) -> None:
    folders = [f"{o}_{c}" for o in OPTIONS for c in CONSTRUCTS]
    base = {"package.json": '{"name": "x", "version": "1.0.0", "private": true}\n',
            "eslint.config.mjs": "export default [];\n",  # `eslint .` needs one at the root
            **{f"{f}/eslint.config.mjs": _config(OPTIONS[f.split("_")[0]]) for f in folders},
            **{f"{f}/a.js": BASE_CODE for f in folders}}
    root = init_repo(tmp_path / "r", base)
    git(root, "checkout", "-qb", "feature")
    write_files(root, {f"{f}/a.js": CONSTRUCTS[f.split("_")[1]] for f in folders})
    plain = fatal_files(plain_eslint(root))
    assert plain and "latest_import" not in {p.split("/")[0] for p in plain}, plain
    report = reviewed_in(root, mode)
    unread = {f["path"]: f["not_read"] for f in report["health"]["files"]}
    unparsed = {path for path, why in unread.items() if any(MARK in w for w in why)}
    assert unparsed == plain, (sorted(unparsed ^ plain), unread)
    assert report["health"]["complete"] is False
