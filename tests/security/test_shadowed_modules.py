"""A change's own top-level modules are never imported by its review. `python -m bandit` run
in the reviewed tree would put that tree first on bandit's module path, and `python -m
reviewloop` run in the repository would do the same for reviewloop: a change's `textwrap.py`
or `yaml.py` would then be imported in place of the standard library's or a dependency's, and
run. Every top-level name of the standard library and of the installed distributions is
planted in a change, each module writing a marker named after itself if it is ever run; the
review is run both as `python -m reviewloop` from the repository and as the command.

`reviewloop` itself is left out: a `reviewloop.py` in the folder `python -m reviewloop` runs
in is what `-m` runs, before any of reviewloop's code (docs/security.md says to run the
command, or `python -P -m reviewloop`)."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.repos import init_repo


def _names() -> list[str]:
    names = set(sys.stdlib_module_names) | set(importlib.metadata.packages_distributions())
    return sorted(n for n in names
                  if n.isidentifier() and not n.startswith("__") and n != "reviewloop")


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A repository whose `feature` adds a module for every name, and the markers' folder."""
    top = tmp_path_factory.mktemp("shadow")
    markers = top / "markers"
    markers.mkdir()
    root = init_repo(top / "repo", {"README.md": "project\n"})
    git(root, "checkout", "-qb", "feature")
    for name in _names():
        (root / f"{name}.py").write_text(
            f"open({str(markers / name)!r}, 'w').close()\n", encoding="utf-8")
    (root / "app.py").write_text("import subprocess\n\n\ndef run(cmd):\n"
                                 "    return subprocess.call(cmd, shell=True)\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "feature")
    return root, markers


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("GITHUB_", "AWS_")) and k not in ("PYTHONSAFEPATH",
                                                                  "PYTHONPATH")}


@pytest.mark.parametrize("command", [[sys.executable, "-m", "reviewloop"],
                                     [str(Path(sys.executable).parent / "reviewloop")]],
                         ids=["python -m reviewloop", "the command"])
def test_no_module_of_the_change_is_imported_by_its_review(planted: tuple[Path, Path],
                                                           command: list[str]) -> None:
    root, markers = planted
    done = subprocess.run([*command, "review", "--base", "main", "--head", "feature", "--json"],
                          cwd=root, env=_env(), capture_output=True, text=True, timeout=280,
                          check=False)
    assert sorted(p.name for p in markers.iterdir()) == []
    assert done.returncode == 1, done.stderr[-3000:]
    report = json.loads(done.stdout)
    bandit = [h for h in report["health"]["analyzers"] if h["name"] == "bandit"]
    assert [h["status"] for h in bandit] == ["ok"]
    assert any(f["file"] == "app.py" and f["rule"] == "B602"
               for f in report["findings"]["remaining"])
