"""ESLint's `eslint-disable-line` and ruff's `# noqa` cover a finding by the line it STARTS
on: ESLint compares a problem's `line`, ruff a diagnostic's noqa line (its start's, or the end
of the multi-line string or backslash-continued statement holding it). The review took any of
the finding's lines: a trusted `} // eslint-disable-line no-empty` under a block the change
emptied, or an `x = 2  # noqa: SIM108` in the `else` of an `if` the change made a ternary
candidate, waived what plain ESLint and plain ruff report (`suppressions.tool_lines`).

The generator: where the directive sits in a finding spanning lines (its first line, a middle
one, its last, the line above; in ESLint also beside a separator that splits a git line) ×
the file's line ends (LF, CRLF) × review mode; the change deletes the statement that kept each
finding away. Plain ESLint's and plain ruff's answers must be the review's.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.plain_eslint import plain_eslint, rule_files
from tests.support.plain_ruff import files_reporting
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import MODES, outcomes, reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(900)]

CONFIG = 'export default [{ files: ["**/*.js"], rules: { "no-empty": "error" } }];\n'
KEPT = "  globalThis.f();\n"  # the statement the change deletes: the block is empty after
LINE, BLOCK = "// eslint-disable-line no-empty", "/* eslint-disable-line no-empty */"
JS_SHAPES = {  # `{k}`: what the change deletes (a comment in the block would keep it)
    "on its first line": f"if (globalThis.x) {BLOCK} {{\n{{k}}}}\n",
    "above its first line": f"if (globalThis.x) {LINE}\n{{\n{{k}}}}\n",
    "on its last line": f"if (globalThis.x) {{\n{{k}}}} {LINE}\n",
    "on its last line, a block": f"if (globalThis.x) {{\n{{k}}}} {BLOCK}\n",
    "after a separator on its last line": f"if (globalThis.x) {{\n{{k}}}}\u2028{LINE}\n",
    "before a separator it starts after": (
        f"globalThis.y; {BLOCK}\u2028if (globalThis.x) {{\n{{k}}}}\n"),
    "on its first line, after a separator": (
        f"globalThis.y;\u2029if (globalThis.x) {BLOCK} {{\n{{k}}}}\n"),
}
PY_SHAPES = {  # `{n}`: the noqa; `{k}`: what the change deletes
    "first line": "def g(c):\n    if c:{n}\n        x = 1\n{k}    else:\n        x = 2\n",
    "middle line": "def g(c):\n    if c:\n        x = 1{n}\n{k}    else:\n        x = 2\n",
    "last line": "def g(c):\n    if c:\n        x = 1\n{k}    else:\n        x = 2{n}\n",
}
NOQA = "  # noqa: SIM108"
ENDS = {"lf": "\n", "crlf": "\r\n"}


def _files() -> dict[str, tuple[str, str]]:
    """path → (the base's text, the change's: what kept the finding away deleted)."""
    files = {}
    for (shape, body), (end, nl) in itertools.product(JS_SHAPES.items(), ENDS.items()):
        files[f"js/{_name(shape)}-{end}.js"] = _pair(body, nl, KEPT)
    for (shape, body), (end, nl) in itertools.product(PY_SHAPES.items(), ENDS.items()):
        files[f"py/{_name(shape)}_{end}.py"] = _pair(
            body.replace("{n}", NOQA) + "    return x\n", nl, "        print()\n")
    return files


def _name(shape: str) -> str:
    return shape.replace(" ", "_").replace(",", "")


def _pair(body: str, nl: str, kept: str) -> tuple[str, str]:
    """`body` with `kept` in its place and without, ended by `nl`."""
    return (body.replace("{k}", kept).replace("\n", nl),
            body.replace("{k}", "").replace("\n", nl))


@pytest.mark.parametrize("mode", MODES)
def test_a_line_directive_covers_a_finding_by_its_first_line(
        tmp_path: Path, eslint_tools: Path, mode: str) -> None:
    files = _files()
    config = tmp_path / "eslint.config.mjs"
    config.write_text(CONFIG, encoding="utf-8")
    root = init_repo(tmp_path / "r", {"package.json": '{"name": "x", "type": "module"}\n',
                                      **{p: base for p, (base, _) in files.items()}})
    git(root, "checkout", "-qb", "feature")
    write_files(root, {p: head for p, (_, head) in files.items()})
    scripts = {p for p in files if p.endswith(".js")}
    modules = set(files) - scripts

    def empty(*args: str) -> set[str]:
        return rule_files(plain_eslint(root, "-c", str(config), *args), "no-empty")

    assert empty("--no-inline-config") == scripts  # every block is empty and reported
    eslint, ruff = empty(), files_reporting(root, "SIM108", "py")
    assert eslint and eslint != scripts and ruff and ruff != modules  # both answers met
    report = reviewed_in(root, mode)
    for rule, plain, every in (("no-empty", eslint, scripts), ("SIM108", ruff, modules)):
        suppressed, reported = outcomes(report, rule)
        assert reported == plain, (rule, sorted(reported ^ plain))
        assert not suppressed & plain, (rule, sorted(suppressed & plain))
        assert suppressed <= every - plain
