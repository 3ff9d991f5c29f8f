"""A `/` starts a regular expression where an operand starts, and is a division after one:
ESLint's parser decides it from the grammar. The review's lexer (`js_lexer`, `js_operands`)
looked at the character before the `/` only, and took the `)` of `if (c)`, `for (…)`,
`while (…)`, `with (…)`, `export default`, a spread `...`, the `}` of an object for a
division's left side or the reverse: `if (c) /[/* eslint no-undef: off */]/.test(x)` had a
comment config the review honoured and ESLint does not read (it is a regular expression's
text), and `{a: 1} / [/* eslint … */] / g` the reverse (the session's reviewer, D2). A
hashbang line (`#!/usr/bin/env -S node /* eslint no-undef: off */`) is one ESLint reads no
directive in (its "Shebang" comment): `/usr/` was a regular expression there, the rest
code, with a comment config in it (D2b).

The generator: contexts (statement heads, `export default`, spread, keywords, a block's,
a declaration's or an object's `}`, a call's `)`, `]`, names, numbers, template and JSX
ends, `yield`, `await`) × payloads (the config inside a regular expression's class, in its
body, after a real division) where each parses, and hashbang lines (a byte order mark
before, a line ended by U+2028 with the config after it), each the base's line unchanged;
the change deletes the import the file's last line uses. ESLint's answer (with and without
`--no-inline-config`) is the review's in each review mode: suppressed exactly where ESLint
takes the config, reported where it reports.
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
from tests.support.plain_eslint import fatal_files, plain_eslint, rule_files
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import MODES, outcomes, reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(900)]

CONFIG = ('export default [{ files: ["**/*.js", "**/*.cjs", "**/*.jsx"], '
          'rules: { "no-undef": "error" } }, { files: ["**/*.cjs"], '
          'languageOptions: { sourceType: "commonjs" } }, { files: ["**/*.jsx"], '
          'languageOptions: { parserOptions: { ecmaFeatures: { jsx: true } } } }];\n')
DEFINES = {".cjs": 'const { compute } = require("./c.cjs");\n',
           "": 'import { compute } from "./c.js";\n'}
REPLACED = {".cjs": "const other = 1;\nexports.other = other;\n",
            "": "const other = 1;\nexport { other };\n"}
SINK = {".cjs": "exports.v = compute();\n", "": "export const v = compute();\n"}
OFF = "eslint no-undef: off"
PAYLOADS = {  # name → (the text, where it parses: after an operand, where one starts)
    "class": (f"/[/* {OFF} */]/g", (True, True)),  # `x / [/* … */] / g` or a regex
    "body": (f"/\\/* {OFF} *\\//g", (False, True)),
    "division": (f"/ 2 /* {OFF} */ / 1", (True, False)),
}
# PAYLOAD: where the payload goes; whether an operand ends before it (a division follows)
# as far as the grammar goes (which payloads parse there, not what ESLint answers); suffix
CONTEXTS = {
    "if": ("if (g) PAYLOAD.test('x');", False, ".js"),
    "for": ("for (const k of []) PAYLOAD.test(k);", False, ".js"),
    "for await": ("for await (const k of []) PAYLOAD.test(k);", False, ".js"),
    "while": ("while (!g) PAYLOAD.exec('x');", False, ".js"),
    "with": ("with (g) PAYLOAD.exec('x');", False, ".cjs"),
    "do while": ("do ; while (!g) PAYLOAD.exec('x');", False, ".js"),
    "else": ("if (!g) ; else PAYLOAD.test('x');", False, ".js"),
    "export default": ("export default PAYLOAD;", False, ".js"),
    "spread": ("export const parts = [...PAYLOAD.source];", False, ".js"),
    "block": ("{ }\nPAYLOAD.test('x');", False, ".js"),
    "if block": ("if (g) { g; } PAYLOAD.test('x');", False, ".js"),
    "function declaration": ("function fd() {}\nPAYLOAD.test('x');", False, ".js"),
    "class declaration": ("class Cd {}\nPAYLOAD.test('x');", False, ".js"),
    "arrow body": ("const ab = () => {}\nPAYLOAD.test('x');", False, ".js"),
    "case": ("switch (g) { case PAYLOAD: break; }", False, ".js"),
    "case block": ("switch (g) { case 1: { } PAYLOAD.test('x'); }", False, ".js"),
    "label block": ("lb: { } PAYLOAD.test('x');", False, ".js"),
    "return": ("export function rt() { return PAYLOAD; }", False, ".js"),
    "typeof": ("export const ty = typeof PAYLOAD;", False, ".js"),
    "in": ("export const io = 'a' in PAYLOAD;", False, ".js"),
    "of": ("for (const o of PAYLOAD.source) o;", False, ".js"),
    "new": ("export const nw = new PAYLOAD.constructor();", False, ".js"),
    "void": ("void PAYLOAD;", False, ".js"),
    "throw": ("export function th() { throw PAYLOAD; }", False, ".js"),
    "extends": ("export class Ex extends PAYLOAD.constructor {}", False, ".js"),
    "=>": ("export const ar = () => PAYLOAD;", False, ".js"),
    "yield": ("export function* yd() { yield PAYLOAD; }", False, ".js"),
    "await": ("export async function aw() { await PAYLOAD; }", False, ".js"),
    "prefix ++ after a line break": ("let pq = 1;\npq\n++PAYLOAD.lastIndex;", False, ".js"),
    "object": ("export const ob = {a: 1}\nPAYLOAD;", True, ".js"),
    "nested object": ("export const no = {a: {b: 1}} PAYLOAD;", True, ".js"),
    "object returned": ("export function or() { return {a: 1} PAYLOAD; }", True, ".js"),
    "ternary object": ("export const to = g ? g : {}\nPAYLOAD;", True, ".js"),
    "function expression": ("export const fe = function () {}\nPAYLOAD;", True, ".js"),
    "class expression": ("export const ce = class {}\nPAYLOAD;", True, ".js"),
    "call": ("export const cl = String(g) PAYLOAD;", True, ".js"),
    "]": ("export const ix = [g][0] PAYLOAD;", True, ".js"),
    "name": ("export const nm = g PAYLOAD;", True, ".js"),
    "number": ("export const nu = 4 PAYLOAD;", True, ".js"),
    "template": ("export const te = `a${g}b` PAYLOAD;", True, ".js"),
    "keyword as a name": ("export const kn = Math.max.call.length.return PAYLOAD;", True, ".js"),
    "postfix ++": ("let pp = 1;\npp++ PAYLOAD;", True, ".js"),
    "JSX element": ("export const je = <p>a</p>\nPAYLOAD;", True, ".jsx"),
    "JSX then a statement": ("export const js = <p>a</p>;\nPAYLOAD.test('x');", False, ".jsx"),
}
HASHBANGS = {  # the file's first line; whether ESLint reads a config in it
    "env -S": (f"#!/usr/bin/env -S node /* {OFF} */\n", False),
    "node": (f"#!/usr/bin/node /* {OFF} */\n", False),
    "after a byte order mark": (f"\ufeff#!/usr/bin/node /* {OFF} */\n", False),
    "ended by U+2028": (f"#!/usr/bin/env node\u2028/* {OFF} */\n", True),
    "then a config line": (f"#!/usr/bin/env node\n/* {OFF} */\n", True),
}


def _bodies() -> dict[str, tuple[str, str]]:
    """Each file's (base, change) text: its context and payload, or its hashbang line."""
    texts = {}
    for index, ((context, operand_ends, suffix), (payload, (after, starts))) in \
            enumerate(itertools.product(CONTEXTS.values(), PAYLOADS.values())):
        if (after if operand_ends else starts):
            kind = ".cjs" if suffix == ".cjs" else ""
            line = "const g = 1;\n" + context.replace("PAYLOAD", payload) + "\n" + SINK[kind]
            texts[f"c{index}{suffix}"] = (DEFINES[kind] + line, REPLACED[kind] + line)
    for index, (bang, _) in enumerate(HASHBANGS.values()):
        texts[f"h{index}.js"] = (bang + DEFINES[""] + SINK[""], bang + REPLACED[""] + SINK[""])
    return texts


@dataclass(frozen=True)
class Batch:
    """Every file in one repository (the change in its working tree), and ESLint's answer:
    the files it reports no-undef in, and those whose comment config it takes."""

    root: Path
    eslint: set[str]
    honoured: set[str]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """Built and answered once; each mode reviews a copy of its own (`copied`)."""
    texts = _bodies()
    with pytest.MonkeyPatch.context() as patch:
        suite_environment(patch, tmp_path_factory.getbasetemp())
        installed(patch, "eslint")
        place = tmp_path_factory.mktemp("contexts")
        written = place / "eslint.config.mjs"
        written.write_text(CONFIG, encoding="utf-8")
        root = init_repo(place / "r", {"package.json": '{"name": "x", "type": "module"}\n',
                                       **{p: base for p, (base, _) in texts.items()}})
        git(root, "checkout", "-qb", "feature")
        write_files(root, {p: head for p, (_, head) in texts.items()})
        results = plain_eslint(root, "-c", str(written))
        assert not fatal_files(results), fatal_files(results)  # every file parses
        eslint = rule_files(results, "no-undef")
        uncommented = rule_files(plain_eslint(root, "-c", str(written), "--no-inline-config"),
                                 "no-undef")
        assert uncommented == set(texts)
        honoured = uncommented - eslint
        assert honoured and eslint, (honoured, eslint)  # both answers met
        # ESLint's answer for the hashbang lines: none read, except past a line terminator
        assert {f"h{i}.js" for i, (_, read) in enumerate(HASHBANGS.values()) if read} == \
            {p for p in honoured if p.startswith("h")}
        return Batch(root, eslint, honoured)


@pytest.mark.parametrize("mode", MODES)
def test_a_config_is_read_where_eslint_reads_a_comment(
        tmp_path: Path, eslint_tools: Path, batch: Batch, mode: str) -> None:
    report = reviewed_in(copied(batch.root, tmp_path / "r"), mode)
    suppressed, reported = outcomes(report, "no-undef")
    assert suppressed == batch.honoured, sorted(suppressed ^ batch.honoured)
    assert reported == batch.eslint, sorted(reported ^ batch.eslint)
