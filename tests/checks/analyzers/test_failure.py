"""An installed plugin analyzer that misbehaves is its failed row, naming it, its package
and the fix, counted in the verdict (incomplete), never the review's crash: generated over
what plugin code does wrong (raises anything but Ctrl-C — sys.exit(), GeneratorExit, a
BaseException of its own, an exception whose __str__ raises or exits —, answers what its
contract does not take, gives a generator that raises midway, or never returns) in each of
its calls. Ctrl-C stays Ctrl-C."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop import plugins
from reviewloop.checks.analyzers.registry import analyzers
from reviewloop.errors import PluginError
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent
from tests.support.plugins import install

# An analyzer whose call `rl_oddan.DOES[0]` names does what it says; right otherwise.
ODD = """
import sys, threading
from reviewloop.findings.schema import Finding, Severity

class Own(BaseException):
    pass

class BadStr(Exception):
    def __str__(self):
        raise ValueError("no message")

class ExitStr(Exception):
    def __str__(self):
        sys.exit(3)

DOES = []
RELEASE = threading.Event()

def raising_midway(first, error):
    yield first
    raise error

def does(method, right):
    if not DOES or DOES[0][0] != method:
        return right
    _, kind, value = DOES[0]
    if kind == "raise":
        raise value
    if kind == "midway":
        return raising_midway(right[0] if isinstance(right, list) and right else None, value)
    if kind == "slow":
        RELEASE.wait()
        return right
    return value

class Odd:
    name = "odd"
    markers = ()
    config_files = ()

    @property
    def max_bytes(self):
        return does("max_bytes", 16_000_000)

    def available(self):
        return does("available", None)

    def reads(self, ctx):
        return does("reads", list(ctx.files))

    def claimed(self, root, paths):
        return does("claimed", list(paths))

    def claims(self, root, path):
        return True

    def run(self, ctx):
        return does("run", [Finding(severity=Severity.NIT, file="src/a.txt", start_line=2,
                                    end_line=2, title="seen", rationale="r", confidence=1.0,
                                    agent="x", source="odd", rule="ODD1")])

ODD_ANALYZER = Odd()
"""
METHODS = ("reads", "available", "run", "claimed")
# what plugin code raises, made with the plugin module's own classes
ERRORS = {"RuntimeError": lambda odd: RuntimeError("boom"),
          "sys.exit(0)": lambda odd: SystemExit(0),
          "sys.exit('bye')": lambda odd: SystemExit("bye"),
          "GeneratorExit": lambda odd: GeneratorExit(), "its own": lambda odd: odd.Own("its own"),
          "BadStr": lambda odd: odd.BadStr(), "ExitStr": lambda odd: odd.ExitStr(),
          "MemoryError": lambda odd: MemoryError(), "StopIteration": lambda odd: StopIteration(),
          "RecursionError": lambda odd: RecursionError("deep")}
WRONG = {"reads": st.sampled_from(([5], None, 7, [b"src/a.txt"])),
         "available": st.sampled_from((0, False, ["x"], b"gone")),
         "run": st.sampled_from((None, {}, ["a finding"], 7, "text")),
         "claimed": st.sampled_from(("src/a.txt", 5, None, [5]))}
OLD, NEW = "line 1\nline 2\n", "line 1\nline 2 changed\n"


@pytest.fixture(scope="module")
def change(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repo, str]:
    repo = Repo(tmp_path_factory.mktemp("r"), {"src/a.txt": OLD})
    return repo, repo.change({"src/a.txt": NEW})


def _odd(site: Path) -> Any:
    if "rl_oddan" not in sys.modules:
        install(site, "rl-oddan", {plugins.ANALYZERS: {"odd": "rl_oddan:ODD_ANALYZER"}},
                {"rl_oddan": ODD})
    return importlib.import_module("rl_oddan")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), method=st.sampled_from(METHODS),
       kind=st.sampled_from(("raise", "return", "midway", "slow")))
def test_a_misbehaving_plugin_analyzer_is_its_failed_row_naming_its_package(
        site: Path, change: tuple[Repo, str], data: st.DataObject, method: str,
        kind: str) -> None:
    repo, diff = change
    odd = _odd(site)
    value: Any = None
    if kind in ("raise", "midway"):
        value = ERRORS[data.draw(st.sampled_from(sorted(ERRORS)))](odd)
    elif kind == "return":
        value = data.draw(WRONG[method])
    odd.DOES[:] = [(method, kind, value)]
    odd.RELEASE.clear()
    try:  # a deadline no load reaches first where the call never returns until released
        report = run_for_agent(agent("review-x", ("odd",)), repo.root, diff,
                               timeout=0.05 if kind == "slow" else 600)
    finally:
        odd.RELEASE.set()  # its thread ends with the test, as a daemon with the process
    [row] = report.health
    reason = row.reason or ""
    assert row.status == "failed", (method, kind, value, row)
    assert not report.complete and report.findings == []  # absence is a result: incomplete
    assert 'the analyzer "odd" of rl-oddan ' in reason, reason
    assert "fix: pip uninstall rl-oddan, or upgrade it to a version made for this " \
           "reviewloop" in reason
    if kind == "slow":
        assert f"of rl-oddan its {method}() did not finish within 0.05s" in reason
    if kind == "midway" and method != "reads":  # a generator is no answer of these
        assert f"{method}() gave " in reason
    raised = kind == "raise" or (kind == "midway" and method == "reads")
    if raised and isinstance(value, SystemExit):  # never an exit of reviewloop's
        assert f"it called sys.exit({value.code!r})" in reason
    if raised and isinstance(value, odd.BadStr | odd.ExitStr):  # its __str__ ran in bounds
        assert f"{type(value).__name__} (its message could not be read)" in reason


def test_a_plugin_analyzer_that_behaves_finds_as_it_says(site: Path, change) -> None:
    repo, diff = change
    _odd(site).DOES.clear()
    assert "odd" in analyzers()
    report = run_for_agent(agent("review-x", ("odd",)), repo.root, diff)
    assert report.complete and [f.rule for f in report.findings] == ["ODD1"]


def test_a_plugin_analyzers_limit_of_the_wrong_type_is_its_failed_row(site: Path,
                                                                     change) -> None:
    repo, diff = change
    _odd(site).DOES[:] = [("max_bytes", "return", "big")]
    [row] = run_for_agent(agent("review-x", ("odd",)), repo.root, diff).health
    assert row.status == "failed" and 'the analyzer "odd" of rl-oddan crashed: TypeError: ' \
        "its max_bytes is str, not a number of bytes; fix: pip uninstall rl-oddan" in \
        (row.reason or "")


def test_a_plugin_analyzer_whose_declaration_raises_is_refused_naming_its_package(
        site: Path) -> None:
    """Checking it against the contract reads its properties: plugin code, which raised
    out of the registry (exit 3) instead of naming the package."""
    _odd(site).DOES[:] = [("max_bytes", "raise", RuntimeError("no limit"))]
    with pytest.raises(PluginError) as caught:
        analyzers()
    said = str(caught.value)
    assert 'the plugin "odd" (reviewloop.analyzers) of rl-oddan is not a valid analyzer' in said
    assert "reading it raised RuntimeError: no limit" in said
    assert "fix: pip uninstall rl-oddan" in said


@pytest.mark.parametrize("method", METHODS)
def test_ctrl_c_in_a_plugin_analyzer_stays_the_interrupt(site: Path, change, method) -> None:
    repo, diff = change
    _odd(site).DOES[:] = [(method, "raise", KeyboardInterrupt())]
    with pytest.raises(KeyboardInterrupt):
        run_for_agent(agent("review-x", ("odd",)), repo.root, diff)


_SIZE = len(NEW.encode())
# a number of bytes, as the docs take it: an int or a float, inf for no limit
LIMITS = st.integers(min_value=0, max_value=2**70) | st.floats(min_value=0, allow_nan=False)
NO_LIMITS = (st.booleans() | st.integers(max_value=-1) | st.floats(max_value=-1e-300)
             | st.just(float("nan")) | st.none() | st.text(max_size=3)
             | st.sampled_from((b"1", [1], 1j)))


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=LIMITS)
def test_a_plugin_analyzers_limit_int_or_float_is_its_limit(site: Path, change,
                                                            limit: float) -> None:
    repo, diff = change
    _odd(site).DOES[:] = [("max_bytes", "return", limit)]
    report = run_for_agent(agent("review-x", ("odd",)), repo.root, diff)
    [row] = report.health
    if limit >= _SIZE:
        assert row.status == "ok" and [f.rule for f in report.findings] == ["ODD1"]
    else:  # the changed file is named as not read, never given to it
        assert row.status == "skipped" and report.findings == []
        assert "too large for it" in row.unread["src/a.txt"]


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=NO_LIMITS)
def test_a_plugin_analyzers_limit_that_is_no_number_of_bytes_is_its_failed_row(
        site: Path, change, limit: object) -> None:
    repo, diff = change
    _odd(site).DOES[:] = [("max_bytes", "return", limit)]
    report = run_for_agent(agent("review-x", ("odd",)), repo.root, diff)
    [row] = report.health
    assert row.status == "failed" and not report.complete
    assert 'the analyzer "odd" of rl-oddan crashed: ' in (row.reason or "")
    assert "its max_bytes is " in (row.reason or "") and "not a number of bytes" in \
        (row.reason or "")


# a second plugin whose declaration raises once `FAIL` is set: after start-up, it is read no
# more (a failed row's package is the one recorded when the registry loaded it)
LAZY = """
FAIL = []

class Lazy:
    name = "lazy"
    config_files = ()
    max_bytes = 1_000_000

    @property
    def markers(self):
        if FAIL:
            raise OSError("config gone")
        return ()

    def available(self):
        return None

    def reads(self, ctx):
        return []

    def run(self, ctx):
        return []

LAZY = Lazy()
"""


def test_a_failed_row_names_its_package_without_reading_any_plugin_again(
        site: Path, change) -> None:
    """Naming the package re-read every installed plugin outside the boundary: another
    plugin's property raising then crashed the review (PluginError) instead of one row."""
    repo, diff = change
    odd = _odd(site)
    install(site, "rl-lazy", {plugins.ANALYZERS: {"lazy": "rl_lazy:LAZY"}}, {"rl_lazy": LAZY})
    table = analyzers()  # start-up: every plugin checked against its contract
    importlib.import_module("rl_lazy").FAIL.append(True)
    odd.DOES[:] = [("run", "raise", RuntimeError("tool broke"))]
    [row] = run_for_agent(agent("review-x", ("odd",)), repo.root, diff, registry=table).health
    assert row.status == "failed" and row.reason == (
        'the analyzer "odd" of rl-oddan crashed: RuntimeError: tool broke; fix: pip uninstall '
        "rl-oddan, or upgrade it to a version made for this reviewloop")
