"""The detected `python -m pytest` must find this interpreter, as in an activated virtualenv."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from reviewloop.checks.coverage.measure import forget


@pytest.fixture(autouse=True)
def _interpreter_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", os.pathsep.join((str(Path(sys.executable).parent),
                                                os.environ.get("PATH", ""))))
    forget()  # each test measures its own runs
