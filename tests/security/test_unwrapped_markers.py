"""A change must not make a suppression by editing AROUND trusted text (reviewer round 7, M4,
M4b, H4). The base holds a marker's text as string content — `S = \"\"\"` / `V = compute()
# noqa` / `\"\"\"`, a template literal, a string continued with `\\`, a block comment — and the
change deletes the lines around it: the marker's own line is unchanged, so the review
trusted it, yet at the base it was no comment. Deleting a line inside a trusted spanning
`/* global */` made it declare more names. Python 3.11's tokenizer read a Python 3.12
f-string's text (`f"{"# noqa "}"`) as a comment ruff reads as a string.

The generator: marker kind × what wraps it at the base (nothing: a real comment, the
control; strings, f-strings, templates, block comments) × the edit around it (delete the
opener, the closer, both, or edit a neighbour line), each in its own file of one project;
every change also deletes the import the marker's and the last line's code uses. The review
must report every finding the plain tool reports on the head with its markers off, except
where the marker was a real comment at the base and still is: there exactly what the plain
tool (markers on) reports.
"""

from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.ruff import ruff_command
from tests.support.plain_eslint import plain_eslint, rule_hits
from tests.support.project_rules import found, reviewed

pytestmark = pytest.mark.timeout(600)

EDITS = ("opener", "closer", "both", "neighbour")
PY_MARKERS = {"noqa": "V = compute()  # noqa", "noqa-code": "V = compute()  # noqa: F821",
              "file-wide": "# ruff: noqa", "file-wide-code": "# ruff: noqa: F821"}
PY_WRAPS = {"none": ("P = 0", "Q = 0"), "string": ('S = """', '"""'),
            "bytes": ("S = b'''", "'''"), "f-string": ('S = f"""', '"""'),
            "3.12 f-string": ('S = f"{"""', '"""}"'),
            "3.12 inline": ("P = 0", "Q = 0")}  # the marker in `f"{"…"}"` on its own line
JS_MARKERS = {"global": "/* global compute */", "config": '/* eslint no-undef: "off" */',
              "disable": "/* eslint-disable no-undef */",
              "line": "compute(); // eslint-disable-line no-undef"}
JS_WRAPS = {"none": ("const p = 0;", "const q = 0;"), "string": ("const s = '\\", "';"),
            "template": ("const s = `", "`;"), "block": ("/*", "*/")}
ESLINT_CONFIG = 'export default [{ files: ["**/*.js"], rules: { "no-undef": "error" } }];\n'
SPAN = "/* global jQuery,\n   $ */\n// compute on load */\n"  # M4b: the middle line deleted
# and a trusted `eslint-enable` the change wraps in a template literal (`enable_wrapped.js`)


def _variant(code: str, opener: str, closer: str, edit: str,
             lines: tuple[str, str, str, str]) -> tuple[list[str], list[str]]:
    """The body (after the import) at the base and at the head for one edit; `lines`: the
    first line, the neighbour after the closer as the base and as the head have it, the
    last line (the sink: it uses the import)."""
    first, neighbour, edited, sink = lines
    base = [first, opener, code, closer, neighbour, sink]
    head = list(base)
    if edit == "neighbour":
        head[4] = edited
    drop = {"opener": {1}, "closer": {3}, "both": {1, 3}}.get(edit, set())
    return base, [line for at, line in enumerate(head) if at not in drop]


def _python_files() -> dict[str, tuple[str, str, bool]]:
    """path → (base text, head text, whether the review is to honour the marker: a real
    comment at the base)."""
    files = {}
    for n, (marker, wrap, edit) in enumerate(itertools.product(PY_MARKERS, PY_WRAPS, EDITS)):
        code = PY_MARKERS[marker]
        if wrap == "3.12 inline":
            code = f'X = compute() + f"{{"  {code}"}}"' if "compute" in code \
                else f'f"{{"{code}"}}"'
        base, head = _variant(code, *PY_WRAPS[wrap], edit,
                              ("A = 1", "B = 2", "B = 3", "W = compute()"))
        files[f"m{n}.py"] = ("from helpers import compute\n" + "\n".join(base) + "\n",
                             "OTHER = 1\n" + "\n".join(head) + "\n", wrap == "none")
    return files


def _plain_ruff(root: Path, paths: list[str], *args: str) -> set[tuple[str, int]]:
    done = subprocess.run([*ruff_command(), "check", "--isolated", "--no-cache", "--select",
                           "F821", "--exit-zero", "--output-format", "json", *args, *paths],
                          cwd=root, capture_output=True, text=True, check=True)
    return {(Path(d["filename"]).name, d["location"]["row"]) for d in json.loads(done.stdout)
            if d["code"] == "F821"}  # not a syntax error: a deleted quote may leave one


def _reported(report: dict, source: str, rule: str, path: str) -> set[tuple[str, int]]:
    """(path, line) of each `rule` finding the review shows (not suppressed)."""
    return {(path, line) for (hit, line), bucket in found(report, source, path).items()
            if hit == rule and bucket != "suppressed"}


def _mismatches(files: dict[str, tuple[str, str, bool]], honoured: set[tuple[str, int]],
                unhonoured: set[tuple[str, int]], reported: set[tuple[str, int]]
                ) -> list[tuple[str, str, set[tuple[str, int]], set[tuple[str, int]]]]:
    wrong = []
    for path, (_, head, real) in files.items():
        expected = {hit for hit in (honoured if real else unhonoured) if hit[0] == path}
        got = {hit for hit in reported if hit[0] == path}
        if got != expected:
            wrong.append((path, head, expected, got))
    return wrong


def test_ruff_markers_count_only_where_the_base_read_them_as_comments(tmp_path: Path) -> None:
    files = _python_files()
    root = tmp_path / "r"
    report = reviewed(root, {"helpers.py": "def compute():\n    return 1\n",
                             **{p: base for p, (base, _, _) in files.items()}},
                      {p: head for p, (_, head, _) in files.items()})
    honoured = _plain_ruff(root, list(files))
    unhonoured = _plain_ruff(root, list(files), "--ignore-noqa")
    # the tricks are real: plain ruff on the head takes unwrapped text for markers
    waived = {path for path, _ in unhonoured - honoured}
    assert any(not real and p in waived for p, (_, _, real) in files.items())
    assert any(real and p in waived for p, (_, _, real) in files.items())  # the controls
    reported = set().union(*(_reported(report, "ruff", "F821", p) for p in files))
    wrong = _mismatches(files, honoured, unhonoured, reported)
    assert not wrong, wrong


def _js_files() -> dict[str, tuple[str, str, bool]]:
    imported = 'import { compute } from "./c.js";\n'
    files = {}
    for n, (marker, wrap, edit) in enumerate(itertools.product(JS_MARKERS, JS_WRAPS, EDITS)):
        base, head = _variant(JS_MARKERS[marker], *JS_WRAPS[wrap], edit,
                              ("export const a = 1;", "export const b = 2;",
                               "export const b = 3;", "export const v = compute();"))
        # a block whose lines below the marker the change removed some of is refused
        # (`Trust.vouches`' stretch: an over-report by design)
        stretched = marker == "disable" and edit != "opener"
        files[f"m{n}.js"] = (imported + "\n".join(base) + "\n",
                             "export const other = 1;\n" + "\n".join(head) + "\n",
                             wrap == "none" and not stretched)
    sink = "export const v = compute();\n"
    files["span.js"] = (imported + SPAN + sink, SPAN.replace("   $ */\n", "") + sink, False)
    files["span_kept.js"] = (imported + SPAN + sink, "export const other = 1;\n" + SPAN + sink,
                             True)
    block = "/* eslint-disable no-undef */\nexport const a = 1;\n"
    enable = "/* eslint-enable no-undef */\n"
    wrapped = "const s = `\n" + enable + "`;\n"
    files["enable_wrapped.js"] = (imported + block + enable + sink,
                                  "export const other = 1;\n" + block + wrapped + sink, False)
    files["enable_kept.js"] = (imported + block + enable + sink,
                               "export const other = 1;\n" + block + enable + sink, True)
    files["block_kept.js"] = (imported + block + sink + enable,
                              "export const other = 1;\n" + block + sink + enable
                              + "export const c = 1;\n", True)
    return files


@pytest.mark.npm
def test_eslint_directives_count_only_where_the_base_read_them_as_comments(
        tmp_path: Path, eslint_tools: Path) -> None:
    files = _js_files()
    root = tmp_path / "r"
    report = reviewed(root, {"package.json": '{"name": "x", "type": "module"}\n',
                             "c.js": "export const compute = () => 1;\n",
                             **{p: base for p, (base, _, _) in files.items()}},
                      {p: head for p, (_, head, _) in files.items()})
    config = tmp_path / "eslint.config.mjs"
    config.write_text(ESLINT_CONFIG, encoding="utf-8")

    def undefined(*args: str) -> set[tuple[str, int]]:
        return {(path, line) for path, rule, line in
                rule_hits(plain_eslint(root, "-c", str(config), *args)) if rule == "no-undef"}

    honoured, unhonoured = undefined(), undefined("--no-inline-config")
    waived = {path for path, _ in unhonoured - honoured}
    assert {"span.js", "enable_wrapped.js"} <= waived  # the tricks are real to plain ESLint
    assert any(not real and p in waived for p, (_, _, real) in files.items())
    assert any(real and p in waived for p, (_, _, real) in files.items())  # the controls
    reported = set().union(*(_reported(report, "eslint", "no-undef", p) for p in files))
    wrong = _mismatches(files, honoured, unhonoured, reported)
    assert not wrong, wrong
