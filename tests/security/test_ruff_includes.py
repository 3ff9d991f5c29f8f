"""A file the project's own ruff configuration declares Python is ruff's. With
`extend-include = ["*.py3"]` in the base's `pyproject.toml`, plain `ruff check .` reports an
undefined name in a changed `tools/Toolbox.py3`; the review read it as text of no language
(secrets only) and passed. Now the trusted side's `include` / `extend-include` patterns make
a changed file ruff's, whatever its suffix.

Generated: the configuration file (`pyproject.toml`'s `[tool.ruff]`, `ruff.toml`,
`.ruff.toml`), the key, the pattern (a name pattern, a path pattern, with `./` or not) and the
folder of the matching file; twins never read by ruff: a file no pattern matches, and, in a
pull request, patterns only the change itself adds (a change never widens its own review)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.gitutil import git
from tests.support.repos import commit, init_repo
from tests.support.review_cli import review

CODE = "def run(params):\n    return undefined_thing + params\n"


@st.composite
def configs(draw: st.DrawFn) -> tuple[str, str, str, str]:
    """(config file name, its text, a path it declares Python, the suffix it uses)"""
    suffix = draw(st.sampled_from(("py3", "cgi", "pyw3", "bzl")))
    folder = draw(st.sampled_from(("tools", "bin", "deep/er")))
    pattern = draw(st.sampled_from((f"*.{suffix}", f"{folder}/*.{suffix}",
                                    f"./{folder}/*.{suffix}")))
    key = draw(st.sampled_from(("include", "extend-include")))
    name = draw(st.sampled_from(("pyproject.toml", "ruff.toml", ".ruff.toml")))
    table = f'{key} = ["*.py", "{pattern}"]\n'
    text = f'[project]\nname = "x"\n\n[tool.ruff]\n{table}' if name == "pyproject.toml" \
        else table
    return name, text, f"{folder}/Tool.{suffix}", suffix


def _ruff(report: dict, path: str) -> tuple[set[str], list[str]]:
    rules = {f["rule"] for f in report["findings"]["remaining"] if f["file"] == path
             and f["source"].startswith("ruff")}
    row = next(r for r in report["health"]["files"] if r["path"] == path)
    return rules, row["analysed_by"]


@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(configs())
def test_a_file_the_projects_ruff_config_includes_is_ruffs(drawn: tuple[str, str, str, str]
                                                           ) -> None:
    name, text, path, suffix = drawn
    other = f"misc/Tool.{suffix}x"  # matched by no pattern
    with tempfile.TemporaryDirectory() as scratch:
        root = init_repo(Path(scratch) / "r", {name: text, "README.md": "base\n"})
        git(root, "checkout", "-qb", "feature")
        commit(root, {path: CODE, other: CODE}, "add tools")
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never",
                      "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    rules, readers = _ruff(report, path)
    assert "F821" in rules, (drawn, rules)
    assert any(r.startswith("ruff-maintainability") for r in readers), readers
    assert _ruff(report, other) == (set(), ["secrets (review-security)"])


def test_patterns_the_change_adds_do_not_widen_its_own_review(tmp_path: Path) -> None:
    """In a pull request the base's configuration counts; in a review of the user's own
    working change, the tree's."""
    root = init_repo(tmp_path / "r", {"README.md": "base\n"})
    git(root, "checkout", "-qb", "feature")
    commit(root, {"ruff.toml": 'extend-include = ["*.py3"]\n', "tools/Tool.py3": CODE},
           "add tools and the pattern")
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert _ruff(json.loads(done.stdout), "tools/Tool.py3")[0] == set()
    git(root, "reset", "-q", "--soft", "main")  # the same change, uncommitted: the user's own
    done = review(root, "--fail-on", "never", "--json")
    assert "F821" in _ruff(json.loads(done.stdout), "tools/Tool.py3")[0]
