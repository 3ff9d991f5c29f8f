"""A rule the project's own config makes an error is 🟡, also where reviewloop's own run rates
it 🟢 and reports it on the same line: `security/detect-object-injection` set to `"error"` (a
project that vetted its sinks, so a new one fails CI) was deduplicated into reviewloop's 🟢
nit, and `--fail-on should_fix` passed where plain `eslint .` fails (fuzz round 11, D17).

Generated: the project's severity (`"error"`, `"warn"`, per folder) × rules reviewloop rates
🟢 (object injection, a non-literal fs path) or 🟡 (a non-literal require), each sink in
every folder. Plain `eslint .` is the oracle for what is reported and at which severity: an
error is 🟡 at least, a warning leaves reviewloop's own rating (never lowered)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.plain_eslint import linked_node_modules, plain_eslint
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

# rule → (reviewloop's own severity, a line that trips it)
RULES = {"security/detect-object-injection": ("nit", "  const v = o[k];\n"),
         "security/detect-non-literal-fs-filename": ("nit", "  fs.readFileSync(p);\n"),
         "security/detect-non-literal-require": ("should_fix", "  require(p);\n")}
LEVELS = ("error", "warn")


def _config() -> str:
    blocks = [f'{{ files: ["{level}/**"], plugins: {{ security }}, rules: {{ '
              + ", ".join(f'"{rule}": "{level}"' for rule in RULES) + " } }"
              for level in LEVELS]
    return ('import security from "eslint-plugin-security";\n'
            f"export default [{', '.join(blocks)}];\n")


def _files() -> dict[str, str]:
    files = {}
    for n, (level, order) in enumerate(itertools.product(LEVELS, itertools.permutations(RULES))):
        body = "".join(RULES[rule][1] for rule in order)
        files[f"{level}/v{n}.cjs"] = ('const fs = require("node:fs");\n'
                                      f"module.exports = function f(o, k, p) {{\n{body}"
                                      "  return v;\n};\n")
    return files


def test_a_project_error_is_never_a_nit(tmp_path: Path, eslint_tools: Path) -> None:
    root = init_repo(tmp_path / "r", {"package.json": '{"name": "x", "type": "module"}\n',
                                      ".gitignore": "node_modules/\n",
                                      "eslint.config.js": _config()})
    linked_node_modules(root)
    git(root, "checkout", "-qb", "feature")
    write_files(root, _files())
    plain = {(r["filePath"], m["ruleId"], m["line"]): m["severity"]
             for r in plain_eslint(root) for m in r["messages"] if m.get("ruleId") in RULES}
    assert {rule for _, rule, _ in plain} == set(RULES)
    report = reviewed_in(root, "head")
    reported = {(f["file"], f["rule"], f["start_line"]): f["severity"]
                for bucket in ("remaining", "nits") for f in report["findings"][bucket]
                if f["rule"] in RULES}
    expected = {hit: "should_fix" if level == 2 else RULES[hit[1]][0]
                for hit, level in plain.items()}
    assert reported == expected, sorted(set(reported.items()) ^ set(expected.items()))
