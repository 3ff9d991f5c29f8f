"""A `/* global compute */` that is no comment to ESLint — in a string, a template literal,
a regular expression, after prose in another comment — declared `compute` to reviewloop's
ESLint run (`eslint_env.declared_globals` searched the file's whole text), so a trusted file
holding `const s = "/* global compute */";` had no-undef on `compute` silenced while plain
`eslint .` reports it: a silent hole. The justification (`/* global a -- compute */`) and a
setting ESLint rejects (`compute: READONLY`) declared it too.

The generator: declaration spellings × where the text sits (a real `/* */` comment, one
spanning two lines, a `//` comment, after prose in a `/* */`, quoted strings, template
literals and the code in their `${…}`, a regular expression's class), each in its own file of
one project whose config makes an undefined name an error; the change deletes the import
each file's unchanged last line uses. ESLint's no-undef (with inline config) must be the
review's, file by file.
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
IMPORT = 'import { compute } from "./c.js";\n'
SINK = "export const v = compute();\n"
SPELLINGS = ("/* global compute */", "/*global compute*/", "/* globals compute:writable */",
             "/* global compute : readonly */", "/* global other, compute */",
             "/* global compute -- why */", "/* global other -- compute */",
             "/* global compute: READONLY */", "/* global compute: nope */",
             "/* global compute:true */", "/* GLOBAL compute */", "/* global:compute */",
             "/* global compute:off */", "/*globals\tother compute*/")
PLACES = {  # where the spelling's text goes: a line of the file
    "comment": "{}", "spanning": "{}", "after code": "const s0 = 1; {}",
    "line comment": "// {}", "after prose": "/* see below {}",
    "double quotes": 'const s1 = "{}";', "single quotes": "const s1 = '{}';",
    "template": "const s1 = `{}`;", "after ${}": "const s1 = `${{0}} {}`;",
    "in ${}": 'const s1 = `${{"{}"}}`;', "regex class": "const r1 = /[{}]/;",
}


def _line(spelling: str, place: str) -> str:
    if place == "spanning":
        spelling = spelling.replace(" ", "\n ", 2) if spelling.count(" ") > 1 else \
            spelling.replace("*/", "\n*/")
    return PLACES[place].format(spelling)


def _files() -> dict[str, tuple[str, str]]:
    """Each variant's file as the base has it, and as the change does (its import gone)."""
    files = {}
    for index, (spelling, place) in enumerate(itertools.product(SPELLINGS, PLACES)):
        body = f"{_line(spelling, place)}\n{SINK}"
        files[f"g{index}.js"] = (IMPORT + body, "const other = 1;\nexport { other };\n" + body)
    return files


@pytest.mark.parametrize("mode", ("head", "working"))
def test_a_global_is_declared_exactly_where_eslint_reads_a_global_comment(
        tmp_path: Path, eslint_tools: Path, mode: str) -> None:
    texts = _files()
    # reviewloop's own run reports no-undef (the project config's run honours no inline
    # comment); plain ESLint is given the same rule from outside the tree
    config = tmp_path / "eslint.config.mjs"
    config.write_text(CONFIG, encoding="utf-8")
    root = init_repo(tmp_path / "r", {"package.json": '{"name": "x", "type": "module"}\n',
                                      **{p: base for p, (base, _) in texts.items()}})
    git(root, "checkout", "-qb", "feature")
    write_files(root, {p: head for p, (_, head) in texts.items()})
    def undefined(*args: str) -> set[str]:
        return rule_files(plain_eslint(root, "-c", str(config), *args), "no-undef")

    undeclared = undefined()
    # every file parses (a setting ESLint rejects is a fatal message of its own, no more)
    assert undefined("--no-inline-config") == set(texts)
    assert undeclared and len(undeclared) < len(texts)  # both kinds of text met
    report = reviewed_in(root, mode)
    reported = {f["file"] for bucket in ("remaining", "nits", "out_of_scope")
                for f in report["findings"][bucket] if f["rule"] == "no-undef"}
    assert reported == undeclared, sorted(reported ^ undeclared)
