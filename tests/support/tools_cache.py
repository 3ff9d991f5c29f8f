"""The analyzer tools folder the tests share between sessions: `$REVIEWLOOP_TEST_TOOLS_CACHE`,
else `~/.cache/reviewloop-tests/tools`. Folder names carry the pins, so a new pin installs
afresh and a re-run finds the marker without reaching a registry; `provision.install` holds a
lock, so xdist workers (and two suites side by side) install once and wait for each other."""

from __future__ import annotations

import os
from pathlib import Path

# read at import: the suite's autouse fixture clears REVIEWLOOP_* variables for each test
_CONFIGURED = os.environ.get("REVIEWLOOP_TEST_TOOLS_CACHE")


def cache_root() -> Path:
    return Path(_CONFIGURED) if _CONFIGURED else \
        Path.home() / ".cache" / "reviewloop-tests" / "tools"
