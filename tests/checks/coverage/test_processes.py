"""New-code coverage of functions a test runs in another process or thread (rev11 loop D4):
a function the test plainly ran — its passing test asserts its result — is never "not
executed by any test", whether it ran directly, in a thread, in a `multiprocessing` fork or
spawn `Process` (which leaves through `os._exit`), or in a Python subprocess; a function no
test calls still is. (A pool's workers, stopped by SIGTERM, are not measured: known.)"""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from reviewloop.checks.coverage.check import new_code_coverage
from reviewloop.checks.coverage.measure import forget
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.git.diff import parse_diff
from tests.support.gitutil import git
from tests.support.repos import init_repo

# how a test runs `work.NAME(2)` and gets its result back
WAYS = {
    "direct": "work.NAME(2)",
    "thread": "concurrent.futures.ThreadPoolExecutor(1).submit(work.NAME, 2).result()",
    "fork-process": "_process('fork', work.NAME)",
    "spawn-process": "_process('spawn', work.NAME)",
    "subprocess": "int(subprocess.run([sys.executable, '-c', 'import work; "
                  "print(work.NAME(2))'], capture_output=True, text=True, check=True).stdout)",
}
HELPERS = '''import concurrent.futures
import multiprocessing
import subprocess
import sys

import work


def _put(queue, function):
    queue.put(function(2))


def _process(method, function):
    context = multiprocessing.get_context(method)
    queue = context.Queue()
    process = context.Process(target=_put, args=(queue, function))
    process.start()
    result = queue.get(timeout=60)
    process.join()
    return result
'''


def _project(seed: int) -> tuple[dict[str, str], set[str]]:
    """work.py with one function per way, a fixed-seed half of them called; (files, called)."""
    chosen = random.Random(seed)
    functions, tests, called = [], [HELPERS], set()
    for number, (way, call) in enumerate(WAYS.items()):
        name = f"f_{way.replace('-', '_')}"
        functions.append(f"def {name}(x):\n    return x + {number}\n")
        if chosen.random() < 0.6:
            called.add(name)
            tests.append(f"\n\ndef test_{name}():\n    assert {call.replace('NAME', name)} == "
                         f"2 + {number}\n")
    return {"work.py": "\n\n".join(functions), "tests/test_work.py": "".join(tests)}, called


@pytest.mark.parametrize("seed", [0, 3])
def test_a_function_a_passing_test_ran_in_any_process_is_executed(tmp_path, seed):
    forget()
    files, called = _project(seed)
    root = init_repo(tmp_path / "p", {
        "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n',
        "tests/test_none.py": "def test_nothing():\n    assert True\n"}, message="start")
    for rel, text in files.items():
        (root / rel).write_text(text)
    git(root, "add", ".")
    diff = git(root, "diff", "--cached")
    # the oracle: plain pytest passes every test, so each called function ran
    plain = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                           cwd=root, capture_output=True, text=True)
    assert plain.returncode == 0, plain.stdout

    check = new_code_coverage(root, parse_diff(diff), ProjectTests())

    assert len(check.functions) == len(WAYS)
    assert {s.name for s in check.untested} == {s.name for s in check.functions} - called
