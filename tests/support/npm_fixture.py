"""Node fixture projects for the JS/TS tests: a real `npm ci` from the fixture's committed
lockfile, once per lockfile, into a cache kept between sessions.

The cache is `$REVIEWLOOP_TEST_NPM_CACHE`, else `~/.cache/reviewloop-tests/npm`: one folder
per (package.json, package-lock.json) hash, marked ready only after `npm ci` finished, so a
half-made one is never used. xdist workers (and parallel sessions) share it through a lock
file: the first installs, the others wait. The registry is needed the first time only; tests
that use it are marked `npm` (skipped unless REVIEWLOOP_NPM=1; CI sets it).

`project(fixture, into)` copies a fixture's files (never its node_modules) into a folder and
gives it the cached `node_modules` as hard links (a copy across file systems): tools inside the
project see an ordinary installed project, and nothing a test does reaches the cache.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "node"
MANIFESTS = ("package.json", "package-lock.json")
_READY = ".reviewloop-npm-ready"
_IGNORED = shutil.ignore_patterns("node_modules", "cdk.out", "coverage", "dist")


# read at import: the suite's autouse fixture clears REVIEWLOOP_* variables for each test
_CONFIGURED = os.environ.get("REVIEWLOOP_TEST_NPM_CACHE")


def cache_root() -> Path:
    configured = _CONFIGURED
    return Path(configured) if configured else Path.home() / ".cache" / "reviewloop-tests" / "npm"


def installed(fixture: Path) -> Path:
    """The `node_modules` folder `npm ci` made for `fixture`'s lockfile (installed now when
    no earlier session did)."""
    missing = [name for name in MANIFESTS if not (fixture / name).is_file()]
    if missing:
        raise FileNotFoundError(f"{fixture} has no {', '.join(missing)}: run `npm install` "
                                f"there once and commit the lockfile")
    digest = hashlib.sha256(b"".join((fixture / n).read_bytes() for n in MANIFESTS))
    home = cache_root() / f"{fixture.name}-{digest.hexdigest()[:16]}"
    if not (home / _READY).is_file():
        _install(fixture, home)
    return home / "node_modules"


def _install(fixture: Path, home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    with (home.parent / f"{home.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be installing it: wait
        if (home / _READY).is_file():
            return
        for name in MANIFESTS:
            shutil.copyfile(fixture / name, home / name)
        proc = subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline",
             "--cache", str(cache_root() / "_npm-cache")],
            cwd=home, capture_output=True, text=True, check=False, timeout=1800)
        if proc.returncode != 0:
            pytest.fail(f"npm ci for {fixture.name} failed ({proc.returncode}):\n"
                        f"{proc.stderr[-3000:]}")
        (home / _READY).write_text("ok\n")


def project(fixture: str | Path, into: Path) -> Path:
    """A working copy of fixture `fixture` (a name under tests/fixtures/node, or a path) in
    `into`, with its dependencies installed; returns `into`."""
    source = FIXTURES / fixture if isinstance(fixture, str) else fixture
    shutil.copytree(source, into, ignore=_IGNORED, dirs_exist_ok=True)
    modules = installed(source)
    try:
        shutil.copytree(modules, into / "node_modules", symlinks=True,
                        copy_function=os.link)
    except OSError:  # another file system: hard links cannot cross it
        shutil.rmtree(into / "node_modules", ignore_errors=True)
        shutil.copytree(modules, into / "node_modules", symlinks=True)
    return into
