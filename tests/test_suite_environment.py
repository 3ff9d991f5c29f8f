"""The environment the suite's own processes start in (`tests/support/environment.isolate`,
before any fixture): what a module-scoped fixture sees, which runs before the per-test one."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.checks.analyzers.provision import TOOLS, ProvisionError, ensure, offline
from tests.support.environment import isolate

HOST = {"HOME": "/nonexistent-host-home", "PATH": "/usr/bin:/bin"}


@pytest.mark.parametrize("given", [{}, {"REVIEWLOOP_TOOLS_OFFLINE": "0"},
                                   {"REVIEWLOOP_TOOLS_OFFLINE": ""}])
def test_no_tool_is_installed_from_the_network_into_the_suites_home(
        given: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    environ = {**HOST, **given}
    home = isolate(environ)
    assert offline(environ)
    # what a review run in it does on first use: says checkov is not cached, installs none
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REVIEWLOOP_TOOLS_DIR", raising=False)
    with pytest.raises(ProvisionError, match="REVIEWLOOP_TOOLS_OFFLINE"):
        ensure(TOOLS["checkov"])
    assert not (Path(home) / ".cache").exists()
