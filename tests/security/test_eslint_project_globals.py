"""A trusted `/* global compute */` declares `compute` to ESLint, and reviewloop's own run
honours it (`eslint_env.declared_globals`); but the project's own config run
(`eslint_project`) reads no inline comment, so where the project's config turns no-undef on,
its no-undef on `compute` was reported while plain `eslint .` reports nothing. Its no-undef
on a name a trusted `/* global */` of the file declares is dropped now.

The generator: declaration spellings (declaring `compute`, another name, `compute:off`, with a
reason) × where the text sits (a `/* */` comment, after code, a `//` comment, a string), each
in its own file of one project whose own `eslint.config.mjs` makes an undefined name an error;
the change deletes the import each file's unchanged last line uses. Plain ESLint's no-undef
(the project's config, inline comments read) must be the review's, file by file.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.plain_eslint import plain_eslint, rule_hits
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

CONFIG = 'export default [{ files: ["**/*.js"], rules: { "no-undef": "error" } }];\n'
IMPORT = 'import { compute } from "./c.js";\n'
SINK = "export const v = compute();\n"
SPELLINGS = ("/* global compute */", "/*globals other, compute:writable*/",
             "/* global other */", "/* global compute:off */", "/* global compute -- why */")
PLACES = {"comment": "{}", "after code": "const s0 = 1; {}", "line comment": "// {}",
          "string": 'const s1 = "{}";'}


def _files() -> dict[str, tuple[str, str]]:
    """Each variant's file as the base has it, and as the change does (its import gone)."""
    files = {}
    for index, (spelling, place) in enumerate(itertools.product(SPELLINGS, PLACES)):
        body = f"{PLACES[place].format(spelling)}\n{SINK}"
        files[f"p{index}.js"] = (IMPORT + body, "const other = 1;\nexport { other };\n" + body)
    return files


@pytest.mark.parametrize("mode", ("head", "working"))
def test_the_project_run_declares_what_a_trusted_global_comment_declares(
        tmp_path: Path, eslint_tools: Path, mode: str) -> None:
    texts = _files()
    root = init_repo(tmp_path / "r", {"eslint.config.mjs": CONFIG,
                                      "package.json": '{"name": "x", "type": "module"}\n',
                                      **{p: base for p, (base, _) in texts.items()}})
    git(root, "checkout", "-qb", "feature")
    write_files(root, {p: head for p, (_, head) in texts.items()})

    def undefined(*args: str) -> set[str]:
        return {f for f, rule, _ in rule_hits(plain_eslint(root, *args)) if rule == "no-undef"}

    assert undefined("--no-inline-config") == set(texts)  # every file parses
    undeclared = undefined()
    assert undeclared and len(undeclared) < len(texts)  # both kinds of text met
    report = reviewed_in(root, mode)
    reported = {f["file"] for bucket in ("remaining", "nits", "out_of_scope")
                for f in report["findings"][bucket] if f["rule"] == "no-undef"}
    assert reported == undeclared, sorted(reported ^ undeclared)
