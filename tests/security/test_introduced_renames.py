"""A rename into a stricter config scope brings about findings (fuzz round 6, D3): `git mv
legacy/store.py api/store.py` out of ruff's `per-file-ignores`, a `.js` out of an ESLint
`files` block that turns `no-console` off, `util.cjs` → `util.mjs` (CommonJS → ESM, `require`
undefined). Plain `ruff check .` / `eslint .` pass the base and fail the head. The review wrote
a renamed file's base text at its NEW path, so the base run applied the new scope too and
every head finding met a base twin: nothing was reported (or all out of scope). The base is
now the file at its old path, and its findings meet the head's through the rename.

The matrix: (ruff per-file-ignores, ESLint files-scoped rule, module type) × (pure rename,
rename + edit), each beside twins renamed between two paths of one scope (lax: no finding on
either side; strict: the same finding on both), whose findings stay pre-existing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.plain_eslint import plain_eslint, rule_hits
from tests.support.repos import init_repo
from tests.support.review_cli import review

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

RUFF = ('[lint]\nextend-select = ["T20"]\n'
        '[lint.per-file-ignores]\n"legacy/**" = ["T20"]\n"old/**" = ["T20"]\n')
ESLINT = ('export default [{ files: ["**/*.js"], rules: { "no-console": "error" } },\n'
          '  { files: ["legacy/**", "old/**"], rules: { "no-console": "off" } }];\n')
MODULES = 'export default [{ rules: { "no-undef": "error" } }];\n'
PY = 'def load(b):\n    print("loading")\n    return b\n'
JS = "export function f(a) {\n  console.log(a);\n  return a;\n}\n"
CJS = 'const fs = require("fs");\nmodule.exports = fs;\n'
TOOLS = {  # tool → (its rule, its text, (old, new) stricter, twins: (old, new) in one scope)
    "ruff": ("T201", PY, ("legacy/r{m}.py", "api/r{m}.py"),
             (("legacy/t{m}.py", "old/t{m}.py"), ("api/s{m}.py", "svc/s{m}.py"))),
    "eslint": ("no-console", JS, ("legacy/e{m}.js", "web/e{m}.js"),
               (("legacy/u{m}.js", "old/u{m}.js"), ("web/s{m}.js", "app/s{m}.js"))),
    "module": ("no-undef", CJS, ("mod/m{m}.cjs", "mod/m{m}.mjs"),
               (("mod/n{m}.cjs", "mod/sub/n{m}.cjs"), ("mod/s{m}.mjs", "mod/sub/s{m}.mjs"))),
}
MODES = {"pure": "", "edit": {"ruff": "# moved\n", "eslint": "// moved\n", "module": "// moved\n"}}


def _review(root: Path) -> dict:
    done = review(root, "--base", "main", "--head", "feature", "--json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_a_rename_into_a_stricter_scope_brings_its_findings_about(
        tmp_path: Path, eslint_tools: Path) -> None:
    base = {"ruff.toml": RUFF, "eslint.config.mjs": ESLINT, "mod/eslint.config.mjs": MODULES,
            "package.json": '{"name": "x", "version": "1.0.0", "private": true}\n'}
    moves = []  # (tool, mode, old, new, its kind: stricter, lax twin, strict twin)
    for tool, (_, text, stricter, twins) in TOOLS.items():
        for mode in MODES:
            for pair, kind in ((stricter, "stricter"), *zip(twins, ("lax", "strict"), strict=True)):
                old, new = (p.format(m=mode) for p in pair)
                base[old] = text
                moves.append((tool, mode, old, new, kind))
    root = init_repo(tmp_path / "r", base)
    git(root, "checkout", "-qb", "feature")
    for tool, mode, old, new, _ in moves:
        (root / new).parent.mkdir(parents=True, exist_ok=True)
        git(root, "mv", old, new)
        if MODES[mode]:
            with (root / new).open("a") as f:
                f.write(MODES[mode][tool])
    git(root, "commit", "-qam", "move")
    plain = {(f, r) for f, r, _ in rule_hits(plain_eslint(root))}
    report = _review(root)
    counted = {(f["rule"], f["file"]) for bucket in ("remaining", "nits")
               for f in report["findings"][bucket]}
    for tool, mode, _, new, kind in moves:
        rule = TOOLS[tool][0]
        if tool != "ruff":  # plain ESLint's head: the rule fires but in the lax scope
            assert ((new, rule) in plain) == (kind != "lax"), (new, sorted(plain))
        assert ((rule, new) in counted) == (kind == "stricter"), \
            (tool, mode, new, sorted(counted))


def test_a_renamed_file_the_base_run_could_not_read_says_so(tmp_path: Path) -> None:
    """The base run names what it could not read where the file was; a finding off the
    change's lines of the file renamed and mended is found at its new path, and its note
    says the base could not be compared (it had said only 'introduced')."""
    broken = "def load(b:\n    return b\n\n\n" + 'print("a")\n'
    root = init_repo(tmp_path / "r", {"ruff.toml": '[lint]\nextend-select = ["T20"]\n',
                                      "old.py": broken})
    git(root, "checkout", "-qb", "feature")
    git(root, "mv", "old.py", "new.py")
    (root / "new.py").write_text(broken.replace("(b:", "(b):"))
    git(root, "commit", "-qam", "move and mend")
    report = _review(root)
    kept = [f for bucket in ("remaining", "nits") for f in report["findings"][bucket]
            if f["rule"] == "T201"]
    assert [f["file"] for f in kept] == ["new.py"], report["findings"]
    assert "could not read the file at the change's base" in kept[0]["rationale"], kept
