"""`eslint-enable` was matched anywhere in a line (`policy.markers._ENABLE`): prose such as
`// remember to eslint-enable later`, a `//` comment (ESLint 10 reads `eslint-enable` in
block comments only), a string or an upper-case `ESLint-enable` ended an `/* eslint-disable */`
block early, and the finding under it that plain `eslint .` silences was reported. An enable
after the disable on the disable's own line, or before the finding on its line, was not read
at all: the block went on where ESLint's had ended (a finding ESLint reports, hidden).

The generator: enable spellings (names, rule lists, `-- why`, prose, upper case, a colon) ×
where the text sits (a block comment, a `//` one, strings, templates and a template's second
line, after a regular expression holding a quote, after another comment, in a `//` comment,
a block spanning two lines, its rule list or reason on the next line, on the disable's
line, before the finding on its line) × a bare and a listed `eslint-disable`, each in its
own file; the change deletes the import each file's unchanged last line uses. ESLint's
answer (its run with and without `--no-inline-config`) must be the review's: suppressed
exactly where ESLint suppresses. A spanning `/* eslint-enable */` was read by its first line
(a list on the next: every rule, the block ended early); it is read whole now.

ESLint compares positions, not lines: an enable after the finding on the finding's line ends
nothing for it, and a disable after it on its line disables nothing for it. The review read
the finding's whole line: `/* eslint-disable */` above and `compute(); /* eslint-enable */`
reported what ESLint silences, and `compute(); /* eslint-disable */` hid what ESLint reports.
It reads the finding's line up to ESLint's column now (`Finding.start_column`); the places
after the finding and around it (the disable before it on its line) are the generator's.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.support.environment import suite_environment
from tests.support.eslint_batches import answers, copied
from tests.support.js_tools import installed
from tests.support.plain_eslint import import_deleted, plain_eslint, rule_files
from tests.support.review_cli import outcomes, reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

CONFIG = 'export default [{ files: ["**/*.js"], rules: { "no-undef": "error" } }];\n'
SINK = "export const v = compute();"
SPELLINGS = ("eslint-enable", " eslint-enable ", "eslint-enable no-undef", "eslint-enable no-eval",
             "eslint-enable -- why", "eslint-enable no-undef -- why",
             "eslint-enable no-eval, no-undef", "ESLint-enable", "eslint-enable:",
             "eslint-enabled", "remember to eslint-enable later")
PLACES = {  # (the enable's line, the disable's line, the finding's line)
    "block": ("/*{}*/", "{d}", SINK), "line": ("//{}", "{d}", SINK),
    "string": ('const s1 = "/*{}*/";', "{d}", SINK),
    "template": ("const s1 = `/*{}*/`;", "{d}", SINK),
    "template's 2nd line": ("const s1 = `x\n/*{}*/`;", "{d}", SINK),
    "after a regex": ("const r1 = /'/; /*{}*/", "{d}", SINK),
    "after a postfix division": ("let i1 = 4; i1 = i1++ / 2; /*{}*/", "{d}", SINK),
    "after a comment": ("/* a */ /*{}*/", "{d}", SINK),
    "in a line comment": ("// see /*{}*/", "{d}", SINK),
    "spanning": ("/*{}\n*/", "{d}", SINK),
    "split": ("/*{}*/", "{d}", SINK),  # its line broken at its first space (`_body`)
    "on the disable's line": ("", "{d} /*{}*/", SINK),
    "before the finding": ("", "{d}", "/*{}*/ " + SINK),
    "after the finding": ("", "{d}", SINK + " /*{}*/"),
    "around the finding": ("", "", "{d} " + SINK + " /*{}*/"),
    "after the finding, then the disable": ("", "", SINK + " /*{}*/ {d}"),
    "the disable after the finding": ("", "", SINK + " {d} /*{}*/"),
}
DISABLES = ("/* eslint-disable */", "/* eslint-disable no-undef */")


def _variants() -> list[tuple[str, str, str]]:
    return list(itertools.product(SPELLINGS, PLACES, DISABLES))


def _body(spelling: str, place: str, disable: str) -> str:
    if place == "split":
        spelling = spelling.replace(" ", "\n", 1) if " " in spelling.strip() else \
            spelling + "\n"
    enable, marker, sink = (part.replace("{d}", disable).replace("{}", spelling)
                            for part in PLACES[place])
    return f"{marker}\n{enable}\n{sink}\n"


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str], set[str]]:
    """Every variant in one repository, and the files whose no-undef ESLint silences: built
    and answered once; each mode reviews a copy of its own (`copied`)."""
    texts = {f"e{i}.js": _body(*v) for i, v in enumerate(_variants())}
    with pytest.MonkeyPatch.context() as patch:
        suite_environment(patch, tmp_path_factory.getbasetemp())
        installed(patch, "eslint")
        root, config = import_deleted(tmp_path_factory.mktemp("enables"), texts, CONFIG)

        def undefined(*args: str) -> set[str]:
            return rule_files(plain_eslint(root, "-c", str(config), *args), "no-undef")

        assert undefined("--no-inline-config") == set(texts)  # every file parses
        honoured = set(texts) - undefined()
        assert honoured and len(honoured) < len(texts), honoured  # both answers met
        return root, set(texts), honoured


@pytest.mark.parametrize("mode", ("head", "working"))
def test_a_block_ends_exactly_where_eslint_reads_an_enable(
        tmp_path: Path, eslint_tools: Path, batch: tuple[Path, set[str], set[str]],
        mode: str) -> None:
    template, texts, honoured = batch
    report = reviewed_in(copied(template, tmp_path / "r"), mode)
    suppressed, reported = outcomes(report, "no-undef")
    assert suppressed == honoured, sorted(suppressed ^ honoured)
    assert reported == texts - suppressed, sorted(reported ^ (texts - suppressed))


JSX_CONFIG = ('export default [{ files: ["**/*.jsx"], languageOptions: { parserOptions: '
              '{ ecmaFeatures: { jsx: true } } }, rules: { "no-undef": "error" } }];\n')
JSX_PLACES = ("<p>Don't {{/*{}*/}}</p>", "<p>It's \"quoted\" {{/*{}*/}}</p>",
              "<p>a/b {{/*{}*/}}</p>", "<p>{{/*{}*/}}</p>", "<div><b>x</b>{{/*{}*/}}</div>")


def test_an_enable_in_jsx_ends_the_block_where_eslint_reads_it(
        tmp_path: Path, eslint_tools: Path) -> None:
    """JSX text is no code: the comment reader took `Don't` for a string's quote, missed the
    `{/* eslint-enable */}` after it, and the trusted block ran on over a finding ESLint
    reports (the session's reviewer, H1). A line holding a tag is read whole now."""
    texts = {f"j{i}.jsx": f"{disable}\nexport const A = () => {place.format(spelling)};\n"
             f"{SINK}\n" for i, (place, spelling, disable) in enumerate(itertools.product(
                 JSX_PLACES, ("eslint-enable", " eslint-enable no-undef ",
                              "eslint-enable no-eval"), DISABLES))}
    root, config = import_deleted(tmp_path, texts, JSX_CONFIG)
    honoured = set(texts) - rule_files(plain_eslint(root, "-c", str(config)), "no-undef")
    assert honoured and len(honoured) < len(texts), honoured
    report = reviewed_in(root, "head")
    suppressed, _ = outcomes(report, "no-undef")
    assert suppressed == honoured, sorted(suppressed ^ honoured)


# what comes before the finding on its line: characters of one UTF-16 unit, of two (ESLint's
# column counts those), and a U+2028 (ESLint's line ends there, git's does not)
PREFIXES = ("", "abc", "\U0001F600" * 40, "\u00e9" * 40, "\U0001F600" * 40 + "\u2028x")
ON_ITS_LINE = (  # (the line above, the finding's): `{p}` the prefix, `{d}` the disable
    ("", "{p} {d} " + SINK), ("", "{p} " + SINK + " {d}"),
    ("{d}", "{p} " + SINK + " /* eslint-enable */"), ("{d}", "{p} /* eslint-enable */ " + SINK))


def test_a_comment_on_the_finding_s_line_is_placed_by_eslint_s_columns(
        tmp_path: Path, eslint_tools: Path) -> None:
    """ESLint's column counts UTF-16 units of its own line; the suppressor compared it with
    code points of git's: after forty emoji a disable written after the finding was read as
    before it, and hid what ESLint reports (the session's reviewer, D4)."""
    bodies = {}
    for index, (prefix, (above, line), disable) in enumerate(itertools.product(
            PREFIXES, ON_ITS_LINE, DISABLES)):
        text = f"{above}\n{line}\n".lstrip("\n").replace("{d}", disable)
        bodies[f"u{index}.js"] = text.replace("{p}", f'export const s = "{prefix}";')
    found = answers(tmp_path, bodies, CONFIG)
    assert found.uncommented == set(bodies)  # every file parses
    assert found.eslint and found.eslint != found.uncommented  # both answers met
    assert found.reported == found.eslint, sorted(found.reported ^ found.eslint)
    assert found.suppressed == set(bodies) - found.eslint
