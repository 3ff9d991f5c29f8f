"""The tests' own layout: what several test modules share lives in tests/support/, so no
module under tests/ or benchmarks/ imports a test module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.paths import ROOT


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    return names


def test_no_module_imports_a_test_module():
    offenders = {
        str(path.relative_to(ROOT)): sorted(name for name in _imported(path)
                                            if name.startswith("tests.")
                                            and name.rpartition(".")[2].startswith("test_"))
        for folder in ("tests", "benchmarks") for path in sorted((ROOT / folder).rglob("*.py"))}
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_package_imports_nothing_from_the_tests():
    for path in sorted((ROOT / "reviewloop").rglob("*.py")):
        assert not any(name == "tests" or name.startswith("tests.")
                       for name in _imported(path)), path


_SHARED = '''
import os
import pytest
from pathlib import Path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    marks = Path(os.environ["LAYOUT_MARKS"])
    (marks / f"built-{os.getpid()}").write_text(os.environ.get("PYTEST_XDIST_WORKER", ""))
    return True


@pytest.mark.parametrize("case", range(8))
def test_uses_it(built, case):
    assert built
'''


def test_a_module_fixture_is_built_once_across_workers(tmp_path: Path):
    """The suite's grouping (tests/support/grouping.py, which tests/conftest.py registers;
    `--dist loadgroup`) keeps a module with a module-scoped fixture on one worker. A pytest or
    xdist release that drops the group (as pytest 9.2 with xdist 3.8 does) would build it on
    each worker, silently. The nested run loads the grouping plugin alone: the suite's other
    plugins only cost each of its processes their imports."""
    import os
    import subprocess
    import sys

    from tests import conftest

    assert "tests.support.grouping" in conftest.pytest_plugins
    (tmp_path / "test_shared.py").write_text(_SHARED)
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {**os.environ, "LAYOUT_MARKS": str(marks), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-o", "addopts=", "-p", "no:cacheprovider",
         "-p", "xdist.plugin", "-p", "tests.support.grouping", "-n", "2", "--dist", "loadgroup",
         "test_shared.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
        check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(list(marks.iterdir())) == 1


_CACHED = ('from pathlib import Path\nfrom _pytest.assertion import rewrite\n\n\n'
           'def cached(source):\n'
           '    return rewrite.get_cache_dir(source) / (source.stem + rewrite.PYC_TAIL)\n')
_RECORD = _CACHED + '''

def pytest_sessionstart(session):  # after tests.support.bytecode's, before xdist starts workers
    if not hasattr(session.config, "workerinput"):
        written = cached(Path(__file__).with_name("test_warmed.py")).stat().st_ino
        Path(__file__).with_name("inode").write_text(str(written))
'''
_WARMED = _CACHED + '''

def test_its_bytecode_is_the_one_the_controller_wrote():
    # a worker that rewrote the module would have replaced the file (a new inode)
    written = Path(__file__).with_name("inode").read_text()
    assert str(cached(Path(__file__)).stat().st_ino) == written
'''


def test_the_controller_writes_the_test_modules_bytecode_before_the_workers_start(
        tmp_path: Path):
    """tests/support/bytecode.py: from a fresh clone, the xdist controller rewrites each test
    module before its workers start, and the workers read that bytecode, not rewrite it
    each (the nested run loads that plugin and xdist alone; its bytecode kept in the test's
    folder)."""
    import os
    import subprocess
    import sys

    from tests import conftest

    assert "tests.support.bytecode" in conftest.pytest_plugins
    (tmp_path / "conftest.py").write_text(_RECORD)
    (tmp_path / "test_warmed.py").write_text(_WARMED)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"PYTHONPATH": str(ROOT), "PYTHONPYCACHEPREFIX": str(tmp_path / "pyc")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-o", "addopts=", "-p", "no:cacheprovider",
         "-p", "xdist.plugin", "-p", "tests.support.bytecode", "-n", "2", "test_warmed.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout, done.stdout


_PATCHERS = {"setattr", "delattr", "patch", "object"}


def _private_patches(source: str, filename: str = "<test>") -> list[str]:
    """`line: name` for each patch of a private name: `monkeypatch.setattr(module, "_x", …)`,
    `monkeypatch.setattr("pkg.module._x", …)`, `mock.patch("pkg._x")`,
    `mock.patch.object(Class, "_x")`, and the same through `delattr`."""
    found = []
    for node in ast.walk(ast.parse(source, filename=filename)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in _PATCHERS):
            continue
        strings = [a.value for a in node.args[:2]
                   if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if strings and strings[0].rpartition(".")[2].startswith("_"):
            found.append(f"{node.lineno}: {strings[0]}")
    return found


def test_no_test_patches_a_private_name():
    """A test that replaces a module's private function or constant pins the code's inside
    and breaks on every refactoring: it goes through a parameter, an environment variable,
    a fake passed in, or a real component (a git repository in tmp, the loopback fakes in
    tests/support) instead."""
    offenders = {str(path.relative_to(ROOT)): found
                 for folder in ("tests", "benchmarks")
                 for path in sorted((ROOT / folder).rglob("*.py"))
                 if (found := _private_patches(path.read_text(encoding="utf-8"), str(path)))}
    assert offenders == {}


def test_a_patched_private_name_is_found():
    source = '''
from unittest import mock

def test(monkeypatch):
    monkeypatch.setattr(scanner, "_prefilter", None)
    monkeypatch.setattr("reviewloop.git.diff._parse", None)
    monkeypatch.delattr(module, "_CACHE")
    monkeypatch.setattr(Repository, "__init__", None)
    mock.patch("reviewloop.memo._lock")
    mock.patch.object(Repository, "_commit")
    monkeypatch.setattr(sarif, "MAX_RESULTS", 3)
    monkeypatch.setattr("reviewloop.reports.sarif.MAX_RULES", 1)
    monkeypatch.setenv("_PRIVATE_LOOKING", "1")
    monkeypatch.setitem(ANALYZERS, "_leaky", None)
'''
    assert _private_patches(source) == [
        "5: _prefilter", "6: reviewloop.git.diff._parse", "7: _CACHE", "8: __init__",
        "9: reviewloop.memo._lock", "10: _commit"]


_GENERATED = '''
import os
import pytest
from hypothesis import given, settings, strategies as st

ASKED = {asked}


@pytest.mark.parametrize("asked", ASKED)
def test_counted(asked):
    @settings(max_examples=asked, database=None)
    @given(st.tuples(st.integers(), st.text()))
    def generated(value):
        with open(os.path.join(os.environ["LAYOUT_MARKS"], str(asked)), "a") as marks:
            marks.write("x")
    generated()


@settings(max_examples=300, database=None)
@given(st.tuples(st.integers(), st.text()))
def test_declared(value):
    with open(os.path.join(os.environ["LAYOUT_MARKS"], "declared"), "a") as marks:
        marks.write("x")


class TestMethods:
    @settings(max_examples=300, database=None)
    @given(st.tuples(st.integers(), st.text()))
    def test_method(self, value):
        with open(os.path.join(os.environ["LAYOUT_MARKS"], "method"), "a") as marks:
            marks.write("x")
'''


@pytest.mark.parametrize("profile", [(), ("--hypothesis-profile", "deep")])
def test_a_generated_test_runs_its_count_up_to_the_profiles_cap(tmp_path: Path,
                                                                profile: tuple[str, ...]) -> None:
    """tests/support/examples.py: by default (`suite`) a generated test declared with more
    than `SUITE_EXAMPLES` examples runs that many, one with fewer runs its own count;
    `--hypothesis-profile deep` runs every test's count as declared. A test's settings made
    inside it (`test_counted`) are hypothesis's own: only the collected test is capped, a
    test method (`TestMethods`) as a test function."""
    import os
    import subprocess
    import sys

    from tests import conftest
    from tests.support.examples import SUITE_EXAMPLES

    assert "tests.support.examples" in conftest.pytest_plugins
    asked = (1, SUITE_EXAMPLES - 1, SUITE_EXAMPLES, SUITE_EXAMPLES + 1)
    (tmp_path / "test_generated.py").write_text(_GENERATED.format(asked=asked))
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {**os.environ, "LAYOUT_MARKS": str(marks), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-o", "addopts=", "-p", "no:cacheprovider",
         "-p", "_hypothesis_pytestplugin", "-p", "tests.support.examples", *profile,
         "test_generated.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
        check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    ran = {mark.name: len(mark.read_text()) for mark in marks.iterdir()}
    declared = 300 if profile else SUITE_EXAMPLES
    assert ran == {**{str(n): n for n in asked}, "declared": declared, "method": declared}


class _Item:
    """What tests/support/ordering.py reads of a collected test: its id and its marks."""

    def __init__(self, nodeid: str, seconds: object = None, marked: bool = False) -> None:
        self.nodeid = nodeid
        self.mark = pytest.mark.long(seconds=seconds).mark if seconds is not None else \
            pytest.mark.long.mark if marked else None

    def get_closest_marker(self, name: str) -> pytest.Mark | None:
        return self.mark if name == "long" else None


_MARKS = st.one_of(st.none(), st.just("bare"), st.integers(0, 200), st.floats(0, 200))


@given(st.lists(_MARKS, max_size=30))
def test_the_long_tests_come_first_the_longest_first_and_the_rest_keep_their_order(
        marks: list[object]) -> None:
    from tests.support.ordering import started_first

    items = [_Item(f"t{n}", None if m == "bare" else m, m == "bare")
             for n, m in enumerate(marks)]
    ordered = started_first(items)
    timed = {id(i): 0.0 if i.mark is not None and not i.mark.kwargs else i.mark.kwargs["seconds"]
             for i in items if i.mark is not None}
    long = [i for i in ordered if id(i) in timed]
    assert sorted(map(id, ordered)) == sorted(map(id, items))  # each item once
    assert ordered[:len(long)] == long  # the marked first
    assert ordered[len(long):] == [i for i in items if i.mark is None]
    assert long == sorted((i for i in items if id(i) in timed), key=lambda i: -timed[id(i)])


@given(st.one_of(st.text(max_size=5), st.booleans(), st.lists(st.integers(), max_size=2)))
def test_a_long_mark_that_is_not_a_number_names_the_test(given: object) -> None:
    from tests.support.ordering import started_first

    with pytest.raises(pytest.UsageError, match=r"^tests/test_x\.py::test_y: .*long\(seconds"):
        started_first([_Item("tests/test_x.py::test_y", given)])


_ORDERED = '''
import os
import pytest


def _started(name):
    with open(os.environ["LAYOUT_LOG"], "a") as log:
        log.write(f"{os.environ['PYTEST_XDIST_WORKER']} {name}\\n")


@pytest.fixture(scope="module")
def shared():
    return True


@pytest.mark.parametrize("case", range(PLAIN))
def test_plain(case):
    _started(f"plain{case}")


@pytest.mark.long(seconds=5)
def test_short_long():
    _started("long5")


@pytest.mark.long(seconds=50)
def test_longest():
    _started("long50")
'''
_GROUPED = '''
import os
import pytest

from test_ordered import _started


@pytest.fixture(scope="module")
def shared():
    return True


@pytest.mark.parametrize("case", range(3))
def test_grouped(shared, case):
    _started(f"group{case}")


@pytest.mark.long(seconds=20)
def test_grouped_long(shared):
    _started("group-long")
'''


@pytest.mark.parametrize("plain", [1, 6])
def test_the_long_tests_start_first_on_the_workers(tmp_path: Path, plain: int) -> None:
    """tests/support/ordering.py, with xdist and the suite's grouping alone in a nested run:
    the marked tests sit after the plain ones in their files (as a long test of a file in
    tests/ itself is collected among the last), yet each worker starts with them;
    a group (a module with a module-scoped fixture) whose one test is marked goes first whole,
    on one worker; no marked test starts on a worker after a plain one there."""
    import os
    import subprocess
    import sys

    from tests import conftest

    assert "tests.support.ordering" in conftest.pytest_plugins
    (tmp_path / "test_ordered.py").write_text(_ORDERED.replace("PLAIN", str(plain)))
    (tmp_path / "test_zgrouped.py").write_text(_GROUPED)
    log = tmp_path / "log"
    env = {**os.environ, "LAYOUT_LOG": str(log), "PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-o", "addopts=", "-p", "no:cacheprovider",
         "--strict-markers", "-p", "xdist.plugin", "-p", "tests.support.grouping", "-p",
         "tests.support.ordering", "-n", "2", "--dist", "loadgroup", "test_ordered.py",
         "test_zgrouped.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
        check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    ran: dict[str, list[str]] = {}
    for line in log.read_text().splitlines():
        worker, name = line.split()
        ran.setdefault(worker, []).append(name)
    assert sorted(n for names in ran.values() for n in names) == sorted(
        [f"plain{n}" for n in range(plain)] + ["long5", "long50", "group-long", "group0",
                                                "group1", "group2"])
    assert {names[0] for names in ran.values()} == {"long50", "group-long"}
    (grouped,) = [names for names in ran.values() if names[0] == "group-long"]
    assert grouped[:4] == ["group-long", "group0", "group1", "group2"]
    for names in ran.values():
        plain_at = [n for n, name in enumerate(names) if name.startswith("plain")]
        assert not plain_at or all(n.startswith("plain") for n in names[plain_at[0]:]), names
