"""Every plugin group behind one boundary (`plugins.Boundary`): two plugins of one name (or
of names differing only by case) stop the command naming both packages; a land mode or an
implementer whose code raises, exits or answers the wrong type is its package's error, never
reviewloop's crash (exit 3) nor its exit code (found by the fz2 tester: D4, D5, D12, D13)."""

from __future__ import annotations

import importlib
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reviewloop import plugins
from reviewloop.app.runs import kept_branch
from reviewloop.checks.analyzers.registry import ANALYZERS, analyzers
from reviewloop.errors import (
    CredentialsError,
    DiskFull,
    ExitCode,
    PluginError,
    UserInputError,
)
from reviewloop.git.worktrees import RunTree
from reviewloop.implement.implementer import BUILTIN as IMPLEMENTERS
from reviewloop.implement.implementer import Implementer, ImplementRequest, kinds
from reviewloop.landing.modes import BUILTIN as MODES
from reviewloop.landing.modes import land_mode, modes
from reviewloop.reports.formats import BUILTIN as FORMATS
from reviewloop.reports.formats import RenderContext, formats, render
from reviewloop.reports.report import RunSummary
from reviewloop.runs.registry import RunRecord
from tests.support.plugins import install

# one valid object per group, for plugins that only differ by their names
OBJECTS = """
from reviewloop.checks.analyzers.bandit import Bandit
from reviewloop.implement.implementer import ManualImplementer
from reviewloop.landing.branch_only import BranchOnlyMode
from reviewloop.reports.formats import OutputFormat
FORMAT = OutputFormat("any", "a format", ".txt", lambda summary, ctx: "x")
ANALYZER = Bandit()
MODE = BranchOnlyMode()
IMPLEMENTER = ManualImplementer()
"""
GROUPS = {plugins.FORMATS: ("FORMAT", formats, FORMATS),
          plugins.ANALYZERS: ("ANALYZER", analyzers, ANALYZERS),
          plugins.LAND_MODES: ("MODE", modes, MODES),
          plugins.IMPLEMENTERS: ("IMPLEMENTER", kinds, IMPLEMENTERS)}


def _registry(group: str, folder: Path, names: dict[str, str]) -> Any:
    """The registry of `group` with the dists {dist: entry-point name} installed into a
    folder of their own (the objects module is on sys.path already)."""
    for dist, name in names.items():
        install(folder, dist, {group: {name: f"rl_objects:{GROUPS[group][0]}"}}, {})
    sys.path.insert(0, str(folder))
    plugins.forget()
    try:
        return GROUPS[group][1]()
    finally:
        sys.path.remove(str(folder))
        plugins.forget()


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(group=st.sampled_from(sorted(GROUPS)),
       name=st.text(st.sampled_from("abcdefgz"), min_size=1, max_size=6),
       flips=st.lists(st.booleans(), min_size=6, max_size=6))
def test_two_plugins_of_one_name_in_any_group_name_both_packages(
        site: Path, tmp_path: Path, group: str, name: str, flips: list[bool]) -> None:
    """`dup` of dup_a and `dup` (or `DUP`) of dup_b: one silently replaced the other (a
    reviewer naming an analyzer got the other package's findings)."""
    if not (site / "rl_objects.py").exists():
        (site / "rl_objects.py").write_text(OBJECTS)
    other = "".join(c.upper() if flip else c for c, flip in zip(name, flips, strict=False))
    assume(name.casefold() not in {n.casefold() for n in GROUPS[group][2]})
    with pytest.raises(PluginError) as caught:
        _registry(group, Path(tempfile.mkdtemp(dir=tmp_path)),
                  {"rl-one": name, "rl-two": other + name[len(flips):]})
    said = str(caught.value)
    assert caught.value.exit_code == ExitCode.USAGE
    assert "rl-one" in said and "rl-two" in said and f"({group}) have one name" in said
    assert "fix: pip uninstall rl-" in said and "or ask their authors to rename one" in said


@pytest.mark.parametrize("group, name", [(plugins.FORMATS, "JSON"), (plugins.FORMATS, "Sarif"),
                                         (plugins.ANALYZERS, "Bandit"),
                                         (plugins.LAND_MODES, "MERGE"),
                                         (plugins.IMPLEMENTERS, "Llm")])
def test_a_name_differing_from_a_built_ins_only_by_case_is_the_built_ins(
        site: Path, tmp_path: Path, group: str, name: str) -> None:
    """`--format JSON` printed a plugin's output beside the built-in `json`."""
    (site / "rl_objects.py").write_text(OBJECTS)
    with pytest.raises(PluginError, match=f'"{name}" .* has the name of a built-in .*"'
                                          f'{name.lower()}"'):
        _registry(group, tmp_path / "dists", {"rl-case": name})


# A land mode and an implementer whose code does what the test put in `rl_odd.DOES` last:
# raise it, or give it as its answer (nothing there: the right answer).
ODD = """
from dataclasses import dataclass
from reviewloop.implement.implementer import ImplementResult
from reviewloop.landing.branch_only import BranchOnlyMode
from reviewloop.landing.job import Landed

class Odd(BaseException):
    pass

DOES = []

def does(right):
    if not DOES:
        return right
    kind, value = DOES[-1]
    if kind == "raise":
        raise value
    return value

@dataclass(frozen=True)
class Mode(BranchOnlyMode):
    def land(self, job, commit, tree, checkout):
        return does(Landed(commit))
    def branch_to_push(self, tree):
        return does(tree.branch)
    def kept_branch(self, tree):
        return does(tree.branch)
    def outcome(self, run_id, commit, tree, run_dir):
        return does(("Committed", " somewhere."))

@dataclass(frozen=True)
class Impl:
    uses_model: bool = False
    your_change: bool = False
    takes_argument: bool = False
    def implement(self, request):
        return does(ImplementResult(summary="done"))

MODE = Mode(name="odd")
IMPL = Impl()
"""
TREE = RunTree(path="wt", branch="reviewloop/7", base="abc", target="work")
NONE: Any = None  # what a call's plugin never reads
REQUEST = ImplementRequest(task_id="7", context_text="", feedback=None, argument=None,
                           models=NONE, workspace=NONE, policy=NONE, settings=NONE)
# each plugin call: (how to make it, whether an answer is one its group takes)
CALLS: dict[str, tuple[Any, Any]] = {
    "land": (lambda: land_mode("odd").land(NONE, "c0ffee" * 6, TREE, NONE),
             lambda v: type(v).__name__ == "Landed"),
    "branch_to_push": (lambda: land_mode("odd").branch_to_push(TREE),
                       lambda v: v is None or isinstance(v, str)),
    "kept_branch": (lambda: land_mode("odd").kept_branch(TREE),
                    lambda v: v is None or isinstance(v, str)),
    "outcome": (lambda: land_mode("odd").outcome("r", "c0ffee", TREE, Path()),
                lambda v: v is None or (isinstance(v, tuple) and len(v) == 2
                                        and all(isinstance(s, str) for s in v))),
    "implement": (lambda: Implementer.parse("oddimpl").attempt(REQUEST),
                  lambda v: type(v).__name__ == "ImplementResult"),
}
RAISES = st.sampled_from((RuntimeError("boom"), KeyError("k"), RecursionError("deep"),
                          ValueError(), SystemExit(0), SystemExit(1), SystemExit("x"),
                          GeneratorExit(), StopIteration(), MemoryError(), "Odd"))
ANSWERS = st.one_of(st.none(), st.integers(), st.booleans(), st.text(max_size=4),
                    st.binary(max_size=3), st.lists(st.integers(), max_size=2),
                    st.tuples(st.text(max_size=2), st.integers()),
                    st.tuples(st.text(max_size=2), st.text(max_size=2), st.text(max_size=2)))


def _odd(site: Path) -> Any:
    if "rl_odd" not in sys.modules:
        install(site, "rl-odd", {plugins.LAND_MODES: {"odd": "rl_odd:MODE"},
                                 plugins.IMPLEMENTERS: {"oddimpl": "rl_odd:IMPL"}},
                {"rl_odd": ODD})
    return importlib.import_module("rl_odd")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(call=st.sampled_from(sorted(CALLS)),
       does=st.one_of(st.tuples(st.just("raise"), RAISES),
                      st.tuples(st.just("return"), ANSWERS)))
def test_a_misbehaving_land_mode_or_implementer_is_its_packages_error(
        site: Path, call: str, does: tuple[str, Any]) -> None:
    odd = _odd(site)
    make, takes = CALLS[call]
    kind, value = does
    assume(kind == "raise" or not takes(value))
    if value == "Odd":  # a BaseException of the plugin's own
        value = odd.Odd("its own")
    odd.DOES.append((kind, value))
    why = f"failed: {plugins.raised(value)}" if kind == "raise" else "gave "
    if call == "implement":  # a failed attempt, its reason the plugin's error: the run goes on
        result = make()
        assert not result.ok and 'the implementer "oddimpl" of rl-odd ' in result.summary
        assert why in result.summary and "fix: pip uninstall rl-odd" in result.summary
        return
    with pytest.raises(PluginError) as caught:
        make()
    said = str(caught.value)
    assert caught.value.exit_code == ExitCode.USAGE
    assert f'the land mode "odd" of rl-odd {why}' in said or \
        (call == "land" and 'of rl-odd landed nothing' in said), said
    assert "fix: pip uninstall rl-odd" in said
    if call == "land":  # after the commit: where it stays, how to land it
        assert "stays on the run's branch reviewloop/7: `git merge reviewloop/7`" in said


@pytest.mark.parametrize("call", sorted(CALLS))
def test_ctrl_c_in_a_land_mode_or_implementer_stays_the_interrupt(site: Path,
                                                                 call: str) -> None:
    _odd(site).DOES.append(("raise", KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        CALLS[call][0]()


def test_a_plugin_that_answers_right_is_called_through_its_boundary(site: Path) -> None:
    _odd(site).DOES.clear()
    assert land_mode("odd").name == "odd" and not land_mode("odd").writes_your_branch
    assert land_mode("odd").kept_branch(TREE) == "reviewloop/7"
    result = Implementer.parse("oddimpl").attempt(REQUEST)
    assert result.ok and result.summary == "done"


def test_runs_keeps_the_branch_of_a_mode_whose_kept_branch_fails(
        site: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Every `reviewloop runs` ended exit 3 once one run had landed with such a mode; then
    the branch was kept without a word of which package failed, or what to do."""
    _odd(site).DOES.append(("raise", RuntimeError("kept_branch exploded")))
    records = [RunRecord(run_id=f"7-{n}", task_id="7", task_title="t", spec="s",
                         status="committed", created="2026-01-01", updated="2026-01-01",
                         commit_sha="c0ffee", options={"land": "odd",
                                                       "worktree": TREE.model_dump()})
               for n in range(3)]
    with caplog.at_level(logging.WARNING, logger="reviewloop"):
        kept = [kept_branch(record) for record in records]
    assert kept == ["reviewloop/7"] * 3  # kept: `clean` never deletes them
    said = [r.getMessage() for r in caplog.records if "kept_branch exploded" in r.getMessage()]
    assert len(said) == 1, said  # once, not once per run
    assert 'the land mode "odd" of rl-odd failed: RuntimeError: kept_branch exploded' \
        in said[0]
    assert "fix: pip uninstall rl-odd, or upgrade it" in said[0]
    assert "keeps its branch (this one's reviewloop/7): `reviewloop runs` lists it" in said[0]


@pytest.mark.parametrize("attribute", ["writes_your_branch", "uses_model"])
def test_a_flag_of_the_wrong_type_is_refused_naming_the_package(site: Path,
                                                                attribute: str) -> None:
    install(site, "rl-flag", {plugins.LAND_MODES: {"flag": "rl_flag:MODE"},
                              plugins.IMPLEMENTERS: {"flag": "rl_flag:IMPL"}}, {"rl_flag": """
from dataclasses import dataclass, replace
from reviewloop.implement.implementer import ManualImplementer
from reviewloop.landing.branch_only import BranchOnlyMode
MODE = replace(BranchOnlyMode(), writes_your_branch="yes")
IMPL = replace(ManualImplementer(), uses_model="yes")
"""})
    target = land_mode("flag") if attribute == "writes_your_branch" else kinds()["flag"]
    with pytest.raises(PluginError, match="of rl-flag gave str, not True or False"):
        getattr(target, attribute)


def test_a_format_giving_a_str_subclass_is_its_text_never_its_methods(site: Path) -> None:
    """A render returning a str whose own `encode` raises ended exit 3."""
    install(site, "rl-sub", {plugins.FORMATS: {"sub": "rl_sub:SUB"}}, {"rl_sub": """
from reviewloop.reports.formats import OutputFormat
class Text(str):
    def encode(self, *args, **kwargs):
        raise ZeroDivisionError
    def __str__(self):
        raise ZeroDivisionError
class Data(bytes):
    def __bytes__(self):
        raise ZeroDivisionError
SUB = OutputFormat("sub", "a subclass", ".txt",
                   lambda summary, ctx: Text("t") if summary.task_id == "t" else Data(b"d"))
"""})
    text = render("sub", RunSummary(task_id="t"), RenderContext())
    data = render("sub", RunSummary(task_id="d"), RenderContext())
    assert (type(text), text, type(data), data) == (str, "t", bytes, b"d")
    assert cast(str, text).encode() == b"t"


class _Unreadable(Exception):
    """An exception whose own message runs more plugin code, which fails in its own way."""

    def __init__(self, fails: BaseException) -> None:
        super().__init__()
        self.fails = fails

    def __str__(self) -> str:
        raise self.fails


@pytest.mark.parametrize("fails", [ValueError("x"), SystemExit(0), SystemExit(2),
                                   GeneratorExit(), RecursionError()])
def test_an_error_whose_message_fails_is_named_by_its_type_inside_the_boundary(
        fails: BaseException) -> None:
    """`raised` formats plugin code's error: a `__str__` that raises — sys.exit() there too —
    is named by the type, never let out of the boundary (a SystemExit from it ended the
    command with exit 0 and the review unreported)."""
    boundary = plugins.Boundary(object(), "x", "pkg", "output format")

    def run(_: object) -> object:
        raise _Unreadable(fails)

    unread = "_Unreadable \\(its message could not be read\\)"
    with pytest.raises(plugins.PluginError, match=unread):
        boundary.call(run, lambda got: got)
    with pytest.raises(KeyboardInterrupt):
        plugins.raised(_Unreadable(KeyboardInterrupt()))


@pytest.mark.parametrize("ours", [CredentialsError("no AWS credentials", fix="aws configure"),
                                  DiskFull("no space left", fix="free some space"),
                                  UserInputError("a bad --base", fix="name a commit")])
def test_reviewloops_own_error_raised_through_a_plugin_stays_ours(ours: Exception) -> None:
    """A plugin that calls reviewloop's code (a model client, a store) and gets reviewloop's
    error: the error and its fix reach the user as they are, not as the plugin's fault with
    `pip uninstall` for a fix."""
    boundary = plugins.Boundary(object(), "x", "pkg", "land mode")

    def run(_: object) -> object:
        raise ours

    with pytest.raises(type(ours)) as caught:
        boundary.call(run, lambda got: got)
    assert caught.value is ours and not isinstance(caught.value, PluginError)
