"""An ESLint directive in a `/* */` comment spanning lines was read by its first line only
(`eslint_directives`): `/* eslint-disable no-eval,\n no-undef */` silenced no-eval alone,
`/* eslint-disable\n no-undef */` nothing, while ESLint reads the comment's whole text and
silences no-undef in both (reported, never hidden: the lower-priority side). The comment is
now read whole, from the line it starts on (`script_comments.SPANNED`), as ESLint places an
`eslint-disable`, a comment config and an `eslint-enable`; a spanning `eslint-disable-line`
is still no directive (ESLint reports it and ignores it).

The generator: directives (`-line` beside the finding, `-next-line`, `eslint-disable` and a
comment config above it) × rule lists and reasons × where the comment's line breaks (after
the name, inside the list, before `*/`, nowhere), each in its own file; the change deletes the
import each file's unchanged last line uses. ESLint's answer (its run with and without
`--no-inline-config`) must be the review's; a spanning `-next-line` reaches the line after the
comment's end, as in ESLint 10 (it was left unread, reported: the session's reviewer, D3).

A comment with nothing after its `/*` on its first line (`/*\n eslint-disable no-undef */`)
was not read at all: a line's markers are looked for where their word is, and the comment's
text is on its first line. The lines of a comment read whole lead to its first now
(`policy.markers.MarkerTable.line_markers`).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.support.plain_eslint import import_deleted, plain_eslint, rule_files
from tests.support.review_cli import outcomes, reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

CONFIG = 'export default [{ files: ["**/*.js"], rules: { "no-undef": "error" } }];\n'
SINK = "export const v = compute();"
NAMES = ("eslint-disable-line", "eslint-disable-next-line", "eslint-disable", "eslint")
TAILS = ("", " no-undef", " no-eval", " no-eval, no-undef", " no-undef -- why",
         " -- why no-undef", ' no-undef: "off"', ' no-eval: "off", no-undef: "off"')
BREAKS = ("after the name", "in the list", "before the end", "none", "before the name",
          "before the name, twice")


def _variants() -> list[tuple[str, str, str]]:
    return list(itertools.product(NAMES, TAILS, BREAKS))


def _body(name: str, tail: str, where: str) -> str:
    text = name + tail
    if where == "after the name":
        text = f"{name}\n{tail.lstrip()}"
    elif where == "in the list":
        text = "\n".join(text.rsplit(" ", 1))
    elif where == "before the end":
        text += "\n"
    elif where.startswith("before the name"):
        text = ("\n" if where == "before the name" else "\n\n  ") + text
    comment = f"/* {text} */"
    return f"{SINK} {comment}\n" if name == "eslint-disable-line" else f"{comment}\n{SINK}\n"


@pytest.mark.parametrize("mode", ("head", "working"))
def test_a_spanning_directive_is_read_whole_as_eslint_reads_it(
        tmp_path: Path, eslint_tools: Path, mode: str) -> None:
    texts = {f"s{i}.js": _body(*v) for i, v in enumerate(_variants())}
    root, config = import_deleted(tmp_path, texts, CONFIG)

    def undefined(*args: str) -> set[str]:
        return rule_files(plain_eslint(root, "-c", str(config), *args), "no-undef")

    assert undefined("--no-inline-config") == set(texts)  # every file parses
    honoured = set(texts) - undefined()
    assert honoured and len(honoured) < len(texts), honoured  # both answers met
    report = reviewed_in(root, mode)
    suppressed, reported = outcomes(report, "no-undef")
    assert suppressed == honoured, sorted(suppressed ^ honoured)
    assert reported == set(texts) - suppressed, sorted(reported ^ (set(texts) - suppressed))
