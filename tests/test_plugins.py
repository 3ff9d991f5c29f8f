"""Entry points: each registry takes third-party objects from its group, loaded once and only
when asked; a plugin that does not import, gives the wrong kind of object, or takes a
built-in's name stops the command with exit 2, naming its package and how to remove it."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop import plugins
from reviewloop.checks.analyzers.registry import ANALYZERS, analyzers
from reviewloop.errors import ExitCode, PluginError
from reviewloop.git.worktrees import RunTree
from reviewloop.implement.implementer import Implementer
from reviewloop.landing.modes import land_mode, modes
from reviewloop.reports.formats import BUILTIN, RenderContext, formats, render
from reviewloop.reports.report import RunSummary
from tests.support.cli_main import run_cli
from tests.support.paths import ROOT
from tests.support.plugins import install
from tests.support.repos import init_repo, write

TSV = """
from reviewloop.reports.formats import OutputFormat
TSV = OutputFormat("tsv", "tab-separated findings", ".tsv",
                   lambda summary, ctx: f"{summary.task_id}\\t{ctx.fail_on}\\n")
"""


def test_a_plugins_format_joins_the_built_ins_and_is_loaded_once(site: Path) -> None:
    install(site, "rl-tsv", {plugins.FORMATS: {"tsv": "rl_tsv:TSV"}}, {"rl_tsv": TSV})
    assert list(formats()) == [*BUILTIN, "tsv"]
    assert formats()["tsv"].render(RunSummary(task_id="7"), RenderContext()) == "7\tmust_fix\n"
    assert plugins.load.misses == 1  # read from the metadata once, not per call


def test_the_installed_packages_are_read_once_for_every_group(site: Path) -> None:
    """Each read of the entry points opens every installed package's metadata (~7 ms in
    this venv): a review's formats and analyzers share one (#41)."""
    install(site, "rl-tsv", {plugins.FORMATS: {"tsv": "rl_tsv:TSV"}}, {"rl_tsv": TSV})
    assert "tsv" in formats()
    assert set(analyzers()) == set(ANALYZERS)
    assert plugins.declared.misses == 1


def test_a_plugin_that_fails_to_import_is_named_with_its_fix(site: Path) -> None:
    install(site, "rl-broken", {plugins.ANALYZERS: {"nope": "rl_broken:NOPE"}},
            {"rl_broken": "import not_a_module_anywhere\n"})
    with pytest.raises(PluginError) as caught:
        analyzers()
    assert caught.value.exit_code == ExitCode.USAGE
    assert str(caught.value) == (
        "entry point nope = rl_broken:NOPE: the plugin \"nope\" (reviewloop.analyzers) of "
        "rl-broken failed to import: ModuleNotFoundError: No module named "
        "'not_a_module_anywhere'\n"
        "  fix: pip uninstall rl-broken, or upgrade it to a version that imports")


@pytest.mark.parametrize("module, said", [
    ("import sys\nsys.exit(0)\n", "it called sys.exit(0)"),
    ("raise SystemExit('bye')\n", "it called sys.exit('bye')"),
    ("import sys\nsys.exit()\n", "it called sys.exit(None)"),
])
def test_a_plugin_that_exits_as_it_imports_is_its_failure_not_reviewloops_exit(
        site: Path, module: str, said: str) -> None:
    """`sys.exit(0)` in a plugin's module ended `reviewloop review` with exit 0 and no
    output: a change with a must-fix secret passed."""
    install(site, "rl-exit", {plugins.ANALYZERS: {"gone": "rl_exit:NOPE"}}, {"rl_exit": module})
    with pytest.raises(PluginError) as caught:
        analyzers()
    assert caught.value.exit_code == ExitCode.USAGE
    assert f'the plugin "gone" (reviewloop.analyzers) of rl-exit failed to import: {said}' \
        in str(caught.value)
    assert "fix: pip uninstall rl-exit" in str(caught.value)


@pytest.mark.parametrize("group, call, what", [
    (plugins.FORMATS, formats, "output format"),
    (plugins.ANALYZERS, analyzers, "analyzer"),
    (plugins.LAND_MODES, modes, "land mode"),
    (plugins.IMPLEMENTERS, lambda: Implementer.parse("odd"), "implementer"),
])
def test_a_plugin_of_the_wrong_kind_is_refused(site: Path, group, call, what) -> None:
    install(site, "rl-odd", {group: {"odd": "rl_odd:ODD"}}, {"rl_odd": "ODD = 42\n"})
    with pytest.raises(PluginError) as caught:
        call()
    assert f'the plugin "odd" ({group}) of rl-odd is not a valid {what}' in str(caught.value)
    assert "fix: pip uninstall rl-odd" in str(caught.value)


def test_a_plugin_may_not_take_a_built_ins_name(site: Path) -> None:
    install(site, "rl-bandit", {plugins.ANALYZERS: {"bandit": "rl_bandit:BANDIT"}},
            {"rl_bandit": "from reviewloop.checks.analyzers.bandit import Bandit\n"
                          "BANDIT = Bandit()\n"})
    with pytest.raises(PluginError, match=r'"bandit" .* has the name of a built-in analyzer'):
        analyzers()
    assert "bandit" in ANALYZERS  # the built-in stays


@pytest.mark.parametrize("name", ["html", "HTML", "Html"])
@pytest.mark.parametrize("command", [("report", "--format", "html"),
                                     ("review", "--format", "json")])
def test_a_plugins_html_format_is_refused_naming_it_never_hidden_by_reports_page(
        site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, name: str, command: tuple[str, ...]) -> None:
    """A plugin's `html` was taken by `review --format html` and hidden by `report`'s own
    page: one name, two formats, without a word. A plugin cannot replace a built-in."""
    install(site, "rl-page", {plugins.FORMATS: {name: "rl_page:PAGE"}}, {"rl_page": f"""
from reviewloop.reports.formats import OutputFormat
PAGE = OutputFormat("{name}", "a page of its own", ".html", lambda summary, ctx: "<p>")
"""})
    with pytest.raises(PluginError) as caught:
        formats()
    said = str(caught.value)
    assert f'the plugin "{name}" (reviewloop.formats) of rl-page has the name of a built-in ' \
           'output format ("html") of reviewloop; a plugin cannot replace a built-in' in said
    assert "fix: pip uninstall rl-page, or ask its authors to declare it under a name of " \
           "its own" in said
    root = init_repo(tmp_path / "repo")
    write(root, "src/app.py", "def main():\n    return 2\n")
    monkeypatch.chdir(root)
    code, out, err = run_cli(capsys, *command)
    assert code == 2 and "<p>" not in out, err
    assert 'of rl-page has the name of a built-in output format ("html")' in " ".join(
        err.split())


def test_a_plugins_land_mode_and_implementer_are_found_by_name(site: Path) -> None:
    install(site, "rl-more", {plugins.LAND_MODES: {"keep": "rl_more:KEEP"},
                              plugins.IMPLEMENTERS: {"echo": "rl_more:ECHO"}}, {"rl_more": """
from dataclasses import dataclass, replace
from reviewloop.landing.branch_only import BranchOnlyMode
from reviewloop.implement.implementer import ImplementResult

KEEP = replace(BranchOnlyMode(), name="keep")

@dataclass(frozen=True)
class Echo:
    uses_model: bool = False
    your_change: bool = False
    takes_argument: bool = True
    def implement(self, request):
        return ImplementResult(summary=f"echo {request.argument}")

ECHO = Echo()
"""})
    tree = RunTree(path="wt", branch="reviewloop/1", base="abc", target="work")
    assert "keep" in modes() and land_mode("keep").kept_branch(tree) == "reviewloop/1"
    implementer = Implementer.parse("echo:hello")
    assert (implementer.kind, implementer.command, str(implementer)) == ("echo", "hello",
                                                                         "echo:hello")
    assert implementer.spec.takes_argument and not implementer.spec.uses_model


def test_the_cli_exits_2_naming_the_broken_plugin(site: Path, tmp_path: Path) -> None:
    install(site, "rl-broken", {plugins.FORMATS: {"nope": "rl_broken:NOPE"}},
            {"rl_broken": "raise RuntimeError('half installed')\n"})
    root = init_repo(tmp_path / "repo")
    write(root, "src/app.py", "def main():\n    return 2\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "AWS_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT)])
    done = subprocess.run([sys.executable, "-m", "reviewloop", "review", "--format", "json"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 2, done.stderr
    assert 'the plugin "nope" (reviewloop.formats) of rl-broken failed to import: ' \
           "RuntimeError: half installed" in done.stderr
    assert "fix: pip uninstall rl-broken" in done.stderr


BROKEN_FORMATS = {
    "raise RuntimeError('format boom')": "failed: RuntimeError: format boom",
    "__import__('sys').exit(0)": "failed: it called sys.exit(0)",
    "return 42": "gave int, not text",
    "return None": "produced nothing (its render returned None)",
    "return ['a', 'b']": "gave list, not text",
    # an exception whose own __str__ fails: named by its type, never an internal error
    "raise type('BadStr', (Exception,), {'__str__': lambda self: 1 / 0})()":
        "failed: BadStr (its message could not be read)",
    "raise type('NotStr', (Exception,), {'__str__': lambda self: 42})()":
        "failed: NotStr (its message could not be read)",
    "raise SystemExit(type('Code', (), {'__repr__': lambda self: 1 / 0})())":
        "failed: SystemExit (its message could not be read)",
}


@pytest.mark.parametrize("body", sorted(BROKEN_FORMATS))
def test_a_plugins_format_that_fails_is_its_packages_error(site: Path, body: str) -> None:
    install(site, "rl-fmt", {plugins.FORMATS: {"odd": "rl_fmt:ODD"}}, {"rl_fmt": f"""
from reviewloop.reports.formats import OutputFormat
def render(summary, ctx):
    {body}
ODD = OutputFormat("odd", "an odd format", ".txt", render)
"""})
    with pytest.raises(PluginError) as caught:
        render("odd", RunSummary(task_id="7"), RenderContext())
    assert caught.value.exit_code == ExitCode.USAGE
    assert f'the output format "odd" of rl-fmt {BROKEN_FORMATS[body]}' in str(caught.value)
    assert "fix: pip uninstall rl-fmt" in str(caught.value)


def test_the_cli_shows_the_verdict_then_exits_2_naming_a_broken_format(site: Path,
                                                                      tmp_path: Path) -> None:
    install(site, "rl-fmt", {plugins.FORMATS: {"odd": "rl_fmt:ODD"}}, {"rl_fmt": """
from reviewloop.reports.formats import OutputFormat
def render(summary, ctx):
    raise RuntimeError("format boom")
ODD = OutputFormat("odd", "an odd format", ".txt", render)
"""})
    root = init_repo(tmp_path / "repo")
    write(root, "src/app.py", "def main():\n    return 2\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "AWS_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT)])
    done = subprocess.run([sys.executable, "-m", "reviewloop", "review", "--format", "odd",
                           "--output", str(tmp_path / "out.txt")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2, done.stderr
    assert 'the output format "odd" of rl-fmt failed: RuntimeError: format boom' in done.stderr
    assert "internal error" not in done.stderr and "crash" not in done.stderr
    assert "LLM reviewers off" in done.stderr  # the verdict, shown before the error
    assert not (tmp_path / "out.txt").exists()


# A format whose render does what the test put in `rl_odd.DOES`, installed once: what plugin
# code raises (anything but Ctrl-C is its own failure) or gives instead of UTF-8 text.
ODD_FORMAT = """
from reviewloop.reports.formats import OutputFormat
class Odd(BaseException):
    pass
DOES = []
def render(summary, ctx):
    kind, value = DOES[-1]
    if kind == "raise":
        raise value
    return value
ODD = OutputFormat("odd", "does what it is told", ".txt", render)
"""
RAISES = st.sampled_from((RuntimeError("format boom"), KeyError("k"), RecursionError("deep"),
                          SystemExit(0), SystemExit("bye"), GeneratorExit(), StopIteration(),
                          MemoryError(), UnicodeEncodeError("utf-8", "x", 0, 1, "odd"), "Odd"))
NOT_TEXT = st.one_of(st.none(), st.integers(), st.lists(st.text(max_size=3), max_size=2),
                     st.dictionaries(st.text(max_size=2), st.integers(), max_size=2))
# text with a lone surrogate somewhere: what `surrogateescape` makes of a byte that is no UTF-8
UNENCODABLE = st.tuples(st.text(max_size=20), st.characters(min_codepoint=0xD800,
                                                             max_codepoint=0xDFFF),
                        st.text(max_size=20)).map("".join)
MISBEHAVIOURS = st.one_of(st.tuples(st.just("raise"), RAISES),
                          st.tuples(st.just("return"), st.one_of(NOT_TEXT, UNENCODABLE)))


@settings(max_examples=24, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(does=MISBEHAVIOURS, to_file=st.booleans(), quiet=st.booleans())
def test_a_misbehaving_format_exits_2_alike_on_stdout_and_into_output(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], does, to_file: bool, quiet: bool) -> None:
    odd = sys.modules.get("rl_odd")
    if odd is None:
        install(site, "rl-odd", {plugins.FORMATS: {"odd": "rl_odd:ODD"}}, {"rl_odd": ODD_FORMAT})
        root = init_repo(tmp_path / "repo", {"notes.txt": "one\n"})
        write(root, "notes.txt", "one\ntwo\n")
        odd = importlib.import_module("rl_odd")
    kind, value = does
    if value == "Odd":  # a BaseException of the plugin's own
        value = odd.Odd("its own")
    odd.DOES.append((kind, value))
    monkeypatch.chdir(tmp_path / "repo")
    output = tmp_path / "report.txt"
    argv = ["review", "--working", "--format", "odd", *(("--output", str(output))
                                                        if to_file else ()),
            *(("-q",) if quiet else ())]
    code, out, err = run_cli(capsys, *argv)
    assert code == ExitCode.USAGE, err
    assert 'error: entry point odd in rl-odd: the output format "odd" of rl-odd ' in err
    why = f"failed: {plugins.raised(value)}" if kind == "raise" else (
        "produced nothing" if value is None else
        f"gave {type(value).__name__}, not text" if not isinstance(value, str) else
        "gave text UTF-8 cannot encode")
    assert why in " ".join(err.split()), err
    assert "fix: pip uninstall rl-odd" in err and "internal error" not in err
    assert "verdict" in err.split("error: entry point")[0]  # the panel, before the error
    assert out == "" and not output.exists()


def test_ctrl_c_while_a_plugin_format_renders_is_the_interrupt(site: Path) -> None:
    install(site, "rl-odd", {plugins.FORMATS: {"odd": "rl_odd:ODD"}}, {"rl_odd": ODD_FORMAT})
    odd = importlib.import_module("rl_odd")
    odd.DOES.append(("raise", KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        render("odd", RunSummary(task_id="7"), RenderContext())
