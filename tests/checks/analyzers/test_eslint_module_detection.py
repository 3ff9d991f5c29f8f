"""An ambiguous `.js` file (no `"type"` in a package.json) is an ES module when only a module
parse reads it, as Node's syntax detection decides — not only when an `import`/`export`
starts a line. A BOM before `export`, `/* (c) */ export …`, `'use strict'; export …`,
minified output (`var a=n=>eval(n.code);export{a as handle};`) and top-level `await` were
parsed as CommonJS: ESLint could not parse them, the file was named as not analysed and its
`eval` never reported (f_abs D1). Now eslint_env marks such a file for detection and the
config parses it with espree, as a script first and as a module when only that reads it.

Generated: a prefix (a BOM, a comment, a directive, a statement, a hashbang), the module
statement (export, import, top-level await) before or after the code, on the same line or
not; each example one batch of files, each holding an `eval` that must be reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers import eslint_env
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.eslint import ESLINT_SECURITY
from reviewloop.checks.analyzers.eslint_env import COMMONJS, UNKNOWN
from reviewloop.git.diff import parse_diff
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

pytestmark = pytest.mark.npm

CODE = "function handle(input) { return eval(input.code); }"
STATEMENTS = ("export { handle };", "export default handle;", 'import fs from "node:fs";',
              'import * as path from "node:path";', "const m = await Promise.resolve(1);",
              "export const x = 1;", 'import "node:fs";', 'export * from "node:fs";',
              "export{handle as h};")
PREFIXES = ("", "\ufeff", "/* (c) 2026 */ ", "'use strict'; ", "const z=1;",
            "#!/usr/bin/env node\n")


@st.composite
def module_texts(draw: st.DrawFn) -> str:
    """An ES module whose module statement sits where a line-start look may miss it."""
    prefix = draw(st.sampled_from(PREFIXES))
    statement = draw(st.sampled_from(STATEMENTS))
    between = draw(st.sampled_from(("", " ", ";", "\n")))
    first, second = (statement, CODE) if draw(st.booleans()) else (CODE, statement)
    return f"{prefix}{first}{between}{second}\n"


def _read(tmp: Path, files: dict[str, str]) -> tuple[set[tuple[str, str]], dict[str, str]]:
    repo = Repo(tmp)
    diff = repo.change(files)
    report = run_for_agent(agent("sec", (ESLINT_SECURITY.name,)), repo.root, diff)
    assert report.errors == [], report.errors
    unread = {path: why for h in report.health for path, why in h.unread.items()}
    return {(f.rule or "", f.file) for f in report.findings}, unread


@settings(max_examples=4, deadline=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],  # a shrink reruns ESLint
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(module_texts(), min_size=5, max_size=8, unique=True))
def test_an_es_module_anywhere_is_read_as_one(
        tmp_path_factory: pytest.TempPathFactory, eslint_tools: Path, texts: list[str]) -> None:
    files = {f"src/m{n}.js": text for n, text in enumerate(texts)}
    found, unread = _read(tmp_path_factory.mktemp("r") / "repo", files)
    assert unread == {}, (unread, files)
    for path, text in files.items():
        assert ("no-eval", path) in found, (text, found)


def test_a_file_that_only_looks_like_commonjs_is_marked_for_detection(tmp_path: Path) -> None:
    """The regex's answer stands when it sees a module statement; when it does not, the
    config decides by parsing (`detect`), in an ambiguous environment only."""
    assert eslint_env.source_type(UNKNOWN, "js", "const z=1;export{a};\n") == COMMONJS
    (tmp_path / "a.js").write_text("const z=1;export{z};\n")
    (tmp_path / "b.js").write_text("export const b = 1;\n")
    (tmp_path / "c.cjs").write_text("const c = 1;\n")
    ctx = AnalyzerContext(root=tmp_path, changes=parse_diff(""), diff_text="", agent="a",
                          files=("a.js", "b.js", "c.cjs"))
    found = {Path(k).name: f for k, f in eslint_env.facts(ctx, ["a.js", "b.js", "c.cjs"]).items()}
    assert (found["a.js"].source_type, found["a.js"].detect) == ("commonjs", True)
    assert (found["b.js"].source_type, found["b.js"].detect) == ("module", False)
    assert found["c.cjs"].detect is False  # `.cjs` is CommonJS by Node's rules, parsed so


def test_commonjs_stays_commonjs_and_a_broken_file_stays_unread(
        tmp_path: Path, eslint_tools: Path) -> None:
    """A script only CommonJS reads (a `with` statement, an octal literal: no module's) is
    still linted as one; a file neither parse reads is still named as not read."""
    files = {"src/legacy.js": "with (Math) { eval(code); }\nvar o = 010;\n",
             "src/broken.js": "const z=1;export{ handle\n"}
    found, unread = _read(tmp_path / "repo", files)
    assert ("no-eval", "src/legacy.js") in found
    assert set(unread) == {"src/broken.js"}
