"""The trusted side's ruff declarations reach reviewloop's own rule run (fuzz round 9a, D6):
with `builtins = ["_"]`, FastAPI's calls declared immutable, a project's dummy names, plain
`ruff check` with reviewloop's own rule selection reports nothing on `_("hi")`,
`Depends(get_db)` or `ignored_value = 1`, and reviewloop's own run must not either.

Generated: a fixed product of each declaration, its spelling (under `[lint]` or at the
top), whether it is declared in the root's config that a nested one extends or in the
nested one, and code using it (and code it does not cover: those findings stay); oracle:
plain `ruff check --select <reviewloop's selection>` with the project's config."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

from reviewloop.checks.analyzers.ruff import RUFF_MAINTAINABILITY
from reviewloop.checks.analyzers.ruff_declarations import declaration_arguments
from tests.support.gitutil import git
from tests.support.repos import commit, init_repo
from tests.support.review_cli import review
from tests.support.ruff_chain import governing, ruff_report

SELECT = ",".join(RUFF_MAINTAINABILITY.select)
DECLARATIONS = (  # (table, key, value, code it covers, code it does not)
    ("", "builtins", '["_"]', 'def f():\n    return _("hi")\n',
     'def g():\n    return N_("hi")\n'),
    ("flake8-bugbear", "extend-immutable-calls", '["fastapi.Depends", "fastapi.Query"]',
     "from fastapi import Depends, Query\n\n\ndef read(q=Query(None), db=Depends(list)):\n"
     "    return q, db\n",
     "def other(x=list()):\n    return x\n"),
    ("", "dummy-variable-rgx", '"^ignored_.*$"', "def f():\n    ignored_value = 1\n",
     "def g():\n    unused = 1\n"),
    ("pyflakes", "extend-generics", '["mylib.Box"]',
     "from typing import TYPE_CHECKING\n", ""),
    ("", "allowed-confusables", '["−"]', 's = "a − b"\n', 's2 = "a ∗ b"\n'),
)
SPELLINGS = ("lint", "top")
DECLARED_IN = ("root", "nested")


def _codes(root: Path, *arguments: str) -> list[tuple[str, int]]:
    return sorted((f["code"], f["location"]["row"])
                  for f in ruff_report(root, "--ignore-noqa", *arguments, "api/x.py"))


def _config(table: str, key: str, value: str, spelling: str) -> str:
    if key == "builtins":
        return f"{key} = {value}\n"
    prefix = "lint." if spelling == "lint" else ""
    return f"[{prefix}{table}]\n{key} = {value}\n" if table else \
        (f"[lint]\n{key} = {value}\n" if spelling == "lint" else f"{key} = {value}\n")


def test_declarations_reach_the_own_run_as_plain_ruff_reads_them(tmp_path: Path) -> None:
    wrong = []
    for n, ((table, key, value, covered, other), spelling, declared_in) in enumerate(
            itertools.product(DECLARATIONS, SPELLINGS, DECLARED_IN)):
        root = Path(os.path.realpath(tmp_path)) / str(n)
        (root / "api").mkdir(parents=True)
        declaration = _config(table, key, value, spelling)
        (root / "ruff.toml").write_text(declaration if declared_in == "root" else "")
        (root / "api" / "ruff.toml").write_text(
            'extend = "../ruff.toml"\n' + (declaration if declared_in == "nested" else ""))
        (root / "api" / "x.py").write_text(covered + "\n\n" + other)
        plain = _codes(root, "--select", SELECT)
        ours = _codes(root, "--isolated", "--select", SELECT,
                      *declaration_arguments(governing(root, "api/x.py").table))
        if plain != ours:
            wrong.append((key, spelling, declared_in, plain, ours))
    assert not wrong, wrong


def test_a_base_builtin_is_no_undefined_name_in_the_review(tmp_path: Path) -> None:
    """End to end: the base declares gettext's `_`; the change uses it, and an undeclared
    name beside it stays a must-fix."""
    root = init_repo(tmp_path / "r", {"ruff.toml": 'builtins = ["_"]\n', "README.md": "x\n"})
    git(root, "checkout", "-qb", "feature")
    commit(root, {"app.py": 'def hello():\n    return _("hello")\n\n\n'
                            'def other():\n    return N_("x")\n'}, "use _")
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    found = {(f["rule"], f["start_line"], f["title"])
             for f in json.loads(done.stdout)["findings"]["remaining"]
             if f["source"].startswith("ruff")}
    assert found == {("F821", 6, "Undefined name `N_`")}, found
