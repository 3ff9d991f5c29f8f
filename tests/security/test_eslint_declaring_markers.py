"""A change that adds `/* global compute */` is told it adds a suppression (`adds-suppression`:
the comment declares what ESLint's no-undef would report). The marker (`eslint_directives.
DECLARING`) was searched anywhere in a line's comments, in any case: a change adding
`// see /* global compute */` or `/* GLOBAL compute */`, which ESLint reads as no directive
(a line comment; an upper-case name), was told it adds a suppression it does not add.

The generator: declaration spellings × where the text sits (a real `/* */` comment, one after
code, one spanning two lines, a `//` comment, after prose in a `/* */`, quoted strings,
template literals and the code in their `${…}`, a regular expression's class), each in its own
file the change rewrites with a use of the undeclared `compute`. ESLint's no-undef (with inline
config) says which comments declare: the change adds a suppression exactly in those files.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.plain_eslint import plain_eslint, rule_files
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

CONFIG = 'export default [{ files: ["**/*.js"], rules: { "no-undef": "error" } }];\n'
SINK = "export const v = compute();\n"
SPELLINGS = ("/* global compute */", "/*global compute*/", "/* globals compute:writable */",
             "/* global compute -- why */", "/* GLOBAL compute */", "/* Globals compute */",
             "/* global:compute */", "/*globals\tother compute*/", "/* see global compute */")
PLACES = {  # where the spelling's text goes: a line of the file
    "comment": "{}", "spanning": "{}", "after code": "const s0 = 1; {}",
    "line comment": "// {}", "after a line comment's prose": "// see {}",
    "after prose": "/* see below {}", "double quotes": 'const s1 = "{}";',
    "template": "const s1 = `{}`;", "in ${}": 'const s1 = `${{"{}"}}`;',
    "regex class": "const r1 = /[{}]/;",
}


def _line(spelling: str, place: str) -> str:
    if place == "spanning":
        spelling = spelling.replace("*/", "\n*/")
    return PLACES[place].format(spelling)


def test_a_change_adds_a_declaration_exactly_where_eslint_reads_one(
        tmp_path: Path, eslint_tools: Path) -> None:
    texts = {f"d{i}.js": f"{_line(*v)}\n{SINK}"
             for i, v in enumerate(itertools.product(SPELLINGS, PLACES))}
    config = tmp_path / "eslint.config.mjs"
    config.write_text(CONFIG, encoding="utf-8")
    root = init_repo(tmp_path / "r", {"package.json": '{"name": "x", "type": "module"}\n',
                                      **dict.fromkeys(texts, "export const w = 1;\n")})
    git(root, "checkout", "-qb", "feature")
    write_files(root, texts)

    def undefined(*args: str) -> set[str]:
        return rule_files(plain_eslint(root, "-c", str(config), *args), "no-undef")

    assert undefined("--no-inline-config") >= set(texts)  # every file parses
    declaring = set(texts) - undefined()
    assert declaring and len(declaring) < len(texts), declaring  # both kinds of text met
    report = reviewed_in(root, "head")  # a pull request's: a local review trusts its own
    adding = {f["file"] for bucket in ("remaining", "nits", "out_of_scope")
              for f in report["findings"][bucket] if f["rule"] == "adds-suppression"}
    assert adding == declaring, sorted(adding ^ declaring)
