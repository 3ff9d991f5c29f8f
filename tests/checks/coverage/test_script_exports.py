"""JavaScript exports made by assignment (CommonJS `exports.f`, `module.exports = …`, TS
`export =`, `export let f; f = …`, `K.prototype.f = …`) and a named export's object methods:
a generator composes files from a library of forms whose truth each states, a real
`node --test` run checks that the forms read are measured, and a TS namespace's functions
are named "not checked"."""

from __future__ import annotations

import json
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.coverage.check import new_code_coverage
from reviewloop.checks.coverage.measure import forget
from reviewloop.checks.coverage.scripts import NAMESPACE, exported_functions
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.git.diff import parse_diff
from tests.support.gitutil import git
from tests.support.repos import init_repo

# A form: a name → (its source, the exported functions it defines in source order).
Form = Callable[[str], tuple[str, list[str]]]

FORMS: dict[str, Form] = {
    "exports.f = function": lambda n: (f"exports.{n} = function (v) {{\n  return v;\n}};\n",
                                       [n]),
    "module.exports.f = arrow": lambda n: (f"module.exports.{n} = (v) => v * 2;\n", [n]),
    "module.exports = object": lambda n: (
        f"module.exports = {{\n  {n}(v) {{\n    return v;\n  }},\n  {n}b: (v) => v,\n"
        f"  {n}c: 3,\n  _{n}d() {{\n    return 1;\n  }},\n}};\n", [n, f"{n}b"]),
    "module.exports = function": lambda n: (
        "module.exports = function (v) {\n  return v;\n};\n", ["default"]),
    "exports.f = a local function": lambda n: (
        f"function {n}Impl(v) {{\n  return v;\n}}\nexports.{n} = {n}Impl;\n", [n]),
    "exports.f = a value": lambda n: (f"exports.{n} = 42;\n", []),
    "export let f; f = …": lambda n: (f"export let {n};\n{n} = (v) => v * 2;\n", [n]),
    "let f; f = …; export {f}": lambda n: (
        f"let {n};\n{n} = function (v) {{\n  return v;\n}};\nexport {{ {n} }};\n", [n]),
    "let f; f = … unexported": lambda n: (f"let {n};\n{n} = () => 1;\n", []),
    "export const o = {methods}": lambda n: (
        f"export const {n} = {{\n  run(v) {{\n    return v;\n  }},\n  _hidden() {{\n"
        "    return 1;\n  },\n  size: 3,\n  go: async (v) => v,\n};\n", [f"{n}.run", f"{n}.go"]),
    "exported K.prototype.f": lambda n: (
        f"export class {n.upper()} {{}}\n{n.upper()}.prototype.go = function (v) {{\n"
        "  return v;\n};\n", [f"{n.upper()}.go"]),
    "local K.prototype.f": lambda n: (
        f"class {n.upper()} {{}}\n{n.upper()}.prototype.go = function () {{\n  return 1;\n}};\n",
        []),
}


@st.composite
def files(draw: st.DrawFn) -> tuple[str, list[str]]:
    chosen = draw(st.lists(st.sampled_from(sorted(FORMS)), min_size=1, max_size=6))
    parts, expected = [], []
    for number, form in enumerate(chosen):
        source, names = FORMS[form](f"f{number}")
        parts.append(source)
        expected += names
    return "\n".join(parts), expected


@settings(max_examples=300, deadline=None)
@given(files(), st.sampled_from(["lib.js", "lib.cjs", "lib.mjs", "lib.ts"]))
def test_each_assigned_export_is_read_and_nothing_else(file, path):
    source, expected = file

    found = exported_functions(path, source)

    assert [f.qualname for f in found] == expected, source
    assert all(f.not_checked is None for f in found)


def test_ts_export_equals_is_read_and_a_namespace_is_named_not_checked():
    source = ("function main(v: number) {\n  return v;\n}\nexport = main;\n"
              "export namespace N {\n  export function inner(v: number) {\n    return v;\n"
              "  }\n  function hidden() {\n    return 1;\n  }\n}\n")

    found = exported_functions("lib.ts", source)

    assert [(f.qualname, f.not_checked) for f in found] == [("default", None),
                                                           ("N.inner", NAMESPACE)]


ESM = """export let later;
later = (v) => {
  return v + 1;
};

export const api = {
  run(v) {
    return v;
  },
  stop(v) {
    return -v;
  },
};

export class K {}
K.prototype.go = function (v) {
  return v * 2;
};
K.prototype.halt = function (v) {
  return v * 3;
};
"""
CJS = """exports.called = function (v) {
  return v;
};
exports.uncalled = function (v) {
  return v + 7;
};
"""
TEST = """import assert from "node:assert/strict";
import { test } from "node:test";
import { later, api, K } from "../lib/esm.mjs";
import cjs from "../lib/cjs.cjs";

test("some", () => {
  assert.equal(later(1), 2);
  assert.equal(api.run(1), 1);
  assert.equal(new K().go(1), 2);
  assert.equal(cjs.called(1), 1);
});
"""


def test_node_measures_the_assigned_exports_it_reads(tmp_path):
    forget()
    root = init_repo(tmp_path / "pkg", {
        "package.json": json.dumps({"name": "pkg", "type": "module",
                                    "scripts": {"test": "node --test test/"}}),
        "lib/base.mjs": "export const one = () => 1;\n"}, message="start")
    for name, text in {"lib/esm.mjs": ESM, "lib/cjs.cjs": CJS, "test/all.test.mjs": TEST}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git(root, "add", ".")

    check = new_code_coverage(root, parse_diff(git(root, "diff", "--cached")), ProjectTests())

    assert check.commands == ("npm test --silent",) and not check.tests_failed, check
    assert sorted(f.qualname for f in check.functions) == [
        "K.go", "K.halt", "api.run", "api.stop", "called", "later", "uncalled"]
    assert sorted(f.qualname for f in check.untested) == ["K.halt", "api.stop", "uncalled"]
