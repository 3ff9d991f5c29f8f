"""A tool that fails on one file of a batch (ruff's stack overflow on a list nested thousands
deep, exit -6, no report) no longer takes the batch's other files' findings with it: the
batch is split until the failing file is alone, that file is named as not read with the
tool's message, every other one keeps its findings (`batch_failures`)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.base import AnalyzerError
from reviewloop.checks.analyzers.batch_failures import FILES_ISOLATED, isolated, runs_for
from reviewloop.git import argv
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

UNDEFINED = "def f():\n    return missing_name\n"
# ruff 0.17 overflows its worker thread's stack on this (exit -6), not a syntax error
DEEP = "x = " + "[" * 8000 + "1" + "]" * 8000 + "\n"


def _tool(bad: set[int], calls: list[list[int]], *, exited: bool = True):
    """A batch tool that fails whenever its batch holds one of `bad` (each run kept)."""
    def run(part: list[int]) -> list[int]:
        calls.append(part)
        if bad & set(part):
            raise AnalyzerError(f"crashed on {sorted(bad & set(part))}", exited=exited)
        return part
    return run


@given(count=st.integers(2, 300), data=st.data())
def test_each_failing_item_is_named_and_every_other_one_has_its_result(count, data):
    bad = data.draw(st.sets(st.integers(0, count - 1), max_size=min(count - 1, 6)))
    calls: list[list[int]] = []
    results, failed = isolated(_tool(bad, calls), list(range(count)))
    done = [item for part in results for item in part]
    assert len(done) == len(set(done)) and not set(done) & bad  # each item once, good ones
    assert set(done) | set(failed) == set(range(count)) and not set(done) & set(failed)
    assert len(calls) <= 1 + runs_for(count)  # bounded work
    if len(bad) <= FILES_ISOLATED:  # each failing item alone, with its own failure
        assert sorted(done) == sorted(set(range(count)) - bad)
        assert {item: str(error) for item, error in failed.items()} == \
            {item: f"crashed on [{item}]" for item in bad}


@given(count=st.integers(1, 200))
def test_a_tool_that_fails_on_everything_fails_as_a_whole(count):
    calls: list[list[int]] = []
    with pytest.raises(AnalyzerError, match=r"crashed on \[0"):
        isolated(_tool(set(range(count)), calls), list(range(count)))
    assert len(calls) <= 1 + runs_for(count)


def test_a_timeout_or_a_failed_start_is_never_split():
    calls: list[list[int]] = []
    with pytest.raises(AnalyzerError):
        isolated(_tool({3}, calls, exited=False), list(range(10)))
    assert calls == [list(range(10))]


@settings(max_examples=4, deadline=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],  # a shrink reruns ruff
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(count=st.integers(2, 9), data=st.data(), small=st.booleans())
def test_ruff_crashing_on_one_file_keeps_the_others_findings(
        tmp_path_factory: pytest.TempPathFactory, count: int, data: st.DataObject,
        small: bool) -> None:
    deep = data.draw(st.sets(st.integers(0, count - 1), min_size=1,
                             max_size=min(2, count - 1)))
    files = {f"pkg/module_{n}.py": DEEP if n in deep else UNDEFINED for n in range(count)}
    repo = Repo(tmp_path_factory.mktemp("r") / "repo")
    diff = repo.change(files)
    with pytest.MonkeyPatch.context() as patch:
        if small:  # several batches, the failing one among them
            patch.setattr(argv, "ARGV_BYTES", 400)
        report = run_for_agent(agent("upkeep", ("ruff-maintainability",)), repo.root, diff)
    assert report.errors == []
    assert {f.file for f in report.findings if f.rule == "F821"} == \
        {f"pkg/module_{n}.py" for n in range(count) if n not in deep}
    unread = {path: why for h in report.health for path, why in h.unread.items()}
    assert set(unread) == {f"pkg/module_{n}.py" for n in deep}
    for why in unread.values():
        assert why.startswith("ruff failed on it (ruff exited with ") and "stack" in why


CRASHING = '''#!{python}
"""shellcheck, but one that aborts (as a stack overflow does) on a script holding the word
CRASH_HERE: no real script found makes shellcheck fail (deep nesting makes it run on)."""
import os, signal, sys
for arg in sys.argv[1:]:
    if os.path.isfile(arg) and "CRASH_HERE" in open(arg, encoding="utf-8").read():
        sys.stderr.write("shellcheck: internal error\\n")
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGABRT)
os.execv({real!r}, [{real!r}, *sys.argv[1:]])
'''


@settings(max_examples=3, deadline=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(count=st.integers(2, 7), data=st.data())
def test_shellcheck_failing_on_one_script_keeps_the_others_comments(
        tmp_path_factory: pytest.TempPathFactory, shellcheck_tools, count: int,
        data: st.DataObject) -> None:
    import sys

    from reviewloop.checks.analyzers import shellcheck

    bad = data.draw(st.sets(st.integers(0, count - 1), min_size=1, max_size=min(2, count - 1)))
    real = shellcheck.locate(shellcheck.TOOL)
    assert real is not None
    wrapper = tmp_path_factory.mktemp("bin") / "shellcheck"
    wrapper.write_text(CRASHING.format(python=sys.executable, real=str(real)), "utf-8")
    wrapper.chmod(0o755)
    files = {f"bin/job_{n}.sh": "#!/bin/sh\n" + ("# CRASH_HERE\n" if n in bad else "\n")
             + 'echo $1\n' for n in range(count)}
    repo = Repo(tmp_path_factory.mktemp("r") / "repo")
    diff = repo.change(files)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shellcheck, "locate", lambda tool: wrapper)
        report = run_for_agent(agent("sec", ("shellcheck-security",)), repo.root, diff)
    assert report.errors == []
    assert {f.file for f in report.findings if f.rule == "SC2086"} == \
        {f"bin/job_{n}.sh" for n in range(count) if n not in bad}
    unread = {path: why for h in report.health for path, why in h.unread.items()}
    assert set(unread) == {f"bin/job_{n}.sh" for n in bad}
    for why in unread.values():
        assert why.startswith("shellcheck failed on it (shellcheck exited with -6: ") \
            and "internal error" in why, why
