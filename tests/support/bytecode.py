"""The suite's bytecode written once, by the xdist controller, before its workers start.

From a fresh clone (CI's: `.ci/run`) every worker compiled the package and rewrote the test
modules' asserts as it collected, about 14 s of CPU each, four workers at once, all writing
the same files. The controller writes them first, as a worker would (pytest's own rewrite of
each test module, `compileall` for the rest), and each worker reads them: a worker still
checks each file's cache against its source as it imports it, and rewrites a stale one.
On a warm cache this costs the controller a read of each cache file's header.
"""

from __future__ import annotations

import compileall
import importlib.util
import struct
import sys
from fnmatch import fnmatch
from pathlib import Path

import pytest
from _pytest.assertion import rewrite

from tests.support.paths import ROOT


def _distributed(config: pytest.Config) -> bool:
    """Whether this process is an xdist controller about to start workers."""
    return (not hasattr(config, "workerinput") and bool(config.getoption("numprocesses", 0))
            and config.getoption("dist", "no") != "no")


def _rewritten(source: Path) -> Path:
    """Where pytest keeps the rewritten bytecode of the test module `source`."""
    return rewrite.get_cache_dir(source) / (source.name[:-3] + rewrite.PYC_TAIL)


def _fresh(source: Path, cached: Path) -> bool:
    """Whether `cached` is the rewrite of `source` as it is (pytest's own header check)."""
    stat = source.stat()
    header = importlib.util.MAGIC_NUMBER + b"\x00\x00\x00\x00" + struct.pack(
        "<LL", int(stat.st_mtime) & 0xFFFFFFFF, stat.st_size & 0xFFFFFFFF)
    try:
        with cached.open("rb") as file:
            return file.read(len(header)) == header
    except OSError:
        return False


def _test_modules(paths: list[Path], patterns: list[str]) -> list[Path]:
    """The test modules pytest collects from `paths` (files or folders): fixture projects,
    whose files tests copy as they are, are left alone."""
    found = {path for path in paths if path.is_file()} | {
        source for path in paths if path.is_dir() for source in path.rglob("*.py")
        if "fixtures" not in source.relative_to(path).parts}
    return sorted(source for source in found if source.name == "conftest.py"
                  or any(fnmatch(source.name, pattern) for pattern in patterns))


def warm(config: pytest.Config, paths: list[Path]) -> list[Path]:
    """Rewrite the stale test modules of `paths` (files or folders), compile the package and
    the tests' support modules; the test modules rewritten."""
    state = config.stash[rewrite.assertstate_key]
    done = []
    for source in _test_modules(paths, config.getini("python_files")):
        if not _fresh(source, cached := _rewritten(source)):
            stat, code = rewrite._rewrite_test(source, config)
            if rewrite.try_makedirs(cached.parent) and rewrite._write_pyc(state, code, stat,
                                                                             cached):
                done.append(source)
    for folder in (ROOT / "reviewloop", ROOT / "tests" / "support"):
        compileall.compile_dir(folder, quiet=2)
    return done


@pytest.hookimpl(tryfirst=True)  # before xdist's own, which starts the workers
def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    if sys.dont_write_bytecode or config.getoption("assertmode") != "rewrite" \
            or not _distributed(config):
        return
    here = config.invocation_params.dir
    warm(config, [path for arg in config.args if (path := here / arg.split("::")[0]).exists()])
