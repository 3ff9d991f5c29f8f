"""What each linted file is to reviewloop's ESLint config: its environment by Node's rules
(suffix, the nearest package.json's "type", module syntax in an ambiguous file), and whether
type information is asked for (a tsconfig.json at or above it)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.analyzers import eslint_env
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.eslint_env import COMMONJS, MODULE, UNKNOWN, FileFacts
from reviewloop.git.diff import parse_diff


def _ctx(root: Path, files: dict[str, str]) -> AnalyzerContext:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return AnalyzerContext(root=root, changes=parse_diff(""), diff_text="", agent="a",
                           files=tuple(files))


def test_the_suffix_decides_first_then_the_package_type_then_nothing() -> None:
    assert eslint_env.environment(".cjs", MODULE) == COMMONJS
    assert eslint_env.environment(".mts", COMMONJS) == MODULE
    assert eslint_env.environment(".js", MODULE) == MODULE
    assert eslint_env.environment(".js", COMMONJS) == COMMONJS
    assert eslint_env.environment("", MODULE) == MODULE  # a script named by its shebang
    assert eslint_env.environment(".js", None) == UNKNOWN
    assert eslint_env.environment(".ts", COMMONJS) == UNKNOWN  # tsc decides, not Node
    assert eslint_env.environment(".jsx", MODULE) == UNKNOWN


def test_an_ambiguous_file_is_a_module_only_with_module_syntax() -> None:
    for text in ("import fs from 'fs';\n", "export const a = 1;\n", "  import {a} from 'b'\n",
                 "import * as x from 'y'\n", "import 'side-effect';\n",
                 "const u = import.meta.url;\n", "export default 1\n", "export {a}\n"):
        assert eslint_env.source_type(UNKNOWN, "js", text) == MODULE, text
    for text in ("const fs = require('fs');\n", "const m = import('x');\n",
                 "// import x from 'y' in a comment\n", "exports.a = 1;\n", "important();\n",
                 "exported = 1;\n"):
        assert eslint_env.source_type(UNKNOWN, "js", text) == COMMONJS, text
    assert eslint_env.source_type(UNKNOWN, "ts", "const a = require('x');\n") == MODULE
    assert eslint_env.source_type(COMMONJS, "js", "import x from 'y';\n") == COMMONJS


@given(st.lists(st.sampled_from(["const a = 1;", "f(x);", "/* c */", "let b = require('b');",
                                 "window.x = 2;", "if (a) { b(); }", "`import x`;"]),
                max_size=8),
       st.sampled_from(["import x from 'y';", "export const z = 1;", "export default f;",
                        "import {a, b} from 'c';", "const m = import.meta.url;"]),
       st.integers(min_value=0, max_value=8))
def test_one_module_statement_anywhere_at_a_line_start_makes_a_module(
        lines: list[str], statement: str, at: int) -> None:
    """Metamorphic: script lines stay CommonJS; one module statement on its own line, wherever
    it is put, makes the file a module (Node's syntax detection)."""
    assert eslint_env.source_type(UNKNOWN, "js", "\n".join(lines)) == COMMONJS
    lines.insert(min(at, len(lines)), statement)
    assert eslint_env.source_type(UNKNOWN, "js", "\n".join(lines)) == MODULE


def test_each_file_s_facts_come_from_its_own_folders(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, {
        "package.json": '{"name": "app"}\n',
        "server/package.json": '{"type": "module"}\n',
        "legacy/package.json": '{"type": "commonjs"}\n',
        "broken/package.json": "{not json\n",
        "web/tsconfig.json": "{}\n",
        "server/main.js": "const p = __dirname;\n",
        "legacy/old.js": "import x from 'y';\n",  # "type" wins: Node would fail to load it
        "tool.js": "const fs = require('fs');\n",
        "bundle.js": "import x from 'y';\n",
        "broken/a.js": "export default 1;\n",
        "web/app.ts": "export const a = 1;\n",
        "web/deep/b.tsx": "export const b = 1;\n",
        "lib/c.ts": "export const c = 1;\n",
        "config.cjs": "module.exports = {};\n",
    })
    found = eslint_env.facts(ctx, list(ctx.files)[5:])
    short = {str(Path(p).relative_to(tmp_path)): f for p, f in found.items()}

    assert short == {
        "server/main.js": FileFacts("js", MODULE, MODULE, False),
        "legacy/old.js": FileFacts("js", COMMONJS, COMMONJS, False),
        "tool.js": FileFacts("js", UNKNOWN, COMMONJS, False, detect=True),  # the config parses
        "bundle.js": FileFacts("js", UNKNOWN, MODULE, False),
        "broken/a.js": FileFacts("js", UNKNOWN, MODULE, False),
        "web/app.ts": FileFacts("ts", UNKNOWN, MODULE, True),
        "web/deep/b.tsx": FileFacts("ts", UNKNOWN, MODULE, True),
        "lib/c.ts": FileFacts("ts", UNKNOWN, MODULE, False),  # no tsconfig above it
        "config.cjs": FileFacts("js", COMMONJS, COMMONJS, False)}
    handed = json.loads(eslint_env.to_json(eslint_env.untyped(found, {
        str(tmp_path / "web/app.ts")}), tmp_path))
    assert handed["root"] == str(tmp_path)
    assert handed["files"][str(tmp_path / "web/app.ts")] == {
        "lang": "ts", "env": UNKNOWN, "source_type": MODULE, "typed": False, "tests": False,
        "declared": [], "ts_comment": False, "detect": False}
    assert handed["files"][str(tmp_path / "web/deep/b.tsx")]["typed"] is True
    assert handed["typescript"] is True  # TypeScript files: typescript-eslint is loaded


def test_a_file_s_global_comments_declare_names_and_test_files_have_the_frameworks(
        tmp_path: Path) -> None:
    """reviewloop's run ignores inline configuration, so the names a file declares in its
    `/* global */` comments (ESLint's syntax) are read here: they switch no rule off."""
    ctx = _ctx(tmp_path, {
        "src/page.js": "/*global $ jQuery:writable*/\n/* globals ga: off, dataLayer:true */\n"
                       "// global notAComment\n/* eslint-disable */ /* global-ish x */\n",
        "src/page.test.js": "describe('x', () => {});\n",
        "__tests__/a.js": "it('y', () => {});\n"})

    found = {str(Path(p).relative_to(tmp_path)): f for p, f in
             eslint_env.facts(ctx, list(ctx.files)).items()}

    assert found["src/page.js"].declared == (("$", "readonly"), ("jQuery", "writable"),
                                             ("ga", "off"), ("dataLayer", "writable"))
    assert not found["src/page.js"].tests
    assert found["src/page.test.js"].tests and found["__tests__/a.js"].tests
    assert found["src/page.test.js"].declared == ()


def test_typescript_eslint_is_needed_by_typescript_and_by_ts_comments_only() -> None:
    js = FileFacts("js", UNKNOWN, MODULE, False)
    assert not eslint_env.needs_typescript_eslint({"/a.js": js, "/b.js": js})
    assert eslint_env.needs_typescript_eslint({"/a.js": js, "/b.ts": FileFacts(
        "ts", UNKNOWN, MODULE, False)})
    assert eslint_env.needs_typescript_eslint({"/a.js": js, "/c.js": FileFacts(
        "js", UNKNOWN, MODULE, False, ts_comment=True)})
    assert not eslint_env.needs_typescript_eslint({})
