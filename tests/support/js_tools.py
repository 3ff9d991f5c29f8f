"""ESLint (npm) and shellcheck (PyPI) installed once, as `reviewloop tools install` does it,
into a tools folder kept between sessions: `$REVIEWLOOP_TEST_TOOLS_CACHE`, else
`~/.cache/reviewloop-tests/tools`. The folder names carry the pins, so a new pin installs
afresh; a re-run finds the marker and never reaches a registry. Tests that use `eslint_tools`
are marked `npm`, those that use `shellcheck_tools` `pypi`. xdist workers share the folder:
`provision.install` holds a lock, the first installs and the others wait."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.provision import TOOLS, install

# read at import: the suite's autouse fixture clears REVIEWLOOP_* variables for each test
_CONFIGURED = os.environ.get("REVIEWLOOP_TEST_TOOLS_CACHE")


def cache_root() -> Path:
    return Path(_CONFIGURED) if _CONFIGURED else \
        Path.home() / ".cache" / "reviewloop-tests" / "tools"


def _installed(monkeypatch: pytest.MonkeyPatch, *names: str) -> Path:
    root = cache_root()
    for name in names:
        install(TOOLS[name], root)
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(root))  # offline stays set: no installing
    return root


@pytest.fixture
def eslint_tools(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The kept tools folder with ESLint installed, as this test's REVIEWLOOP_TOOLS_DIR."""
    return _installed(monkeypatch, "eslint")


@pytest.fixture
def shellcheck_tools(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The kept tools folder with shellcheck installed, as this test's REVIEWLOOP_TOOLS_DIR."""
    return _installed(monkeypatch, "shellcheck")
