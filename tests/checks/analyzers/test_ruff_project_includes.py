"""The project's own rules run on the files its `ruff check .` lints: those its `include`
(or ruff's default `*.py`, `*.pyi`, `*.ipynb`) and `extend-include` take, each pattern from
the folder of the config that declares it. A root `ruff.toml` selecting T20 with `include =
["src/**/*.py"]`: plain ruff passed a `print()` added under `scripts/`, the review reported
T201 (fuzz round 9a, D8): it named every changed file to the project's run, and ruff lints
a file it is named whatever its `include`.

Generated: a fixed product of the patterns, the key (`include`, `extend-include`) and the
config declaring it (the root's, or `api/ruff.toml` extending it); oracle: the files plain
`ruff check .` reports T201 in."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.ruff import RUFF_MAINTAINABILITY
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.git.diff import parse_diff
from tests.support.ruff_chain import ruff_report

FILES = ("src/a.py", "src/pkg/b.py", "scripts/x.py", "api/src/c.py", "api/scripts/d.py",
         "api/tool.py3", "top.py")
PATTERNS = (["src/**/*.py"], ["*.py"], ["src/*"], ["**/src/**/*.py"], ["scripts/x.py"],
            ["*.py3"], ["src/**/*.py", "*.py3"])
KEYS = ("include", "extend-include")
DECLARED_IN = ("root", "nested")


def _layout(root: Path, key: str, patterns: list[str], declared_in: str) -> None:
    setting = f"{key} = {patterns!r}\n".replace("'", '"')
    (root / "api").mkdir(parents=True)
    (root / "ruff.toml").write_text((setting if declared_in == "root" else "")
                                    + '[lint]\nselect = ["T20"]\n')
    (root / "api" / "ruff.toml").write_text(
        'extend = "../ruff.toml"\n' + (setting if declared_in == "nested" else ""))
    for path in FILES:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text("print(1)\n")


def _reviewed(root: Path) -> set[str]:
    ctx = AnalyzerContext(root=root, changes=parse_diff(""), diff_text="",
                          agent="review-maintainability", files=FILES, tests=ProjectTests())
    return {f.file for f in RUFF_MAINTAINABILITY.run(ctx) if f.rule == "T201"}


def test_the_projects_rules_run_on_the_files_its_include_takes(tmp_path: Path) -> None:
    wrong = []
    for n, (key, patterns, declared_in) in enumerate(itertools.product(KEYS, PATTERNS,
                                                                       DECLARED_IN)):
        root = Path(os.path.realpath(tmp_path)) / str(n)
        _layout(root, key, patterns, declared_in)
        plain = {os.path.relpath(f["filename"], root) for f in ruff_report(root, ".")
                 if f["code"] == "T201"}
        ours = _reviewed(root)
        if plain != ours:
            wrong.append((key, patterns, declared_in, sorted(plain), sorted(ours)))
    assert not wrong, wrong
