"""A change that makes an unchanged line of a changed JS/TS file an ESLint finding is the
change's: an import swapped to `child_process` turns an untouched `exec(cmd)` far below into
`security/detect-child-process`, a deleted declaration an untouched use into `no-undef`, a
removed last use an untouched import into `no-unused-vars`. Plain `eslint .` reports each;
the review dropped them as outside the change (the fuzzer's D17, D17b). The ESLint views now
lint the base versions of the files where they report findings off the change's lines, with
reviewloop's rule set and the project's own config (`eslint_base`, `review.introduced`).

Generated: each review holds every cause side by side, each in its own file with drawn filler
between the changed line and its effect, and a twin of each whose effect the base already
had, the change editing one filler line: the twin's finding stays outside the change. One
more file's base cannot be parsed: its finding off the change's lines counts, saying why.
Twins whose base is linted only with what the head run had: a CommonJS file whose folder's
`package.json` the change edits, a `.es6` file ESLint's only by the project's config. In a
review of commits (the base's config) and of the user's own working tree (its config).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.gitutil import git
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(900)]

SAFE = ("export function run(c) { return c; }\nexport function readFile(p) { return p; }\n"
        "export const used = 1;\nexport const unused = 2;\n")
PROJECT_CONFIG = ('export default [{ files: ["**/*.js", "**/*.es6"], rules: '
                  '{ "prefer-const": "error" } }];\n')


@dataclass(frozen=True)
class Cause:
    """A file whose `top` and `bottom` lines (filler between them) are `before` at the base
    and `after` in the change, which makes the untouched line `effect` a finding of `rule`."""

    rule: str
    before: tuple[str, str]  # (top, bottom)
    after: tuple[str, str]
    effect: str
    suffix: str = ".js"


CAUSES = {
    "import swap": Cause(
        "security/detect-child-process",
        ('import { run as exec } from "../safe.js";', ""),
        ('import { exec } from "child_process";', ""),
        "export function g(cmd) { return exec(cmd); }"),
    "fs import swap": Cause(
        "security/detect-non-literal-fs-filename",
        ('import { readFile } from "../safe.js";', ""), ('import { readFile } from "fs";', ""),
        "export function h(p) { return readFile(p); }"),
    "deleted declaration": Cause(
        "no-undef", ("const helper = (s) => s.trim();", ""), ("", ""),
        "export function f(s) { return helper(s); }"),
    "removed last use": Cause(
        "no-unused-vars", ("", "export const z = used + unused;"), ("", "export const z = used;"),
        'import { unused, used } from "../safe.js";'),
    "project rule": Cause(  # the project's own config: prefer-const is not reviewloop's
        "prefer-const", ("", "counter += 1;\nexport { counter };"), ("", "export { counter };"),
        "let counter = 1;"),
    "typed": Cause(  # the file's own function made async: an untouched call floats
        "@typescript-eslint/no-floating-promises",
        ("export function save(): void {}", ""),
        ("export async function save(): Promise<void> {}", ""),
        "export function run(): void { save(); }", ".ts"),
}
# a base ESLint cannot parse: the finding off the change's lines counts, saying why
UNPARSED = ('import { exec } from "child_process";', "export const broken = ;",
            "export const broken = 1;", "export function g(cmd) { return exec(cmd); }")


@dataclass(frozen=True)
class Case:
    kind: str
    path: str
    base: str
    head: str
    effect_line: int  # in the head
    twin: bool


def _text(cause: Cause, made: tuple[str, str], filler: list[str]) -> str:
    top, bottom = made
    effect_first = not cause.before[0] and not cause.after[0]
    lines = [cause.effect, *filler] if effect_first else [*filler, cause.effect]
    return "\n".join([*filter(None, [top]), *lines, *filter(None, [bottom])]) + "\n"


def _filler(n: int, edited: int | None = None) -> list[str]:
    return [f"export const pad{i} = {i + 100 if i == edited else i};" for i in range(n)]


@st.composite
def cases(draw: st.DrawFn, kind: str, twin: bool) -> Case:
    cause = CAUSES[kind]
    gap = draw(st.integers(5, 30))  # beyond the 3 lines around a hunk the review keeps
    if twin:  # the effect made at the base already; the change edits a filler line
        edited = draw(st.integers(0, gap - 1))
        base = _text(cause, cause.after, _filler(gap))
        head = _text(cause, cause.after, _filler(gap, edited))
    else:
        base = _text(cause, cause.before, _filler(gap))
        head = _text(cause, cause.after, _filler(gap))
    folder = "typed" if cause.suffix == ".ts" else "js"
    name = f"{folder}/{kind.replace(' ', '-')}-{'twin' if twin else 'made'}{cause.suffix}"
    return Case(kind, name, base, head, head.splitlines().index(cause.effect) + 1, twin)


CHANGES = st.tuples(*(cases(kind, twin) for kind in CAUSES for twin in (False, True)))
BASE = {"package.json": '{"name": "x", "version": "1.0.0", "type": "module"}\n',
        "js/eslint.config.mjs": PROJECT_CONFIG, "safe.js": SAFE,  # the typed files have none
        "typed/tsconfig.json": json.dumps({"compilerOptions": {
            "strict": True, "module": "ES2022", "moduleResolution": "bundler",
            "target": "ES2022"}}) + "\n"}




def _legacy(edited: int | None = None) -> str:
    """A CommonJS file (its folder's `package.json` says so) with a top-level `return`, which
    only a CommonJS parse accepts, and an old `child_process` finding far below."""
    filler = [f"exports.pad{i} = {i + 100 if i == edited else i};" for i in range(8)]
    return "\n".join(['const cp = require("child_process");', "if (!process.argv[2]) return;",
                      *filler, "exports.g = (cmd) => cp.exec(cmd);"]) + "\n"


@pytest.mark.parametrize("mode", ("head", "working"))  # the base's config, the user's own
@settings(max_examples=1, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=CHANGES, gap=st.integers(5, 20))
def test_a_finding_a_change_causes_on_an_unchanged_line_counts(
        tmp_path_factory: pytest.TempPathFactory, eslint_tools: Path, mode: str,
        drawn: tuple[Case, ...], gap: int) -> None:
    imports, broken, fixed, effect = UNPARSED
    unparsed = [imports, broken, *_filler(gap), effect]
    base = {**BASE, **{c.path: c.base for c in drawn},
            "js/unparsed.js": "\n".join(unparsed) + "\n",
            "cjs/package.json": '{"type": "commonjs"}\n', "cjs/legacy.js": _legacy(),
            "js/legacy.es6": CAUSES["import swap"].after[0] + "\n" + _text(
                CAUSES["import swap"], ("", ""), _filler(gap))}
    root = init_repo(tmp_path_factory.mktemp("eslint") / "r", base)
    git(root, "checkout", "-qb", "feature")
    # the change edits the CommonJS folder's package.json too: its base is read as it was
    write_files(root, {**{c.path: c.head for c in drawn},
                       "js/unparsed.js": "\n".join(unparsed).replace(broken, fixed) + "\n",
                       "cjs/package.json": '{"type": "commonjs", "private": true}\n',
                       "cjs/legacy.js": _legacy(edited=3),
                       # ESLint's only by the project's config: at the base too
                       "js/legacy.es6": CAUSES["import swap"].after[0] + "\n" + _text(
                           CAUSES["import swap"], ("", ""), _filler(gap, 2))})
    report = reviewed_in(root, mode)
    kept = {(f["rule"], f["file"], f["start_line"]): f for bucket in ("remaining", "nits")
            for f in report["findings"][bucket]}
    for case in drawn:
        key = (CAUSES[case.kind].rule, case.path, case.effect_line)
        if case.twin:  # already so at the base: outside the change
            assert key not in kept, (case, sorted(kept))
        else:
            assert key in kept, (case, sorted(kept))
    lost = kept.get(("security/detect-child-process", "js/unparsed.js", len(unparsed)))
    assert lost is not None, sorted(kept)
    assert "could not read the file at the change's base" in lost["rationale"], lost
    linted = {f["path"] for f in report["health"]["files"]
              if "eslint-security (review-security)" in f["analysed_by"] and not f["not_read"]}
    for twin in ("cjs/legacy.js", "js/legacy.es6"):  # linted, and outside the change
        assert twin in linted, report["health"]["files"]
        assert not [k for k in kept if k[1] == twin and k[0].startswith("security/")], kept
