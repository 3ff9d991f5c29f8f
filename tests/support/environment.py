"""The environment the whole suite runs in, built before any test or fixture (module- and
session-scoped ones included) from nothing the machine holds: a fresh HOME whose only file is
a git config of an identity and no automatic maintenance, no system git config, a fixed git
identity, and no XDG folders of the user's. So the README's test command passes on a fresh
machine with no git identity (and on one whose ~/.gitconfig, ~/.kiro or ~/.config would
otherwise leak into results).

Caches that only save time — the tools and npm folders the tests share between sessions,
this checkout's bytecode, npm's and pre-commit's downloads — stay in the user's real home:
they never change a result. Child processes (xdist workers, the CLI runs) inherit all of it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from collections.abc import MutableMapping
from pathlib import Path

import pytest

IDENTITY = {"GIT_AUTHOR_NAME": "reviewloop tests", "GIT_AUTHOR_EMAIL": "tests@reviewloop.invalid",
            "GIT_COMMITTER_NAME": "reviewloop tests",
            "GIT_COMMITTER_EMAIL": "tests@reviewloop.invalid"}
SUITE = "REVIEWLOOP_TEST_"  # the suite's own variables, never a setting of reviewloop's
HOST_HOME = SUITE + "HOST_HOME"  # the user's home, kept for the caches
# Read by git, reviewloop or its tools from outside the test's own folders.
_DROPPED = ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT",
            "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
            "XDG_DATA_HOME", "XDG_STATE_HOME")


def host_home(environ: MutableMapping[str, str] | None = None) -> Path:
    """The user's real home (the first process of the session saw it), for caches only."""
    environ = os.environ if environ is None else environ
    return Path(environ.get(HOST_HOME) or Path.home())


def isolate(environ: MutableMapping[str, str] | None = None) -> Path:
    """Make `environ` (default: this process's) the suite's; the HOME it now names."""
    environ = os.environ if environ is None else environ
    host = host_home(environ)
    environ.setdefault(HOST_HOME, str(host))
    caches = host / ".cache" / "reviewloop-tests"
    for name, folder in (("REVIEWLOOP_TEST_TOOLS_CACHE", caches / "tools"),
                         ("REVIEWLOOP_TEST_NPM_CACHE", caches / "npm"),
                         ("REVIEWLOOP_TEST_PYPI_CACHE", caches / "pypi"),
                         ("npm_config_cache", host / ".npm"),
                         ("PRE_COMMIT_HOME", host / ".cache" / "pre-commit"),
                         ("PIP_CACHE_DIR", host / ".cache" / "pip")):
        environ.setdefault(name, str(folder))
    for name in [n for n in environ if n in _DROPPED or n.startswith(("GIT_CONFIG_KEY_",
                                                                     "GIT_CONFIG_VALUE_"))]:
        del environ[name]
    home = Path(tempfile.mkdtemp(prefix="reviewloop-tests-home-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    # No automatic maintenance: git would start `git maintenance run --auto` after every
    # commit, merge and fetch (one more process each, thousands in a run) only to find a
    # test's few objects need no housekeeping. It changes no result.
    (home / ".gitconfig").write_text(
        f"[user]\n\tname = {IDENTITY['GIT_AUTHOR_NAME']}\n"
        f"\temail = {IDENTITY['GIT_AUTHOR_EMAIL']}\n[maintenance]\n\tauto = false\n",
        encoding="utf-8")
    # No analyzer installed from the network into this HOME: a module-scoped fixture runs
    # before the per-test environment (`suite_environment`) and once installed checkov from
    # PyPI here (a minute of pip per worker) where it meant the shared cache (`iac_tools`).
    environ.update({"HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1",
                    "REVIEWLOOP_TOOLS_OFFLINE": "1", **IDENTITY})
    # The tools installed beside this interpreter (zizmor, bandit, ruff from the `dev` extra)
    # first on PATH, as an activated environment has them: the suite run as
    # `.venv/bin/python -m pytest` from a shell that never activated it found no zizmor, and
    # a review test failed on the machine's PATH, not on the code. First even when PATH has
    # it already, later: behind pyenv's shims a project's `python -m pytest` ran pyenv's
    # Python, which has no coverage.py, and passed or failed with the shell it was run from
    here = str(Path(sys.executable).parent)
    rest = [entry for entry in environ.get("PATH", "").split(os.pathsep) if entry != here]
    environ["PATH"] = os.pathsep.join(filter(None, [here, *rest]))
    return home


def suite_environment(monkeypatch: pytest.MonkeyPatch, basetemp: Path) -> None:
    """What every test runs in (tests/conftest.py sets it for each one; a module-scoped
    fixture that runs reviewloop in its own process sets it with `pytest.MonkeyPatch.context`):
    none of the developer's AWS profile, tokens or reviewloop settings."""
    # The suite's own REVIEWLOOP_TEST_* names (the host home, the caches) stay: without them
    # a test took the isolated HOME for the user's and installed aws-cdk-lib into it afresh.
    for name in list(os.environ):
        if name.startswith(SUITE):
            continue
        if name.startswith(("AWS_", "REVIEWLOOP_")) or name in ("GITHUB_TOKEN", "GH_TOKEN"):
            monkeypatch.delenv(name, raising=False)
    empty = basetemp / "aws-empty"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # Analyzer environments: an empty cache that is never installed into (no network).
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(basetemp / "tools"))
    monkeypatch.setenv("REVIEWLOOP_TOOLS_OFFLINE", "1")
    # The pytest runs a test starts (a fixture project's test gate) load no entry-point
    # plugins: this venv's hypothesis and langsmith plugins cost seconds per run, and no
    # fixture project uses any. The sandbox passes the name through (sandbox/process.py).
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    # ... and keep their numbered temporary folders in this session's, not in the machine's
    # shared pytest-of-<user>: a pytest deletes, as it exits, what older sessions left there
    # (every numbered folder beyond its last three). A nested run of CI's quick-start test
    # spent over 300 s removing an earlier full run's gigabytes (tests/test_suite_environment.py).
    nested = basetemp / "nested-pytest"
    nested.mkdir(exist_ok=True)
    monkeypatch.setenv("PYTEST_DEBUG_TEMPROOT", str(nested))
