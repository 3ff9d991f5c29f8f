"""One run of the project's test command under coverage per tree state, shared by the test
gate, the coverage gate and the coverage analyzer.

The command runs exactly as configured (or detected), sandboxed: a `sitecustomize` hook put
first on PYTHONPATH starts coverage.py in every Python process it launches, and
`NODE_V8_COVERAGE` makes every Node process write V8 coverage (`v8.py` reads it), so `pytest`,
`python -m pytest`, `npm test` and `make test` are measured without being rewritten. A
project's own `sitecustomize` module is shadowed during that run. The one exception is a
runner that executes the code in a vm of its own (vitest, jest): the command gets the arguments
that ask the runner for its istanbul JSON (`runners.py`, read by `istanbul.py`) — the same
run, remembered under the command as configured.

What the run executed is kept in memory under a key made of the tree's content (git's tree
id of the working tree, uncommitted and untracked files included, or a hash of every file
outside git), the command and the folder. Whoever asks next for the same key gets the same
run: the test gate's run feeds the analyzer, and a fix that changes any file changes the
key, so its re-test provides fresh data and stale data is never read. The memo lives as long
as the process (a resumed run measures again) and holds the last `KEEP` tree states.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reviewloop.checks.coverage.istanbul import read_istanbul_executed, read_istanbul_measured
from reviewloop.checks.coverage.junit import (
    JEST_REPORT,
    PYTEST_REPORT,
    VITEST_REPORT,
    FailedTest,
    failed_tests,
    pytest_options,
)
from reviewloop.checks.coverage.runners import runner_coverage
from reviewloop.checks.coverage.v8 import FunctionStarts, read_v8_executed, read_v8_functions
from reviewloop.checks.gates.commands import run_shell
from reviewloop.checks.paths import repo_path
from reviewloop.errors import ReviewloopError
from reviewloop.git.repository import open_repository
from reviewloop.sandbox.bubblewrap import Sandbox
from reviewloop.sandbox.process import CommandRun

KEEP = 8  # tree states remembered; a run needs two at a time (before and after a fix)
MISSING = "coverage-missing"  # written by the hook when its interpreter has no coverage.py
# What a test run leaves behind when the project does not ignore it: not a change of code.
ARTIFACTS = ("__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache")
_SKIPPED_DIRS = frozenset({".git", ".reviewloop", *ARTIFACTS})

# The hook's settings, a file so that the processes `multiprocessing` starts (fork or spawn,
# which leave through `os._exit`, never through atexit) are measured too: coverage.py starts
# them with this file and saves their data as they end. A pool's workers, stopped by SIGTERM
# when the pool closes, are not (saving from a signal handler may hang a worker).
_RCFILE = """\
[run]
data_file = {data}/.coverage
parallel = true
source = {root}
concurrency = multiprocessing, thread
"""

_HOOK = '''\
"""Started by reviewloop for one test run: measure this process with coverage.py."""
import atexit
import os

try:
    import coverage
except ImportError:
    import sys
    with open(os.path.join({data!r}, {missing!r}), "a", encoding="utf-8") as _note:
        _note.write(sys.executable + "\\n")
else:
    _cov = coverage.Coverage(data_suffix=True, config_file={rcfile!r})
    _cov.start()

    def _save():
        _cov.stop()
        _cov.save()

    atexit.register(_save)
'''


@dataclass(frozen=True)
class CoveredRun:
    """One run of a test command under coverage: how it ended and which lines it executed.
    `problem` says why there are no usable coverage data (the caller reports it)."""

    command: str
    run: CommandRun
    executed: dict[str, frozenset[int]] = field(default_factory=dict)
    problem: str | None = None
    # the files a runner's own report covers (vitest, jest); None: every file the run
    # loaded was measured (coverage.py, V8)
    measured: frozenset[str] | None = None
    # the tests the runner's own JUnit report says failed (`junit`); None: it wrote none
    failed_tests: tuple[FailedTest, ...] | None = None
    # whether each function of a script V8 measured ran, by where it starts (`v8`)
    functions: FunctionStarts = field(default_factory=dict)


@dataclass
class _Memo:
    runs: OrderedDict[str, CoveredRun] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    busy: dict[str, threading.Lock] = field(default_factory=dict)
    started: int = 0  # suites this process ran under coverage (benchmarks read it)


_MEMO = _Memo()


def covered_run(root: Path, command: str, timeout: float, *, sandbox: Sandbox,
                reuse: bool = True) -> CoveredRun:
    """`command` run in `root` under coverage, sandboxed — or the run already made on this
    exact tree with this command (unless `reuse` is False). Concurrent callers for the same
    tree wait for one run instead of starting a second."""
    before = tree_key(root)
    key = _entry(root, command, before)
    with _MEMO.lock:
        busy = _MEMO.busy.setdefault(key, threading.Lock())
    with busy:
        with _MEMO.lock:
            known = _MEMO.runs.get(key) if reuse else None
        if known is not None:
            return known
        covered = _measure(root, command, timeout, sandbox)
        after = tree_key(root)
        keys = [key] if after == before or not _only_artifacts(root, before, after) else \
            [key, _entry(root, command, after)]
        _remember(keys, covered)
        return covered


def suites_started() -> int:
    """How many test runs under coverage this process has started."""
    return _MEMO.started


def forget() -> None:
    """Drop every remembered run (the next request measures again)."""
    with _MEMO.lock:
        _MEMO.runs.clear()
        _MEMO.busy.clear()


def _remember(keys: list[str], covered: CoveredRun) -> None:
    with _MEMO.lock:
        for key in keys:
            _MEMO.runs[key] = covered
            _MEMO.runs.move_to_end(key)
        while len(_MEMO.runs) > KEEP:
            old, _ = _MEMO.runs.popitem(last=False)
            _MEMO.busy.pop(old, None)


def _measure(root: Path, command: str, timeout: float, sandbox: Sandbox) -> CoveredRun:
    with tempfile.TemporaryDirectory(prefix="reviewloop-coverage-") as folder:
        data, hook, v8 = Path(folder) / "data", Path(folder) / "hook", Path(folder) / "v8"
        for made in (data, hook, v8):
            made.mkdir()
        rcfile = hook / "coveragerc"
        rcfile.write_text(_RCFILE.format(  # coverage.py expands `$NAME` in its settings
            data=str(data).replace("$", "$$"), root=str(root.resolve()).replace("$", "$$")),
            encoding="utf-8")
        (hook / "sitecustomize.py").write_text(
            _HOOK.format(data=str(data), missing=MISSING, rcfile=str(rcfile)), encoding="utf-8")
        path = os.pathsep.join(p for p in (str(hook), os.environ.get("PYTHONPATH")) if p)
        with _MEMO.lock:
            _MEMO.started += 1
        # The data folder is the one place outside the project the tests may write.
        run = run_shell(_asking(root, command, Path(folder) / "istanbul"), root, timeout,
                        sandbox=sandbox, writable=(Path(folder),),
                        environ={**os.environ, "PYTHONPATH": path,
                                 "NODE_V8_COVERAGE": str(v8), "PYTEST_ADDOPTS": pytest_options(
                                     Path(folder), os.environ.get("PYTEST_ADDOPTS"))})
        found = read_executed(root, data)
        for read in (read_v8_executed(root, v8),
                     read_istanbul_executed(root, Path(folder) / "istanbul")):
            for script, lines in read.items():
                found.setdefault(script, set()).update(lines)
        executed = {p: frozenset(lines) for p, lines in found.items()}
        return CoveredRun(command, run, executed,
                          _problem(command, run, timeout, data, executed),
                          read_istanbul_measured(root, Path(folder) / "istanbul"),
                          failed_tests([Path(folder) / PYTEST_REPORT,
                                        Path(folder) / "istanbul" / VITEST_REPORT,
                                        Path(folder) / "istanbul" / JEST_REPORT], root),
                          read_v8_functions(root, v8))


def _asking(root: Path, command: str, folder: Path) -> str:
    """`command`, asking its test runner for istanbul JSON in `folder` when the runner
    executes the code in a vm of its own and can be asked (`runners.py`)."""
    runner = runner_coverage(root, command)
    return command if runner is None or runner.reason is not None else \
        runner.command(command, folder)


def _problem(command: str, run: CommandRun, timeout: float, data: Path,
             executed: dict[str, frozenset[int]]) -> str | None:
    if run.timed_out:
        return f"`{command}` did not finish within {timeout:.0f}s"
    missing = data / MISSING
    if not executed and missing.is_file():
        python = missing.read_text(encoding="utf-8").split("\n", 1)[0]
        return f"coverage is not installed for {python}: {python} -m pip install coverage"
    if not executed:
        return (f"`{command}` (exit {run.exit_code}) executed no Python or Node code of the "
                "project under coverage")
    return None


def tree_key(root: Path) -> str:
    """The content of the tree at `root`: git's tree id of every non-ignored file as it is
    now (uncommitted and untracked included), or a hash of every file outside git."""
    try:
        return "git:" + open_repository(root).worktree_tree()
    except ReviewloopError:  # not a git working tree (e.g. a commit's exported files)
        return "files:" + _files_hash(root)


def _entry(root: Path, command: str, tree: str) -> str:
    return "\0".join((str(root.resolve()), command, tree))


def _only_artifacts(root: Path, before: str, after: str) -> bool:
    """Whether everything the run changed in the tree is a test artifact (a cache folder)."""
    if not (before.startswith("git:") and after.startswith("git:")):
        return False  # the file hash already leaves artifacts out
    changed = open_repository(root).tree_changes(before[4:], after[4:])
    return all(set(Path(p).parts) & set(ARTIFACTS) or p.endswith(".pyc") for p in changed)


def _files_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(_files(root)):
        rel = path.relative_to(root).as_posix()
        content = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
        digest.update(f"{rel}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


def _files(root: Path) -> Iterator[Path]:
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIPPED_DIRS]
        for name in names:
            if not name.endswith(".pyc") and not name.startswith(".coverage"):
                yield Path(folder) / name


def read_executed(root: Path, folder: Path) -> dict[str, set[int]]:
    """Executed lines per repo-relative path from every coverage data file in `folder`
    (several when the project's configuration says `parallel = true`)."""
    from coverage import CoverageData  # coverage.py loads only when a run is measured
    from coverage.exceptions import CoverageException

    executed: dict[str, set[int]] = {}
    for data_file in sorted(folder.glob(".coverage*")):
        data = CoverageData(basename=str(data_file))
        try:
            data.read()
        except CoverageException:
            continue  # a process killed while saving: its data are lost, not wrong
        for measured in data.measured_files():
            lines = data.lines(measured) or []
            executed.setdefault(repo_path(root, measured), set()).update(lines)
    return executed
