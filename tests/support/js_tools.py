"""ESLint (npm) and shellcheck (PyPI) installed once, as `reviewloop tools install` does it,
into the tools folder kept between sessions (`tests/support/tools_cache.py`). Tests that use
`eslint_tools` are marked `npm`, those that use `shellcheck_tools` `pypi`."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.checks.analyzers.provision import TOOLS, install
from tests.support.tools_cache import cache_root


def installed(monkeypatch: pytest.MonkeyPatch, *names: str) -> Path:
    """The kept tools folder with `names` installed, as REVIEWLOOP_TOOLS_DIR in `monkeypatch`
    (a module-scoped fixture's `pytest.MonkeyPatch.context()`, or a test's)."""
    root = cache_root()
    for name in names:
        install(TOOLS[name], root)
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(root))  # offline stays set: no installing
    return root


@pytest.fixture
def eslint_tools(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The kept tools folder with ESLint installed, as this test's REVIEWLOOP_TOOLS_DIR."""
    return installed(monkeypatch, "eslint")


@pytest.fixture
def shellcheck_tools(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The kept tools folder with shellcheck installed, as this test's REVIEWLOOP_TOOLS_DIR."""
    return installed(monkeypatch, "shellcheck")
