"""The project's rules skip the files the project's `ruff check .` excludes (fuzz round 9a,
D8): its `exclude`, `extend-exclude` and `lint.exclude`, each from the folder of the config
that declares it, carried to the project's run (`ruff_chain.written`) under
`--force-exclude`.

Generated: a fixed product of the key, the pattern (a name, a path from the root, from the
nested folder, a glob) and the config declaring it (the root's, or the nested one extending
it); oracle: the files plain `ruff check .` reports T201 in."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

from tests.support.gitutil import git
from tests.support.repos import commit, init_repo
from tests.support.review_cli import review
from tests.support.ruff_chain import chain_config, ruff_report

FILES = ("api/x.py", "api/scripts/x.py", "api/scripts/deep/y.py", "api/tools/z.py")
KEYS = ("exclude", "extend-exclude", "lint.exclude")
PATTERNS = ("scripts", "api/scripts", "scripts/*", "tools/*.py", "*/deep/*", "z.py")
DECLARED_IN = ("root", "nested")


def _reported(root: Path, *arguments: str) -> set[str]:
    return {os.path.relpath(f["filename"], root) for f in ruff_report(root, *arguments)}


def _setting(key: str, pattern: str) -> str:
    if key == "lint.exclude":
        return f'[lint]\nexclude = ["{pattern}"]\n'
    return f'{key} = ["{pattern}"]\n'


def test_the_projects_excludes_are_skipped_as_ruff_skips_them(tmp_path: Path) -> None:
    wrong = []
    for n, (key, pattern, declared_in) in enumerate(itertools.product(KEYS, PATTERNS,
                                                                      DECLARED_IN)):
        root = Path(os.path.realpath(tmp_path)) / str(n)
        for path in FILES:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text("print(1)\n")
        setting = _setting(key, pattern)
        select = 'select = ["T20"]\n'
        root_text = setting if declared_in == "root" else ""
        (root / "ruff.toml").write_text(
            root_text.replace("[lint]\n", f"[lint]\n{select}") if "[lint]" in root_text
            else root_text + f"[lint]\n{select}")
        (root / "api" / "ruff.toml").write_text(
            'extend = "../ruff.toml"\n' + (setting if declared_in == "nested" else ""))
        config = chain_config(root, "api/x.py", tmp_path / f"scratch{n}")
        plain = _reported(root, ".")
        ours = _reported(root, "--config", str(config), "--force-exclude",
                         *(str(root / p) for p in FILES))
        if plain != ours:
            wrong.append((key, pattern, declared_in, sorted(plain), sorted(ours)))
    assert not wrong, wrong


def test_the_review_reports_no_project_rule_on_an_excluded_file(tmp_path: Path) -> None:
    """End to end: T20 is the project's rule only; its excluded `scripts/` gets none."""
    root = init_repo(tmp_path / "r", {
        "ruff.toml": 'extend-exclude = ["scripts"]\n[lint]\nselect = ["T20"]\n',
        "README.md": "x\n"})
    git(root, "checkout", "-qb", "feature")
    commit(root, {"app.py": "print(1)\n", "scripts/x.py": "print(2)\n"}, "prints")
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    found = {(f["rule"], f["file"]) for key in ("remaining", "nits")
             for f in json.loads(done.stdout)["findings"][key] if f["rule"] == "T201"}
    assert found == {("T201", "app.py")}, found
