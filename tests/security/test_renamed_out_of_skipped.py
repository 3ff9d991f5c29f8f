"""A rename out of a folder the project's tool skips into code it checks (fuzz round 7, D6):
`git mv vendor/lib.py src/lib.py` with ruff's `extend-exclude`, bandit's `exclude_dirs`,
checkov's `skip-path`, or out of the tools' own defaults (`.venv`, `site-packages`, `.tox`,
`node_modules`, checkov's hidden folders), out of a folder the tree's `.gitignore` ignores
(ruff respects it: round 8, D6), out of an extension-less script `ruff check .` and `bandit
-r .` never take for Python (`bin/deploy`, read by name only: round 8, D7). Plain `ruff
check .`, `bandit -r .`, `checkov -d .`, `eslint .` report nothing at the base and fail the
head. The review compared the file with its base run at its old path, where it was read
after all: every finding met a twin there, and the review passed complete.

The matrix: (tool, what skips the old path: the project's config or the tool's default) ×
(pure rename, rename + edit), beside twins renamed within skipped code (plain: nothing on
either side) and within checked code (the same finding on both). The review must report a
rule on the new path exactly when the plain tool reports it at the head and not at the base.
"""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.checkov import plain_checkov
from tests.support.gitutil import git
from tests.support.plain_eslint import plain_eslint, rule_hits
from tests.support.repos import init_repo
from tests.support.review_cli import review

PY = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n" \
     "    return undefined_name\n"
TF = ('resource "aws_security_group" "g{n}" {{\n  name = "g{n}"\n  ingress {{\n'
      '    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n'
      '    cidr_blocks = ["0.0.0.0/0"]\n  }}\n}}\n')
JS = "export function run(code) {\n  return eval(code);\n}\n"
CONFIG = {"pyproject.toml": '[project]\nname = "p"\nversion = "0"\n[tool.ruff]\n'
                            'extend-exclude = ["vendor"]\n'
                            '[tool.bandit]\nexclude_dirs = ["vendor"]\n',
          ".checkov.yaml": "skip-path:\n  - vendor\n", ".gitignore": "generated/\n"}
SCRIPT = "#!/usr/bin/env python3\n"  # what makes `bin/deploy` Python when named
# a file no plain tool takes for its language, renamed into one it does: a script, a `.es6`
OLD_NAMES = {("extension", "py"): "main", ("extension", "js"): "main.es6"}
ESLINT = ('export default [{ ignores: ["legacy/**"] }, { files: ["**/*.js"], '
          'languageOptions: { ecmaVersion: 2022, sourceType: "module" }, '
          'rules: { "no-eval": "error" } }];\n')
# kind → the folder a file is renamed from and the one it is renamed to
PY_KINDS = {"config": ("vendor", "src"), "gitignore": ("generated", "src"),
            "extension": ("bin", "src"), "venv": (".venv/lib", "src"),
            "site": ("site-packages", "src"), "tox": (".tox", "src"),
            "modules": ("node_modules/x", "src"),
            "skipped twin": ("vendor", "vendor/sub"), "checked twin": ("old", "src")}
TF_KINDS = {"config": ("vendor", "infra"), "hidden": (".old", "infra"),
            "modules": ("node_modules/m", "infra"),
            "skipped twin": ("vendor", "vendor/sub"), "checked twin": ("old", "infra")}
JS_KINDS = {"modules": ("node_modules/x", "web"), "config": ("legacy", "web"),
            "extension": ("lib", "web"), "gitignore": ("generated", "web"),
            "ignored twin": ("legacy", "legacy/sub"),
            "skipped twin": ("node_modules/x", "node_modules/y"), "checked twin": ("old", "web")}
MODES = {"pure": "", "edit": "\n"}  # an added blank line: no finding of its own

Moves = list[tuple[str, str, str]]  # (old, new, the comment a mode appends)


def _moved(root: Path, kinds: dict[str, tuple[str, str]], ext: str,
           text: Callable[[int], str], base: dict[str, str]) -> Moves:
    """The files of a matrix in `base`, each of its own `text(n)` (git pairs each old path
    with its new one only when no two files are alike), and their moves."""
    moves = []
    for n, ((kind, (old, new)), mode) in enumerate(itertools.product(kinds.items(), MODES)):
        stem = f"{kind.replace(' ', '_')}_{mode}"  # a folder each: a Terraform module each
        name = OLD_NAMES.get((kind, ext), f"main.{ext}")
        base[f"{old}/{stem}/{name}"] = (SCRIPT if name == "main" else "") + text(n)
        moves.append((f"{old}/{stem}/{name}", f"{new}/{stem}/main.{ext}", MODES[mode]))
    return moves


def _init(root: Path, base: dict[str, str]) -> Path:
    """The base committed, the `.gitignore`d `generated/` too (a generated file kept)."""
    init_repo(root, base)
    git(root, "add", "-f", "generated")
    git(root, "commit", "-q", "--amend", "--no-edit")
    return root


def _rename(root: Path, moves: Moves) -> None:
    git(root, "checkout", "-qb", "feature")
    for old, new, added in moves:
        (root / new).parent.mkdir(parents=True, exist_ok=True)
        git(root, "mv", "-f", old, new)
        if added:
            with (root / new).open("a") as f:
                f.write(added)
    git(root, "commit", "-qam", "move")


def _reported(root: Path) -> set[tuple[str, str]]:
    done = review(root, "--base", "main", "--head", "feature", "--json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    # a script renamed into a `.py` file (a `.es6` into `.js`) is new code no model reviewer
    # read (its diff shows none of it): said so, the analyzers' findings counting
    assert report["health"]["complete"] or all(
        re.search(r"renamed into a (python|javascript) file", why)
        for why in _unread(report)), report["verdict"]
    return {(f["rule"], f["file"]) for bucket in ("remaining", "nits")
            for f in report["findings"][bucket]}


def _unread(report: dict[str, Any]) -> list[str]:
    """Why the review says each file it did not analyse was not."""
    return [why for file in report["health"]["files"] for why in file["not_read"]] \
        or ["(none said)"]


def _plain_python(root: Path) -> set[tuple[str, str]]:
    """(rule, file) of plain `ruff check .` and `bandit -c pyproject.toml -r .`."""
    ruff = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache",
                           "--output-format", "json", "."], cwd=root, capture_output=True,
                          text=True, check=False, timeout=120)
    bandit = subprocess.run([sys.executable, "-m", "bandit", "-c", "pyproject.toml", "-r", ".",
                             "-f", "json", "-q"], cwd=root, capture_output=True, text=True,
                            check=False, timeout=300)
    found = json.loads(bandit.stdout)["results"]
    return {(d["code"], Path(d["filename"]).relative_to(root.resolve()).as_posix())
            for d in json.loads(ruff.stdout)} | \
        {(r["test_id"], r["filename"].removeprefix("./")) for r in found}


def _both(root: Path, plain: Callable[[Path], set[tuple[str, str]]]
          ) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    git(root, "checkout", "-q", "main")
    before = plain(root)
    git(root, "checkout", "-q", "feature")
    return before, plain(root)


def _agree(moves: Moves, rules: tuple[str, ...], before: set[tuple[str, str]],
           after: set[tuple[str, str]], reported: set[tuple[str, str]]) -> None:
    """Each rule on each new path is reported exactly when the plain tool newly reports it."""
    for (old, new, _), rule in itertools.product(moves, rules):
        new_there = (rule, new) in after and (rule, old) not in before
        assert ((rule, new) in reported) == new_there, \
            (rule, old, new, sorted(before), sorted(after), sorted(reported))
    # the matrix holds both answers, for each rule
    for rule in rules:
        answers = {(rule, new) in reported for _, new, _ in moves}
        assert answers == {True, False}, (rule, sorted(reported))


@pytest.mark.pypi
@pytest.mark.timeout(900)
def test_a_rename_out_of_what_ruff_bandit_and_checkov_skip_is_the_changes(
        tmp_path: Path, iac_env: Path) -> None:
    base = dict(CONFIG)
    py = _moved(tmp_path, PY_KINDS, "py", lambda n: f"# {n}\n{PY}", base)
    tf = _moved(tmp_path, TF_KINDS, "tf", lambda n: TF.format(n=n), base)
    root = _init(tmp_path / "r", base)
    _rename(root, [*py, *tf])

    def checkov(where: Path) -> set[tuple[str, str]]:
        return {(c["check_id"], c["file_path"].lstrip("/"))
                for c in plain_checkov(iac_env, where, "--framework", "terraform")}

    reported = _reported(root)
    _agree(py, ("F821", "B602"), *_both(root, _plain_python), reported)
    _agree(tf, ("CKV_AWS_24",), *_both(root, checkov), reported)


@pytest.mark.npm
@pytest.mark.timeout(600)
def test_a_rename_out_of_what_eslint_skips_is_the_changes(
        tmp_path: Path, eslint_tools: Path) -> None:
    base = {"eslint.config.mjs": ESLINT, ".gitignore": CONFIG[".gitignore"],
            "package.json": '{"name": "x", "version": "1.0.0", "private": true}\n'}
    js = _moved(tmp_path, JS_KINDS, "js", lambda n: f"// {n}\n{JS}", base)
    root = _init(tmp_path / "r", base)
    _rename(root, js)

    def eslint(where: Path) -> set[tuple[str, str]]:
        return {(rule, path) for path, rule, _ in rule_hits(plain_eslint(where))}

    _agree(js, ("no-eval",), *_both(root, eslint), _reported(root))
