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

from tests.support.environment import suite_environment
from tests.support.eslint_batches import Answers, answers, copied
from tests.support.gitutil import git
from tests.support.js_tools import installed
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


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str], set[str]]:
    """Every variant in one repository, and the files whose no-undef ESLint silences: built
    and answered once; each mode reviews a copy of its own (`copied`)."""
    texts = {f"v{i}.js": _text(*v) for i, v in enumerate(_variants())}
    with pytest.MonkeyPatch.context() as patch:
        suite_environment(patch, tmp_path_factory.getbasetemp())
        installed(patch, "eslint")
        root = init_repo(tmp_path_factory.mktemp("grammar") / "r", {
            "eslint.config.mjs": CONFIG, "package.json": '{"name": "x", "type": "module"}\n',
            **{p: base for p, (base, _) in texts.items()}})
        git(root, "checkout", "-qb", "feature")
        write_files(root, {p: head for p, (_, head) in texts.items()})
        honoured = rule_files(plain_eslint(root, "--no-inline-config"), "no-undef") \
            - rule_files(plain_eslint(root), "no-undef")
        assert honoured and len(honoured) < len(texts), honoured  # both kinds of comment met
        return root, set(texts), honoured


@pytest.mark.parametrize("mode", ("head", "working"))
def test_a_comment_is_a_directive_exactly_where_eslint_reads_one(
        tmp_path: Path, eslint_tools: Path, batch: tuple[Path, set[str], set[str]],
        mode: str) -> None:
    template, texts, honoured = batch
    report = reviewed_in(copied(template, tmp_path / "r"), mode)
    suppressed, reported = outcomes(report, "no-undef")
    assert suppressed == honoured, sorted(suppressed ^ honoured)
    assert reported == texts - suppressed, sorted(reported ^ (texts - suppressed))


# ESLint's config for the batches below: `.cjs` a script (CommonJS), `.jsx` parsed with JSX
MIXED = ('export default [{ files: ["**/*.js", "**/*.cjs", "**/*.jsx"], '
         'rules: { "no-undef": "error" } }, { files: ["**/*.cjs"], '
         'languageOptions: { sourceType: "commonjs" } }, { files: ["**/*.jsx"], '
         'languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } } }];\n')
# separators JavaScript's `\s`/`trim()` and Python's disagree on (U+001C-U+001F and U+0085
# are Python's alone, U+FEFF JavaScript's), and some both take or neither does
SPACES = ("\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\ufeff", "\u180e", "\u200b", "\xa0",
          "\u1680", "\u2000", "\u200a", "\u202f", "\u3000", "\x0b", "\x0c", "\t")
SPACED = (  # `{}`: the separator; whether the comment goes on the finding's line
    ("/*{}eslint-disable no-undef */", False), ("/* eslint-disable{}no-undef */", False),
    ("/* eslint-disable{}*/", False), ("// eslint-disable-next-line{}no-undef", False),
    ("// eslint-disable-line{}no-undef", True), ("/*eslint-disable-line{}*/", True),
    ("/* eslint-disable no-eval{}--{}x, no-undef */", False),
    ("/* eslint-disable no-eval,{}no-undef */", False), ("/* global{}compute */", False),
    ("/*{}global compute */", False), ("/* global foo{}compute */", False),
    ("/* global compute{}-- x */", False), ("/* eslint no-undef:{}off */", False),
    ("/* eslint{}no-undef: off */", False))


def _agrees(answers: Answers, wider: frozenset[str] = frozenset()) -> None:
    """The review reports no-undef exactly where plain ESLint does (and in `wider`, files
    it reads more narrowly than ESLint), and suppresses it only where ESLint does not."""
    assert answers.eslint and answers.eslint != answers.uncommented  # both answers met
    assert answers.reported == answers.eslint | wider, \
        sorted(answers.reported ^ (answers.eslint | wider))
    assert not answers.suppressed & (answers.eslint | wider), answers.suppressed


def test_a_comment_is_spaced_as_javascript_spaces_it(
        tmp_path: Path, eslint_tools: Path) -> None:
    """Python's `\\s` and `strip()` took U+001C-U+001F and U+0085 for white space: a trusted
    `/* global\\x1fcompute */` or `eslint-disable\\x1fno-undef` declared or disabled what
    ESLint reports (the session's reviewer, H3)."""
    bodies = {}
    for index, (space, (text, beside)) in enumerate(itertools.product(SPACES, SPACED)):
        comment = text.replace("{}", space)
        bodies[f"s{index}.js"] = f"{SINK} {comment}\n" if beside else f"{comment}\n{SINK}\n"
    found = answers(tmp_path, bodies, MIXED)
    assert found.uncommented == set(bodies)  # every file parses
    _agrees(found)


DIRECTIVES_IN_JSX = (("/* global compute */", False), ("/* eslint-disable no-undef */", False),
                     ("/* eslint-disable-next-line no-undef */", False),
                     ("// eslint-disable-next-line no-undef", False),
                     ("/* eslint-disable-line no-undef */", True),
                     ("/* eslint no-undef: off */", False))
JSX_PLACES = {  # `{}`: the comment (a `//` one only where its line ends with it)
    "text": "export const A = <p>{}\n</p>;",
    "text with a quote": "export const A = <p>Don't {}\n</p>;",
    "text after a child": "export const A = <div><b>x</b> {}\n</div>;",
    "a fragment's text": "export const A = <>{}\n</>;",
    "text on its own line": "export const A = <div>\n{}\n</div>;",
    "an attribute's string": 'export const A = <p title="{}">x</p>;',
    "a container": "export const A = <p>{{{}\n}}</p>;",
    "in the tag": "export const A = <p {}\n>x</p>;",
    "after an element": "export const A = <p>Don't</p>; {}",
    "after a self-closing one": 'export const A = <img alt="x" />; {}',
    "after nested ones": "export const A = <div><p>a</p><>b</></div>; {}",
}
BREAKS = ("\u2028", "\u2029", "\r")  # ECMAScript's line ends git does not end a line at
BREAK_PLACES = ("export const q = 1; // x{b}{c}",
                'export const q = 1; // x{b}export const s = "{c}";',
                "export const q = 1; // x{b}export const s = `{c}`;")
BROKEN = ("/* global compute */", "/* eslint-disable no-undef */",
          "// eslint-disable-next-line no-undef", "/* a{b} eslint-disable no-undef */",
          "/*{b}eslint-disable no-undef */")
HTML_LIKE = {  # `{}`: the comment; `.cjs` is a script, `.js` a module (`<!--` is code)
    "h0.cjs": "let a1 = 1, b1 = 2;\nexports.x = a1 <!-- b1; {}\nexports.v = compute();\n",
    "h1.cjs": "let a1 = 1, b1 = 2;\nexports.x = a1 < b1; {}\nexports.v = compute();\n",
    "h2.cjs": "let a1 = 1;\n--> a1 {}\nexports.v = compute();\n",
    "h3.cjs": "let a1 = 1;\n/* a */ --> a1 {}\nexports.v = compute();\n",
    "h4.cjs": "let a1 = 1, b1 = 2;\nexports.x = a1-->b1; {}\nexports.v = compute();\n",
    "h5.js": "let a1 = 1, b1 = 2;\nexport const x = a1 <!-- b1; {}\n" + SINK + "\n",
}


def _where_javascript_puts_comments() -> tuple[dict[str, str], frozenset[str]]:
    """The bodies, and those whose comment ESLint reads that the review leaves out: an
    HTML-like `<!--` in a module (`js_lexer.js_comments` reads it as a script's too)."""
    bodies = {}
    for index, (text, (directive, beside)) in enumerate(itertools.product(
            JSX_PLACES.values(), DIRECTIVES_IN_JSX)):
        line = text.replace("{}", directive)
        if beside and "\n" not in text:
            bodies[f"x{index}.jsx"] = f"{SINK} {line}\n"
        elif not beside and (directive.startswith("/*") or "{}\n" in text):
            bodies[f"x{index}.jsx"] = f"{line}\n{SINK}\n"
    for index, (place, directive, end) in enumerate(itertools.product(
            BREAK_PLACES, BROKEN, BREAKS)):
        comment = directive.replace("{b}", end)
        if "{b}" not in directive or place.endswith("{c}"):
            bodies[f"b{index}.js"] = place.format(b=end, c=comment) + f"\n{SINK}\n"
    for name, text in HTML_LIKE.items():
        for directive in ("/* eslint-disable no-undef */", "/* global compute */"):
            bodies[name.replace(".", f"{len(directive)}.")] = text.replace("{}", directive)
    return bodies, frozenset(p for p in bodies if p.startswith("h5"))


def test_a_comment_is_one_where_javascript_reads_one(
        tmp_path: Path, eslint_tools: Path) -> None:
    """JSX text is no comment: a trusted `<p>/* global compute */</p>` declared compute and
    `<p>/* eslint-disable no-undef */</p>` disabled it, where ESLint reports (the session's
    reviewer, H2). A `//` comment ends at U+2028, U+2029 and a lone CR (the code after it
    on git's line was read as the comment's); in a script the rest of a line after `<!--`
    is a comment (Annex B), a directive there none."""
    bodies, wider = _where_javascript_puts_comments()
    found = answers(tmp_path, bodies, MIXED)
    assert found.uncommented == set(bodies)  # every file parses
    _agrees(found, wider)
