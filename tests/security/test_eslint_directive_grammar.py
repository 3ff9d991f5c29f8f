"""An ESLint directive word inside a prose comment (`// never add eslint-disable-line here`,
`/* NOTE: keep this file free of eslint-disable */`) was honoured as a blanket disable: a
finding the change caused on an unchanged line under such a comment was listed as suppressed,
while plain `eslint .` reports it (fuzz round 6, D16). ESLint reads a comment as a directive
only when its text starts with the directive's name (`eslint_directives.py`).

The generator: comment spellings (prose before the name, spaces, none, upper case, a colon,
`-- reason` and `--reason`, a rule list, `//` or `/* */` or a `/* */` spanning two lines,
another `/* */` comment before it on its line) ×
directives (`-line` on the finding's line, `-next-line`, `eslint-disable` and a comment config
above it), each in its own file of one project whose config makes an undefined name an error;
the change deletes the import each file's unchanged last line uses. ESLint's own answer (its
run with and without `--no-inline-config`) must be the review's: suppressed exactly where
ESLint suppresses.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.plain_eslint import plain_eslint, rule_files
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import outcomes, reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

CONFIG = 'export default [{ files: ["**/*.js"], rules: { "no-undef": "error" } }];\n'
IMPORT = 'import { compute } from "./c.js";\n'
SINK = "export const v = compute();"
DIRECTIVES = {  # name → whether it goes on the finding's line (else on the line above)
    "eslint-disable-line": True, "eslint-disable-next-line": False, "eslint-disable": False,
    "ESLint-disable-line": True, "eslint": False}
LEADS = ("", " ", "  ", "reviewers: never add ", "NOTE: keep free of ")
TAILS = ("", " no-undef", " no-eval", " -- reason", " no-undef -- why", " --reason", ":",
         ' no-undef: "off"')
KINDS = ("line", "block", "spanning")
BEFORE = ("", "/* a */ ", "/*b*/")  # another comment first on the line: ESLint reads each


def _comment(kind: str, text: str) -> str:
    if kind == "line":
        return f"//{text}"
    return f"/*{text}*/" if kind == "block" else f"/*{text}\n */"


def _variants() -> list[tuple[str, str, str, str, str]]:
    every = list(itertools.product(DIRECTIVES, LEADS, TAILS, KINDS, BEFORE))
    return random.Random(6).sample(every, 120)  # a fixed sample: the same files every run


def _text(name: str, lead: str, tail: str, kind: str, before: str) -> tuple[str, str]:
    """The base's file and the change's (its import gone): the comment, and the sink under or
    beside it, unchanged."""
    comment = before + _comment(kind, f"{lead}{name}{tail}")
    body = f"{SINK} {comment}\n" if DIRECTIVES[name] else f"{comment}\n{SINK}\n"
    return IMPORT + body, "const other = 1;\nexport { other };\n" + body


@pytest.mark.parametrize("mode", ("head", "working"))
def test_a_comment_is_a_directive_exactly_where_eslint_reads_one(
        tmp_path: Path, eslint_tools: Path, mode: str) -> None:
    texts = {f"v{i}.js": _text(*v) for i, v in enumerate(_variants())}
    root = init_repo(tmp_path / "r", {"eslint.config.mjs": CONFIG,
                                      "package.json": '{"name": "x", "type": "module"}\n',
                                      **{p: base for p, (base, _) in texts.items()}})
    git(root, "checkout", "-qb", "feature")
    write_files(root, {p: head for p, (_, head) in texts.items()})
    honoured = rule_files(plain_eslint(root, "--no-inline-config"), "no-undef") \
        - rule_files(plain_eslint(root), "no-undef")
    assert honoured and len(honoured) < len(texts), honoured  # both kinds of comment met
    report = reviewed_in(root, mode)
    suppressed, reported = outcomes(report, "no-undef")
    # a spanning `-next-line`, which reaches the line after the comment's end, is left
    # unread (reported): the module's docstring
    unplaced = {f"v{i}.js" for i, (name, _, _, kind, _) in enumerate(_variants())
                if kind == "spanning" and name == "eslint-disable-next-line"}
    assert suppressed == honoured - unplaced, sorted(suppressed ^ (honoured - unplaced))
    assert reported == set(texts) - suppressed, sorted(reported ^ (set(texts) - suppressed))
