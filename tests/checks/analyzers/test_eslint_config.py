"""reviewloop's bundled ESLint rule set on real files: every spelling of eval, the globals of
each file's environment (CommonJS, ES module, browser), and typescript-eslint's type-aware
rules whenever a tsconfig.json is there — with a file no tsconfig includes still linted."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.checks.analyzers.eslint import (
    ESLINT_MAINTAINABILITY,
    ESLINT_PERFORMANCE,
    ESLINT_SECURITY,
)
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

VIEWS = (ESLINT_SECURITY, ESLINT_MAINTAINABILITY, ESLINT_PERFORMANCE)
EVALS = """\
eval("1 + 1");
(0, eval)(code);
globalThis.eval(code);
window.eval(code);
setTimeout("run(" + code + ")");
new Function(code);
"""
FS = """\
const fs = require("fs");
module.exports = () => fs.readFile(__dirname + "/data.json", () => {});
"""
TYPED = """\
declare function makeCode(): string;
setTimeout(makeCode());
const parsed: any = JSON.parse("{}");
export const name: string = parsed.name;
"""
UNRESOLVED = """\
import thing from "not-installed";
export const value: string = thing.make();
"""
TSCONFIG = '{"compilerOptions": {"strict": true, "lib": ["es2022", "dom"]}, "include": ["src"]}\n'


def _findings(repo: Repo, diff: str) -> set[tuple[str, str, int, str]]:
    found = set()
    for view in VIEWS:
        report = run_for_agent(agent(view.name, (view.name,)), repo.root, diff)
        assert report.errors == [] and all(not h.unread for h in report.health), report.health
        found |= {(f.rule or "", f.file, f.start_line, f.severity.value)
                  for f in report.findings}
    return found


@pytest.mark.npm
def test_every_spelling_of_eval_is_a_must_fix(tmp_path: Path, eslint_tools: Path) -> None:
    repo = Repo(tmp_path / "repo")
    diff = repo.change({"web/page.js": EVALS})

    must = {(rule, line) for rule, _, line, severity in _findings(repo, diff)
            if severity == "must_fix"}

    assert {line for rule, line in must if rule == "no-eval"} == {1, 2, 3, 4}
    assert ("no-implied-eval", 5) in must and ("no-new-func", 6) in must


@pytest.mark.npm
def test_node_s_globals_are_known_where_node_runs_the_file(tmp_path: Path,
                                                           eslint_tools: Path) -> None:
    """`__dirname` is Node's own path, not a name from outside."""
    repo = Repo(tmp_path / "repo", {"package.json": '{"name": "x"}\n'})
    diff = repo.change({"lib/load.js": FS})

    rules = {(rule, file) for rule, file, _, _ in _findings(repo, diff)}

    assert ("security/detect-non-literal-fs-filename", "lib/load.js") not in rules


# code from a string through the browser's global objects, in any module kind: an isomorphic
# package's CommonJS runs in a browser too (`if (typeof window !== "undefined") …`)
GLOBAL_EVALS = ("window.eval(code);", "window['eval'](code);",
                'window.setTimeout("go()" + code);', 'self.setTimeout("a" + code, 10);',
                'window.setInterval("tick(" + code + ")", 10);', "globalThis.eval(code);")
KINDS = ("lib/a.cjs", "lib/b.js", "web/c.mjs", "web/d.ts")


@pytest.mark.npm
def test_eval_through_a_global_object_is_a_must_fix_in_every_module_kind(
        tmp_path: Path, eslint_tools: Path) -> None:
    """`.cjs`, `.js` under "type": "commonjs", `.mjs` and `.ts`: each spelling, one line each."""
    repo = Repo(tmp_path / "repo", {"package.json": '{"name": "x", "type": "commonjs"}\n'})
    body = "".join(f"{line}\n" for line in GLOBAL_EVALS)
    diff = repo.change(dict.fromkeys(KINDS, f"const code = String(process.argv[2]);\n{body}"))

    must = {(file, line) for rule, file, line, severity in _findings(repo, diff)
            if severity == "must_fix" and rule.endswith(("no-eval", "no-implied-eval"))}

    expected = {(kind, i + 2) for kind in KINDS for i in range(len(GLOBAL_EVALS))}
    assert sorted(expected - must) == []


@pytest.mark.npm
def test_type_aware_rules_run_under_a_tsconfig_and_other_files_are_still_linted(
        tmp_path: Path, eslint_tools: Path) -> None:
    repo = Repo(tmp_path / "repo", {"tsconfig.json": TSCONFIG})
    diff = repo.change({"src/run.ts": TYPED, "src/uses.ts": UNRESOLVED,
                        "scripts/outside.ts": TYPED})

    found = _findings(repo, diff)

    assert ("@typescript-eslint/no-implied-eval", "src/run.ts", 2, "must_fix") in found
    assert ("@typescript-eslint/no-unsafe-assignment", "src/run.ts", 4, "should_fix") in found
    assert ("@typescript-eslint/no-unsafe-member-access", "src/run.ts", 4,
            "should_fix") in found
    # a type TypeScript could not resolve (the package is not installed): tsc's to report
    unresolved = {(rule, severity) for rule, file, _, severity in found if file == "src/uses.ts"
                  and rule.startswith("@typescript-eslint/no-unsafe-")}
    assert unresolved and {severity for _, severity in unresolved} == {"nit"}
    # not in the tsconfig's include: linted without types, never an unread file
    outside = {rule for rule, file, _, _ in found if file == "scripts/outside.ts"}
    assert "@typescript-eslint/no-explicit-any" in outside
    assert not any(rule.startswith("@typescript-eslint/no-unsafe-") for rule in outside)


@pytest.mark.npm
def test_without_a_tsconfig_typescript_is_linted_untyped(tmp_path: Path,
                                                         eslint_tools: Path) -> None:
    repo = Repo(tmp_path / "repo")
    diff = repo.change({"src/run.ts": TYPED.replace("setTimeout(makeCode())",
                                                    'setTimeout("run()")')})

    rules = {(rule, line) for rule, _, line, _ in _findings(repo, diff)}

    assert ("no-implied-eval", 2) in rules  # ESLint's own, which needs no types
    assert not any(rule.startswith("@typescript-eslint/no-unsafe-") for rule, _ in rules)


@pytest.mark.npm
def test_an_undefined_name_is_a_lead_and_declared_names_are_not(tmp_path: Path,
                                                                eslint_tools: Path) -> None:
    """no-undef with each file's environment: a test file has its framework's globals, a
    `/* global */` comment declares a name (reviewloop ignores inline configuration, not
    declarations), a typo is a nit; TypeScript leaves names to tsc."""
    repo = Repo(tmp_path / "repo", {"tsconfig.json": TSCONFIG})
    diff = repo.change({
        "web/app.js": "/* global analytics */\nanalytics.track(documnet.title);\n",
        "web/app.test.js": "describe('app', () => { it('runs', () => expect(1).toBe(1)); });\n",
        "src/run.test.ts": 'import { test } from "node:test";\n\n'
                           'test("runs", async () => {});\nconsole.log(documnet);\n'})

    found = {(rule, file, line, severity) for rule, file, line, severity in _findings(repo, diff)
             if rule in ("no-undef", "@typescript-eslint/no-floating-promises")}

    assert found == {("no-undef", "web/app.js", 2, "nit")}


@pytest.mark.npm
def test_a_typed_file_that_cannot_be_parsed_is_named_as_not_read(tmp_path: Path,
                                                                 eslint_tools: Path) -> None:
    """Linting it again without types does not hide a syntax error: it is still unread."""
    repo = Repo(tmp_path / "repo", {"tsconfig.json": TSCONFIG})
    diff = repo.change({"src/broken.ts": "export const = 1;\n", "src/run.ts": TYPED})

    report = run_for_agent(agent("sec", ("eslint-security",)), repo.root, diff)

    (health,) = report.health
    assert set(health.unread) == {"src/broken.ts"}
    assert "could not parse it (line 1" in health.unread["src/broken.ts"]
    assert any(f.rule == "@typescript-eslint/no-implied-eval" for f in report.findings)


@pytest.mark.npm
def test_an_unused_name_is_reported_once_in_javascript_and_in_typescript(
        tmp_path: Path, eslint_tools: Path) -> None:
    """ESLint's core rule and its typescript-eslint extension check the same thing: on JS
    the core one reports (typescript-eslint's recommended set turns it off on TS, where its
    extension reports); never both on one name."""
    repo = Repo(tmp_path / "repo")
    unused = "export function f(x) {\n  const unused = 2;\n  return x;\n}\n"
    diff = repo.change({"web/app.js": unused, "src/app.ts": unused.replace("(x)", "(x: number)")})

    found = sorted((rule, file, line) for rule, file, line, _ in _findings(repo, diff)
                   if rule.endswith("no-unused-vars"))

    assert found == [("@typescript-eslint/no-unused-vars", "src/app.ts", 2),
                     ("no-unused-vars", "web/app.js", 2)]


@pytest.mark.npm
def test_typescript_eslint_is_loaded_for_the_batches_whose_files_it_reports_on(
        tmp_path: Path, eslint_tools: Path) -> None:
    """typescript-eslint (half a second of ESLint's start-up) is loaded only for a batch with
    a TypeScript file or a JavaScript file holding a `@ts-` comment (its ban-ts-comment rule,
    the one of its rules that reports on JavaScript); every rule still fires where it did."""
    code = "export const run = (code) => eval(code);\n"
    repo = Repo(tmp_path / "js")
    js_only = {(r, f, line) for r, f, line, _ in _findings(repo, repo.change({"web/a.js": code}))}
    assert ("no-eval", "web/a.js", 1) in js_only
    assert not any(r.startswith("@typescript-eslint/") for r, _, _ in js_only)

    repo = Repo(tmp_path / "ts-comment")
    commented = _findings(repo, repo.change({"web/a.js": "// @ts-ignore\n" + code}))
    assert ("@typescript-eslint/ban-ts-comment", "web/a.js", 1) in {
        (r, f, line) for r, f, line, _ in commented}

    repo = Repo(tmp_path / "mixed")
    mixed = _findings(repo, repo.change({"web/a.js": code,
                                         "src/b.ts": "export const value: any = 1;\n"}))
    assert {("no-eval", "web/a.js", 1), ("@typescript-eslint/no-explicit-any", "src/b.ts", 1)} \
        <= {(r, f, line) for r, f, line, _ in mixed}
