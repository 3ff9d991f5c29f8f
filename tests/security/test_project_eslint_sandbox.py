"""The project's own ESLint config is code, run only in the sandbox: with no working sandbox
(a host that forbids user namespaces) every file it would lint is named as not read, with the
sandbox's fix; reviewloop's own ESLint run is not that config, and still reports. A change
whose files' project rules all run stays complete (`tests/support/project_eslint.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.checks.analyzers.eslint_configs import has_jiti
from reviewloop.checks.analyzers.provision import TOOLS, home
from tests.support.project_eslint import (
    FOUND,
    VARIANTS,
    build,
    check,
    expected,
    no_sandbox,
    reviewed,
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("eslint-sandbox"))


@pytest.mark.npm
def test_without_a_sandbox_the_files_are_named_as_not_read(
        project: Path, eslint_tools: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWLOOP_BWRAP", str(no_sandbox(project.parent)))
    tool_home = home(TOOLS["eslint"])
    jiti = tool_home is not None and has_jiti(tool_home)
    report = reviewed(project, "code")
    for variant in VARIANTS:
        check(report, variant, expected(variant, "code", jiti, sandbox=False))
    row = next(r for r in report["health"]["files"] if r["path"] == "inst/own0/a.js")
    assert any(by.startswith("eslint-performance") for by in row["analysed_by"])  # ours ran


@pytest.mark.npm
def test_a_change_whose_project_rules_all_run_stays_complete(
        project: Path, eslint_tools: Path) -> None:
    report = reviewed(project, "clean")
    assert report["health"]["complete"] is True, report["health"]
    for variant in VARIANTS:
        want = expected(variant, "clean", jiti=False)
        if want in (FOUND, None):
            check(report, variant, want)
