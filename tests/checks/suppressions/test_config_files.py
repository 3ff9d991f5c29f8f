"""The config files the analyzers' tools obey, declared by each analyzer in one place, are
the levers trust checks: a whole file by its path, a shared file's tool table when the change
alters it. A new analyzer that declares none (not even `()`) fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.registry import ANALYZERS, undeclared
from reviewloop.checks.suppressions.added import added_suppressions
from reviewloop.checks.suppressions.config_files import declared, lever, tables_in
from reviewloop.checks.suppressions.files import TrustedFiles
from reviewloop.git.repository import open_repository
from reviewloop.policy import globs
from reviewloop.policy.lever_files import ConfigFile
from reviewloop.policy.trust import LeverKind, Trust
from tests.support.suppression_trust import pr_repo


@pytest.mark.parametrize(("path", "owner"), [
    (".gitleaksignore", "gitleaks"), ("svc/.gitleaksignore", "gitleaks"),
    ("infra/.checkov.yaml", "checkov"), (".checkov.baseline", "checkov"),
    (".hadolint.yaml", "hadolint"), (".github/zizmor.yml", "zizmor"), ("ruff.toml", "ruff"),
    ("sub/.ruff.toml", "ruff"), (".bandit", "bandit"), ("web/eslint.config.mjs", "eslint"),
    (".eslintrc.json", "eslint"), (".eslintignore", "eslint"), (".shellcheckrc", "shellcheck")])
def test_a_tools_config_file_is_a_suppression_lever_of_that_tool(path: str, owner: str) -> None:
    found = lever(path)
    assert found is not None and (found.kind, found.owner) == (LeverKind.SUPPRESSION, owner)


@pytest.mark.parametrize("path", ["tox.ini", "setup.cfg", ".flake8", "pkg/setup.cfg"])
def test_files_ruff_never_reads_are_not_its_suppressions(path: str) -> None:
    """ruff reads pyproject.toml, ruff.toml and .ruff.toml only: tox.ini, setup.cfg and
    .flake8 steer CI's flake8, pytest, coverage.py and mypy, which a run leaves to a human."""
    found = lever(path)
    assert found is not None and found.kind is LeverKind.EXECUTED
    assert "ruff" not in found.owner
    assert not any(c.owner == "ruff" and lever(c.glob) == lever(path) for c in declared())


def test_every_analyzer_declares_the_config_files_its_tool_obeys() -> None:
    """Each registered analyzer declares them (possibly none, as `()`), and each declared
    whole file is a lever of its tool."""
    for name, analyzer in ANALYZERS.items():
        assert undeclared(analyzer) == [], name
    for config in declared():
        if not config.key:
            found = lever(config.glob)
            assert found is not None and (found.kind, found.owner) == (
                LeverKind.SUPPRESSION, config.owner)
    assert {"bandit", "ruff", "checkov", "hadolint", "zizmor", "eslint", "shellcheck",
            "gitleaks"} <= {c.owner for c in declared()}


def test_an_analyzer_that_declares_no_config_files_fails_the_contract() -> None:
    class Forgetful:
        name, max_bytes, markers = "forgetful", 1000, ()

        def available(self) -> None: ...
        def reads(self, ctx: object) -> list[str]: return []
        def run(self, ctx: object) -> list[object]: return []

    assert undeclared(Forgetful()) == ["config_files"]
    Forgetful.config_files = ["ruff.toml"]  # type: ignore[attr-defined]
    assert undeclared(Forgetful()) == ["config_files"]  # not ConfigFile declarations
    Forgetful.config_files = (ConfigFile("x.toml", "x"),)  # type: ignore[attr-defined]
    assert undeclared(Forgetful()) == []


PYPROJECT = '[project]\nname = "app"\ndependencies = []\n'


@pytest.mark.parametrize(("after", "owners"), [
    (PYPROJECT + '\n[tool.ruff.lint]\nignore = ["S"]\n', ["ruff"]),
    (PYPROJECT + '\n[tool.bandit]\nskips = ["B602"]\n', ["bandit"]),
    (PYPROJECT.replace("[]", '["requests"]'), []),  # a dependency: no tool's table
    (PYPROJECT + '\n[tool.black]\nline-length = 120\n', []),  # no analyzer's tool
])
def test_a_pyproject_counts_when_an_analyzers_table_changes(
        tmp_path: Path, after: str, owners: list[str]) -> None:
    root = tmp_path / "repo"
    pr_repo(root, {"pyproject.toml": PYPROJECT})
    (root / "pyproject.toml").write_text(after)
    trust = Trust(added={"pyproject.toml": frozenset({4, 5})},
                  touched=frozenset({"pyproject.toml"}), base="main")

    found = added_suppressions(TrustedFiles(open_repository(root), root, trust))

    assert [f.file for f in found] == ["pyproject.toml"] * len(owners)
    for finding, owner in zip(found, owners, strict=True):
        assert f"table configures {owner}" in finding.rationale


_NAMES = st.sampled_from(["pyproject.toml", "package.json", "ruff.toml", "a.py", "src",
                          "pyproject.toml.bak", "x-package.json", "Pyproject.toml", ".eslintrc",
                          "node_modules", "tool", "[x]", "a b"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_NAMES, min_size=1, max_size=4).map("/".join))
def test_the_tables_a_path_may_hold_are_those_whose_glob_matches_it(path: str) -> None:
    assert tables_in(path) == [c for c in declared() if c.key and globs.matches(c.glob, path)]
