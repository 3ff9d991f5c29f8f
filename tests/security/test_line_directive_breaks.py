"""ESLint's `eslint-disable-line` / `-next-line` and ruff's `# noqa` reach lines as their
tool counts them: ESLint ends a line at LF, CRLF, a lone CR, U+2028 and U+2029, ruff at LF,
CRLF and a lone CR; git at LF alone. The review placed them in git's lines: a trusted
`return helper();\\u2028// eslint-disable-line no-undef` (the comment on ESLint's next line),
or a `-next-line` above `ok;\\u2028return helper();`, waived the no-undef plain ESLint
reports (the session's reviewer, D8); the tree's lines split at a lone CR and the base's did
not, so a `# noqa` below a `# a\\rb` line was not met at its base line (D3, over-reported);
a `/* eslint-disable-next-line */` spanning lines was not read at all (over-reported).

The generator: separator (U+2028, U+2029, a lone CR, LF as the control) × directive and its
place (`-line` after or before the finding on its git line, `-next-line` on the git line
above, before the finding on its git line, a `/* */` one spanning lines through the
separator or LF) × the file's line ends (LF, CRLF) × review mode (head, staged, working);
the change deletes the import each file's unchanged lines use. Plain ESLint's and plain
ruff's answers must be the review's. A ruff finding gives no column: on a git line split by
a lone CR it may start on either piece, and a `# noqa` there is honoured only when it
covers both (`AMBIGUOUS`: reported where ruff waives, never the reverse).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.environment import suite_environment
from tests.support.eslint_batches import copied
from tests.support.gitutil import git
from tests.support.js_tools import installed
from tests.support.plain_eslint import plain_eslint, rule_files
from tests.support.plain_ruff import files_reporting
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import MODES, outcomes, reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(900)]

CONFIG = 'export default [{ files: ["**/*.js"], rules: { "no-undef": "error" } }];\n'
SINK = "export const v = compute();"
JS_SHAPES = {  # `{s}`: the separator
    "line after the finding": f"{SINK}{{s}}// eslint-disable-line no-undef\n",
    "line block after the finding": f"{SINK}{{s}}/* eslint-disable-line no-undef */\n",
    "line before the finding": f"/* eslint-disable-line no-undef */{{s}}{SINK}\n",
    "next-line above, finding after a break": (
        f"// eslint-disable-next-line no-undef\nexport const q = 1;{{s}}{SINK}\n"),
    "next-line after a break above": (
        f"export const q = 1;{{s}}// eslint-disable-next-line no-undef\n{SINK}\n"),
    "next-line before the finding": f"// eslint-disable-next-line no-undef{{s}}{SINK}\n",
    "next-line block before the finding": (
        f"/* eslint-disable-next-line no-undef */{{s}}{SINK}\n"),
    "next-line spanning through the break": (
        f"/* eslint-disable-next-line no-undef{{s}}*/\n{SINK}\n"),
    "next-line spanning, finding after its end": (
        f"/* eslint-disable-next-line no-undef\n*/{{s}}{SINK}\n"),
    "next-line spanning, finding on its end line": (
        f"/* eslint-disable-next-line{{s}}no-undef\n*/ {SINK}\n"),
    "line spanning": f"{SINK} /* eslint-disable-line no-undef{{s}}*/\n",
}
JS_SEPARATORS = ("\u2028", "\u2029", "\r", "\n")
PY_SHAPES = {  # `{s}`: the separator
    "noqa after a break": "X = helper(){s}# noqa: F821\n",
    "a break in a comment above": "# a{s}# b\nX = helper()  # noqa: F821\n",
    "a break in a comment before": "# a{s}X = helper()  # noqa: F821\n",
    "a string spanning the break": 'X = f"""a{s}{helper}{s}b"""  # noqa: F821\n',
    "a string ending before the break": 'X = f"""a\n{helper}\n"""{s}# noqa: F821\n',
    "a backslash before the break": "X = helper \\\n    + 1{s}# noqa: F821\n",
}
AMBIGUOUS = ("a break in a comment before",)  # with a lone CR: the docstring
PY_SEPARATORS = ("\r", "\n")
ENDS = {"lf": "\n", "crlf": "\r\n"}


def _files() -> dict[str, tuple[str, str]]:
    """path → (the base's text, the change's: its import gone), every variant."""
    files = {}
    for (shape, body), sep, (end, nl) in itertools.product(
            JS_SHAPES.items(), JS_SEPARATORS, ENDS.items()):
        files[f"js/{_name(shape)}-{ord(sep):x}-{end}.js"] = _pair(
            body.replace("{s}", sep), nl, 'import { compute } from "../c.js";\n',
            "const other = 1;\nexport { other };\n")
    for (shape, body), sep, (end, nl) in itertools.product(
            PY_SHAPES.items(), PY_SEPARATORS, ENDS.items()):
        files[f"py/{_name(shape)}_{ord(sep):x}_{end}.py"] = _pair(
            body.replace("{s}", sep), nl, "from lib import helper\n", "OTHER = 1\n")
    return files


def _pair(body: str, nl: str, base: str, head: str) -> tuple[str, str]:
    """`body` under the base's import and under the change's replacement, ended by `nl`."""
    return (base + body).replace("\n", nl), (head + body).replace("\n", nl)


def _name(shape: str) -> str:
    return shape.replace(" ", "_").replace(",", "")


@dataclass(frozen=True)
class Batch:
    """Every variant in one repository (the change in its working tree), and the plain tools'
    answers on it: the files ESLint reports no-undef in, and those ruff reports F821 in."""

    root: Path
    files: dict[str, tuple[str, str]]
    eslint: set[str]
    ruff: set[str]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """Built and answered once; each mode reviews a copy of its own (`copied`)."""
    files = _files()
    with pytest.MonkeyPatch.context() as patch:
        suite_environment(patch, tmp_path_factory.getbasetemp())
        installed(patch, "eslint")
        place = tmp_path_factory.mktemp("breaks")
        config = place / "eslint.config.mjs"
        config.write_text(CONFIG, encoding="utf-8")
        root = init_repo(place / "r", {
            "package.json": '{"name": "x", "type": "module"}\n', "py/lib.py": "helper = 1\n",
            **{p: base for p, (base, _) in files.items()}})
        git(root, "checkout", "-qb", "feature")
        write_files(root, {p: head for p, (_, head) in files.items()})
        scripts = {p for p in files if p.endswith(".js")}

        def undefined(*args: str) -> set[str]:
            return rule_files(plain_eslint(root, "-c", str(config), *args), "no-undef")

        assert undefined("--no-inline-config") == scripts  # every file parses
        eslint = undefined()
        assert eslint and eslint != scripts  # both answers met
        ruff = files_reporting(root, "F821", "py")
        assert ruff and ruff != set(files) - scripts
        return Batch(root, files, eslint, ruff)


@pytest.mark.parametrize("mode", MODES)
def test_line_directives_reach_the_tools_own_lines(
        tmp_path: Path, eslint_tools: Path, batch: Batch, mode: str) -> None:
    files, eslint, ruff = batch.files, batch.eslint, batch.ruff
    scripts = {p for p in files if p.endswith(".js")}
    modules = set(files) - scripts
    report = reviewed_in(copied(batch.root, tmp_path / "r"), mode)

    suppressed, reported = outcomes(report, "no-undef")
    assert reported == eslint, sorted(reported ^ eslint)
    assert suppressed == scripts - eslint, sorted(suppressed ^ (scripts - eslint))

    suppressed, reported = outcomes(report, "F821")
    wider = {p for p in modules if p.endswith(("_d_lf.py", "_d_crlf.py"))
             if any(_name(shape) in p for shape in AMBIGUOUS)}
    assert ruff <= reported <= ruff | wider, sorted(reported ^ ruff)
    assert suppressed == modules - reported, sorted(suppressed ^ (modules - reported))
