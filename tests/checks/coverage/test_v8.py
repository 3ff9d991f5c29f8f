"""reviewloop.checks.coverage.sourcemap and v8: V8 coverage read back to source lines — the
VLQ decoder, what is left out rather than mapped wrongly, and a real `npm test` of a plain
JavaScript package under NODE_V8_COVERAGE, sandboxed (TypeScript through tsx and source maps
is tests/runs/test_ts_service.py)."""

from __future__ import annotations

import json
import random
import re
import subprocess
from pathlib import Path

import pytest

from reviewloop.checks.coverage.check import new_code_coverage
from reviewloop.checks.coverage.measure import forget
from reviewloop.checks.coverage.sourcemap import Segment, decode_vlq, segments
from reviewloop.checks.coverage.v8 import read_v8_executed
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.git.diff import parse_diff
from tests.support.gitutil import git
from tests.support.repos import init_repo

MATH = """export function add(a, b) {
  return a + b;
}

export const neverCalled = (a) => {
  return a * 2;
};
"""
MATH_TEST = """import assert from "node:assert/strict";
import { test } from "node:test";
import { add } from "../lib/math.mjs";

test("add", () => assert.equal(add(2, 3), 5));
"""


@pytest.mark.parametrize(("text", "values"), [
    ("AAAA", [0, 0, 0, 0]), ("D", [-1]), ("gB", [16]), ("2H", [123]), ("SAAS", [9, 0, 0, 9]),
])
def test_decode_vlq(text, values):
    assert decode_vlq(text) == values


def test_segments_accumulate_across_lines_and_skip_unmapped_ones():
    # line 0: col 0 → source 0 line 1; col 4 → line 2.
    # line 1: a 1-field segment, then col 2 → line 3
    assert segments("AAAA,IACA;A,EACA") == [
        Segment(0, 0, 0, 1), Segment(0, 4, 0, 2), Segment(1, 2, 0, 3)]
    with pytest.raises(ValueError, match="not a base64 VLQ character"):
        decode_vlq("A!")


def v8_file(folder: Path, result: list, maps: dict | None = None) -> None:
    folder.mkdir(exist_ok=True)
    body = {"result": result, **({"source-map-cache": maps} if maps else {})}
    (folder / "coverage-1-2-0.json").write_text(json.dumps(body))


def function(name: str, *ranges: tuple[int, int, int]) -> dict:
    return {"functionName": name, "isBlockCoverage": True,
            "ranges": [{"startOffset": s, "endOffset": e, "count": c} for s, e, c in ranges]}


def test_transformed_code_without_a_map_is_left_out(tmp_path):
    """vitest and jest run transformed TypeScript in a vm context: the offsets are not the
    file's, so nothing is read for it rather than the wrong lines."""
    (tmp_path / "a.ts").write_text("export const f = (x: number) => x;\n")
    (tmp_path / "b.js").write_text("export const g = () => 1;\n")
    v8_file(tmp_path / "v8", [
        {"url": (tmp_path / "a.ts").as_uri(), "functions": [function("", (0, 99, 1)),
                                                            function("f", (17, 30, 1))]},
        # b.js is 26 long on disk; 99 ran: another text than the file
        {"url": (tmp_path / "b.js").as_uri(), "functions": [function("", (0, 99, 1)),
                                                            function("g", (17, 25, 1))]},
        {"url": "node:internal/x", "functions": [function("", (0, 5, 1))]},
    ])

    assert read_v8_executed(tmp_path, tmp_path / "v8") == {}


def test_a_mapped_file_counts_only_code_inside_functions_that_ran(tmp_path):
    """Generated: `function f(){return 1}` on line 0, `function g(){return 2}` on line 1, both
    mapped to original lines 1-2 and 3-4; f ran, g did not; the module code ran at import."""
    url = (tmp_path / "src/m.ts").as_uri()
    maps = {url: {"lineLengths": [22, 22], "data": {
        "version": 3, "sources": [url], "mappings": "AAAA,YACA;AAEA,YACA"}}}
    v8_file(tmp_path / "v8", [{"url": url, "functions": [
        function("", (0, 45, 1)), function("f", (0, 22, 1)), function("g", (23, 45, 0))]}], maps)

    assert read_v8_executed(tmp_path, tmp_path / "v8") == {"src/m.ts": {1, 2}}


def test_npm_test_of_a_plain_js_package_flags_the_export_no_test_calls(tmp_path):
    forget()
    root = init_repo(tmp_path / "pkg", {
        "package.json": json.dumps({"name": "pkg", "type": "module",
                                    "scripts": {"test": "node --test test/"}}),
        "test/math.test.mjs": MATH_TEST,
        "lib/math.mjs": "export function add(a, b) {\n  return a + b;\n}\n"}, message="start")
    (root / "lib/math.mjs").write_text(MATH)
    diff = git(root, "diff")

    check = new_code_coverage(root, parse_diff(diff), ProjectTests())

    assert check.commands == ("npm test --silent",)
    assert [(s.qualname, s.start, s.end) for s in check.functions] == [("neverCalled", 5, 7)]
    assert [s.qualname for s in check.untested] == ["neverCalled"]
    assert not check.tests_failed


@pytest.mark.parametrize("ends", ["\r\n", "\n/* a\rb */\n", "\n/* a\u2028b */\n"],
                         ids=["crlf", "lone-cr", "u2028"])
def test_v8_data_of_a_file_with_odd_line_ends_is_read_on_git_lines(tmp_path, ends):
    """V8's offsets are into the file as it is: read as universal-newline text (its CRs
    gone), a CRLF or lone-CR file's length no longer matched the run's and its data was
    left out, and a function the tests call was called untested. Each break stands before
    every function (a real `npm test`; each run costs a Node process, so three examples,
    not a generator)."""
    forget()
    head = "// head" + ends + MATH.replace("\n", "\r\n" if ends == "\r\n" else "\n")
    base = "// head" + ends + "export function add(a, b) {\n  return a + b;\n}\n"
    if ends == "\r\n":
        base = base.replace("\r\n", "\n").replace("\n", "\r\n")
    root = init_repo(tmp_path / "pkg", {
        "package.json": json.dumps({"name": "pkg", "type": "module",
                                    "scripts": {"test": "node --test test/"}}),
        "test/math.test.mjs": MATH_TEST, "lib/math.mjs": base.encode()}, message="start")
    (root / "lib/math.mjs").write_bytes(head.encode())
    (root / "test/more.test.mjs").write_text(MATH_TEST.replace("add", "neverCalled"))

    check = new_code_coverage(root, parse_diff(git(root, "diff")), ProjectTests())

    start = head[:head.index("export const")].count("\n") + 1
    assert [(s.qualname, s.start, s.end) for s in check.functions] == \
        [("neverCalled", start, start + 2)]
    assert check.untested == ()  # the new test calls it, as V8 saw
    assert not check.notes, check.notes


def test_a_vitest_package_without_its_coverage_provider_is_noted_unchecked_unrun(tmp_path):
    root = tmp_path / "pkg"
    (root / "src").mkdir(parents=True)
    (root / "package.json").write_text(json.dumps(
        {"name": "pkg", "scripts": {"test": "vitest run --reporter=dot"}}))
    (root / "src/a.ts").write_text("export const one = () => 1;\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    diff = git(root, "diff", "--cached")

    check = new_code_coverage(root, parse_diff(diff), ProjectTests())

    assert not check.checked and check.untested == ()
    assert check.notes == ("javascript: 1 function(s) not checked (src/a.ts: one): the tests run "
                           "under vitest "
                           "without @vitest/coverage-v8: install @vitest/coverage-v8 to have "
                           "new exports checked",)


# One-line exported functions (rev11 D2): the line begins in top-level code (`export`,
# `const`), so only the function's own V8 range says whether it ran.
ONE_LINE_SHAPES = (
    "export function NAME(x) { return x + 1; }",
    "export const NAME = (x) => x * 2;",
    "export const NAME = function (x) { return x; };",
    "export async function NAME(x) { return x; }",
    "export function* NAME(x) { yield x; }",
    "export class K_NAME { static NAME(x) { return x; } }",
    "export class C_NAME { NAME(x) { return x; } }",
    "export function NAME(x) {\n  return x - 1;\n}",
)
CALLS = {"static": "K_NAME.NAME(1)", "class C_": "new C_NAME().NAME(1)",
         "function*": "[...NAME(1)]"}


def _one_line_project(seed: int) -> tuple[dict[str, str], str]:
    """lib/m.mjs with every shape once, a fixed-seed half of them called by the test."""
    chosen = random.Random(seed)
    lines, calls, imports = [], [], []
    for number, shape in enumerate(ONE_LINE_SHAPES):
        name = f"f{number}"
        lines.append(shape.replace("NAME", name))
        exported = f"K_{name}" if "K_NAME" in shape else f"C_{name}" if "C_NAME" in shape \
            else name
        imports.append(exported)
        if chosen.random() < 0.5:
            call = next((c for k, c in CALLS.items() if k in shape), "await NAME(1)")
            calls.append(call.replace("NAME", name))
    test = ("import { test } from \"node:test\";\n"
            f"import {{ {', '.join(imports)} }} from \"../lib/m.mjs\";\n"
            f"test(\"t\", async () => {{ {'; '.join(calls)}; }});\n")
    return {"lib/m.mjs": "\n".join(lines) + "\n", "test/m.test.mjs": test}, "\n".join(calls)


def _node_uncalled(root: Path) -> set[tuple[int, str]]:
    """(line, name) of each lib function plain `node --test --experimental-test-coverage`
    reports with no call (lcov's FNDA:0), the oracle."""
    report = root.parent / "lcov.info"
    subprocess.run(["node", "--test", "--experimental-test-coverage", "--test-reporter=lcov",
                    f"--test-reporter-destination={report}", "test/"],
                   cwd=root, check=True, capture_output=True)
    lines, uncalled, current = {}, set(), ""
    for row in report.read_text().splitlines():
        kind, _, rest = row.partition(":")
        if kind == "SF":
            current = rest
        elif current == "lib/m.mjs" and kind == "FN":
            line, name = rest.split(",", 1)
            lines[name] = int(line)
        elif current == "lib/m.mjs" and kind == "FNDA" and rest.startswith("0,"):
            name = rest.split(",", 1)[1]
            uncalled.add((lines[name], name))
    return uncalled


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_one_line_exports_are_judged_as_plain_node_coverage_counts_their_calls(tmp_path, seed):
    forget()
    files, calls = _one_line_project(seed)
    root = init_repo(tmp_path / "pkg", {
        "package.json": json.dumps({"name": "pkg", "type": "module",
                                    "scripts": {"test": "node --test test/"}}),
        "lib/other.mjs": "export const x = 1;\n"}, message="start")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "add", ".")
    diff = git(root, "diff", "--cached")

    check = new_code_coverage(root, parse_diff(diff), ProjectTests())

    assert len(check.functions) == len(ONE_LINE_SHAPES), calls
    assert {(s.start, s.name) for s in check.untested} == _node_uncalled(root), calls


# Several functions on one line (rev11c D5): V8 gives each its own range, so one that ran
# does not make the others on its line executed.
SHARED_SHAPES = (
    "export function NAME(x) { return x + 1; }",
    "export const NAME = (x) => x * 2;",
    "export async function NAME(x) { return x; }",
    "export const NAME = (x) => x + 1, NAME_b = (x) => x - 1;",
    "export const NAME = function (x) { return x; };",
)


def _shared_line_project(seed: int) -> tuple[dict[str, str], str, int]:
    """lib/m.mjs with the shapes shuffled into lines of two or three, a fixed-seed half of
    its functions called by the test."""
    chosen = random.Random(seed)
    shapes = [shape.replace("NAME", f"f{n}") for n, shape in enumerate(SHARED_SHAPES * 2)]
    chosen.shuffle(shapes)
    lines, at = [], 0
    while at < len(shapes):
        size = chosen.choice((2, 3))
        lines.append(" ".join(shapes[at:at + size]))
        at += size
    names = [n for shape in shapes for n in re.findall(r"(f\d+(?:_b)?) = |function (f\d+)", shape)
             for n in n if n]
    calls = [f"await {name}(1)" for name in names if chosen.random() < 0.5] or ["await f0(1)"]
    test = ("import { test } from \"node:test\";\n"
            f"import {{ {', '.join(names)} }} from \"../lib/m.mjs\";\n"
            f"test(\"t\", async () => {{ {'; '.join(calls)}; }});\n")
    return {"lib/m.mjs": "\n".join(lines) + "\n", "test/m.test.mjs": test}, \
        "\n".join(calls), len(names)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_functions_sharing_a_line_are_judged_each_as_plain_node_counts_its_calls(tmp_path,
                                                                                 seed):
    forget()
    files, calls, count = _shared_line_project(seed)
    root = init_repo(tmp_path / "pkg", {
        "package.json": json.dumps({"name": "pkg", "type": "module",
                                    "scripts": {"test": "node --test test/"}}),
        "lib/other.mjs": "export const x = 1;\n"}, message="start")
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "add", ".")

    check = new_code_coverage(root, parse_diff(git(root, "diff", "--cached")), ProjectTests())

    assert len(check.functions) == count, files
    assert {(s.start, s.name) for s in check.untested} == _node_uncalled(root), (files, calls)


# Exports in common shapes besides plain functions (rev11 js D3), each multi-line.
SHAPES = (
    "export const NAME = memo((x) => {\n  return x;\n});",
    "export const NAME = (function (x) {\n  return x;\n});",
    "export class K_NAME {\n  NAME = (x) => {\n    return x;\n  };\n}",
)
OBJECT = "export default {\n  NAME(x) {\n    return x;\n  },\n};"


@pytest.mark.parametrize("called", [(), (0, 2, 3), (1, 3), (0, 1, 2, 3)])
def test_wrapped_field_and_object_exports_are_judged_as_plain_node_counts(tmp_path, called):
    lines, calls, imports = ["const memo = (f) => f;"], [], []
    for number, shape in enumerate(SHAPES):
        name = f"f{number}"
        lines.append(shape.replace("NAME", name))
        imports.append(f"K_{name}" if "K_NAME" in shape else name)
        if number in called:
            calls.append(f"new K_{name}().{name}(1)" if "K_NAME" in shape else f"{name}(1)")
    lines.append(OBJECT.replace("NAME", "f3"))
    if 3 in called:
        calls.append("d.f3(1)")
    root = init_repo(tmp_path / "pkg", {
        "package.json": json.dumps({"name": "pkg", "type": "module",
                                    "scripts": {"test": "node --test test/"}}),
        "lib/other.mjs": "export const x = 1;\n"}, message="start")
    (root / "lib/m.mjs").write_text("\n".join(lines) + "\n")
    (root / "test").mkdir()
    (root / "test/m.test.mjs").write_text(
        f"import {{ test }} from \"node:test\";\nimport d, {{ {', '.join(imports)} }} from "
        f"\"../lib/m.mjs\";\ntest(\"t\", () => {{ {'; '.join(calls)}; }});\n")
    git(root, "add", ".")

    check = new_code_coverage(root, parse_diff(git(root, "diff", "--cached")), ProjectTests())

    assert len(check.functions) == len(SHAPES) + 1
    missed = _node_missed_lines(root)  # a field arrow never created has no function entry
    assert {s.qualname for s in check.untested} == \
        {s.qualname for s in check.functions if s.body_start in missed}


def _node_missed_lines(root: Path) -> set[int]:
    """The lines of lib/m.mjs plain `node --test --experimental-test-coverage` reports not
    executed (lcov's DA:<line>,0)."""
    _node_uncalled(root)
    rows = (root.parent / "lcov.info").read_text().split("end_of_record")
    lib = next(r for r in rows if "SF:lib/m.mjs" in r)
    return {int(r[3:].split(",")[0]) for r in lib.split() if r.startswith("DA:")
            and r.endswith(",0")}
