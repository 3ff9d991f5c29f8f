"""Suite-wide guards: no real model provider, no real AWS, no user git config, no user HOME."""

from __future__ import annotations

import os
import sys

import pytest

from tests.support.environment import host_home, isolate, suite_environment

# The shared fixtures reach every test module from here, never by a name import (which a test's
# parameter of the same name would shadow). Where two support modules mean different things by
# one name, the one registered here is the default and a module wanting the other imports it
# under its function name, which registers it for that module only: `example_project`
# (loop_cli) as `project`, `base_root` (repos) as `root`, `feature_repo` (pr_mode) as `repo`.
pytest_plugins = [
    "tests.support.bedrock",  # bedrock_fake
    "tests.support.github",  # github_fake (before commands, which imports it)
    "tests.support.commands",  # world
    "tests.support.iac_tools",  # iac_tools, first_use_tools: the session's checkov/hadolint cache
    "tests.support.js_tools",  # eslint_tools, shellcheck_tools
    "tests.support.pg",  # postgres_server (one per session and worker), pg_url
    "tests.support.plugins",  # site
    "tests.support.runner",  # project: a LoopRunner project
    "tests.support.workspace",  # repo, ws, outside: temp repositories for the workspace tools
    "tests.support.worktrees",  # root: a repository on a `work` branch
    "tests.support.grouping",  # a module with a module-scoped fixture runs on one worker
    "tests.support.ordering",  # the tests marked `long` start first, the longest first
    "tests.support.bytecode",  # the controller writes the bytecode before the workers start
    "tests.support.examples",  # a generated test's examples, capped by the profile
]

# Before any fixture of any scope: HOME, git's config and identity built from nothing the
# machine holds (tests/support/environment.py).
isolate()

if sys.dont_write_bytecode and sys.pycache_prefix is None:
    # PYTHONDONTWRITEBYTECODE (common in containers) would make every xdist worker compile the
    # package and rewrite the test modules' asserts afresh on every run: ~16 s of CPU each.
    # The suite's own processes keep their bytecode in a cache outside the tree instead; the
    # processes a test starts keep the environment they are given.
    sys.pycache_prefix = str(host_home() / ".cache" / "reviewloop-tests" / "pycache")
    sys.dont_write_bytecode = False

_OPT_IN = {
    "live": ("REVIEWLOOP_LIVE", "talks to a real model provider; set REVIEWLOOP_LIVE=1"),
    "pypi": ("REVIEWLOOP_PYPI", "installs from PyPI; set REVIEWLOOP_PYPI=1 (CI does)"),
    "npm": ("REVIEWLOOP_NPM", "npm ci from the npm registry (once per lockfile, cached "
                              "between sessions); set REVIEWLOOP_NPM=1 (CI does)"),
}


def pytest_collection_modifyitems(config, items):
    for marker, (variable, reason) in _OPT_IN.items():
        if os.environ.get(variable) == "1":
            continue
        skip = pytest.mark.skip(reason=reason)
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test that needs the sandbox where bwrap cannot create namespaces is skipped with
    the reason, not failed (CI installs bubblewrap; this machine runs them)."""
    outcome = yield
    report = outcome.get_result()
    from reviewloop.sandbox.bubblewrap import SandboxUnavailable, problem

    if call.excinfo is not None and call.excinfo.errisinstance(SandboxUnavailable) \
            and problem() is not None:
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0,
                           f"Skipped: no working sandbox here: {problem()}")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path_factory, request):
    """Tests never see the developer's AWS profile, tokens or reviewloop settings."""
    if "live" in request.keywords:
        return
    suite_environment(monkeypatch, tmp_path_factory.getbasetemp())


@pytest.fixture
def no_global_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """git reads no global config in this test, not even the suite's identity file (the
    identity stays in the environment); GIT_DIR, GIT_WORK_TREE and GIT_INDEX_FILE unset."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
