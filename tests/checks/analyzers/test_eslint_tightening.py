"""`dropped_ignores`: an ESLint config edit is a tightening only when all it does is drop global
ignores patterns. Generated: each way to write a global ignore (an object, a named one,
`globalIgnores()`, quotes) × each edit (an entry dropped, the whole construct dropped, an entry
added, a negation dropped, the rules changed beside the drop, an `ignores` that scopes a
`files` object dropped); the expected answer follows from the edit alone."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.eslint_tightening import dropped_ignores
from reviewloop.checks.analyzers.provision import TOOLS, cached
from tests.support.js_tools import eslint_tools as eslint_tools  # the fixture

SHAPES = {"object": "{{ ignores: [{}] }}", "named": '{{ name: "skip", ignores: [{}] }}',
          "globalIgnores": "globalIgnores([{}])",
          "scoped": '{{ files: ["**/*.js"], ignores: [{}] }}'}
QUOTES = ('"', "'")
RULES = '{ rules: { "no-eval": "error" } }'


def _config(shape: str, entries: list[str], rules: str = RULES) -> str:
    construct = SHAPES[shape].format(", ".join(entries))
    return f"export default [\n  {construct},\n  {rules}\n];\n"


EDITS = ("entry dropped", "construct dropped", "entry added", "negation dropped",
         "rules changed too")


@pytest.mark.parametrize(("shape", "quote", "edit"),
                         list(itertools.product(SHAPES, QUOTES, EDITS)))
def test_only_dropped_global_ignores_tighten(shape: str, quote: str, edit: str) -> None:
    legacy, gen, keep = (f"{quote}{p}{quote}" for p in ("legacy/**", "gen/**", "!gen/keep.js"))
    trusted = _config(shape, [legacy, gen, keep] if edit == "negation dropped" else [legacy, gen])
    mine = {"entry dropped": _config(shape, [gen]),
            "construct dropped": f"export default [\n  {RULES}\n];\n",
            "entry added": _config(shape, [legacy, gen, f"{quote}new/**{quote}"]),
            "negation dropped": _config(shape, [legacy, gen]),
            "rules changed too": _config(shape, [gen], RULES.replace("error", "off"))}[edit]
    tightens = shape != "scoped" and edit in ("entry dropped", "construct dropped")
    found = dropped_ignores(mine, trusted)
    assert (found is not None) == tightens, (trusted, mine, found)
    if found is not None:
        assert f"no longer ignores {legacy}" in found


# an ignores-only object used in different ways (rev13 D1b): `{}` is where it goes; only as a
# direct element of the exported array is it a global ignores
USES = {
    "direct, ESM": "export default [\n  {},\n  ON,\n];\n",
    "direct, CommonJS": "module.exports = [\n  {},\n  ON,\n];\n",
    "direct, first": "export default [{}, ON];\n",
    "spread into an off": "const scope = {};\nexport default [\n  ON,\n  { ...scope, rules: "
                          '{ "no-eval": "off" } },\n];\n',
    "handed to a helper": 'const off = (o) => ({ ...o, rules: { "no-eval": "off" } });\n'
                          "export default [ON, off({})];\n",
    "by name": "const skip = {};\nexport default [skip, ON];\n",
    "in a spread array": "export default [...[{}], ON];\n",
}
ON = '{ rules: { "no-eval": "error" } }'
DIRECT = ("direct, ESM", "direct, CommonJS", "direct, first")
SEVERITY = {"off": 0, "warn": 1, "error": 2, 0: 0, 1: 1, 2: 2}


def _with(use: str, entries: str) -> str:
    return USES[use].replace("{}", f"{{ ignores: [{entries}] }}", 1) \
        .replace("ON", ON)


# `eslint --print-config FILE` is `new ESLint(options).calculateConfigForFile(FILE)`
# (eslint/lib/cli.js): asked here for every file of both trees in one node process, where
# the CLI started node and loaded ESLint six times a case
PRINT_CONFIGS = """
const { ESLint } = require(process.argv[1]);
(async () => {
  const found = {};
  for (const tree of process.argv.slice(2)) {
    const engine = new ESLint({ cwd: tree });
    found[tree] = {};
    for (const name of ["a.js", "b.js", "c.js"]) {
      found[tree][name] = (await engine.calculateConfigForFile(name)) ?? null;
    }
  }
  process.stdout.write(JSON.stringify(found));
})().catch((error) => { console.error(error); process.exit(2); });
"""


def _severities(eslint: Path, trees: dict[Path, str]) -> list[dict[str, int | None]]:
    """ESLint's own computed no-eval for each file of each tree, its config the tree's text
    (None: the file is ignored)."""
    for tree, text in trees.items():
        (tree / "eslint.config.js").write_text(text)
    node = shutil.which("node")
    assert node is not None, "eslint_tools installs ESLint beside node"
    run = subprocess.run([node, "-e", PRINT_CONFIGS, str(eslint.parents[1] / "eslint"),
                          *map(str, trees)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    configs = json.loads(run.stdout)
    answers = []
    for tree in trees:
        found: dict[str, int | None] = {}
        for name, config in configs[str(tree)].items():
            rule = (config or {}).get("rules", {}).get("no-eval", 0)
            found[name] = None if config is None else SEVERITY[rule[0] if isinstance(rule, list)
                                                                else rule]
        answers.append(found)
    return answers


@pytest.mark.npm
@pytest.mark.parametrize(("use", "module"), list(itertools.product(USES, (True, False))))
def test_an_ignores_object_is_global_only_as_a_direct_element(eslint_tools, tmp_path, use,
                                                               module):
    eslint = cached(TOOLS["eslint"], eslint_tools)
    assert eslint is not None
    if "CommonJS" in use and module:
        pytest.skip("module.exports in an ES module")
    trees = (tmp_path / "base", tmp_path / "head")
    for tree in trees:
        tree.mkdir()
        (tree / "package.json").write_text(
            json.dumps({"name": "x", "type": "module" if module else "commonjs"}))
        for name in ("a.js", "b.js", "c.js"):
            (tree / name).write_text("eval(x);\n")
    trusted, mine = _with(use, '"b.js", "c.js"'), _with(use, '"c.js"')
    if "export" in trusted and not module:
        trusted, mine = (t.replace("export default", "module.exports =") for t in (trusted, mine))
    before, after = _severities(eslint, dict(zip(trees, (trusted, mine), strict=True)))
    found = dropped_ignores(mine, trusted)
    # ESLint: nothing linted at base is linted less at head
    holds = all(after[f] is not None and (after[f] or 0) >= (before[f] or 0)
                for f in before if before[f] is not None)

    assert found is None or holds, (use, before, after)
    assert (found is not None) == (use in DIRECT), (use, found)
