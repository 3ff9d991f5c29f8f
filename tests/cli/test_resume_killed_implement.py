"""A run killed (SIGKILL or SIGTERM) during `implement`, after any number of the `cmd:`
implementer's writes, resumed in the clone that started it and in another clone: both
commit the very tree an uninterrupted run commits. The killed attempt's writes (a doubled
function, a scratch file) are discarded and named, in the starting clone too (f_a D7: there
the implementer ran again on top of them, and they were reviewed and committed). Real CLI
processes, real git; no model (the reviewers run their analyzers)."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.support import warm_cli
from tests.support.gitutil import git
from tests.support.loop_cli import SPEC, cli, make_example, wait_until

# The implementer's writes, in order; a run that is not killed makes them all.
MARKER_TEST = ("from todo.store import marker_one, marker_two\n\n\n"
               "def test_markers():\n    assert marker_one() + marker_two() == 3\n")
WRITES = (
    ("append", "todo/store.py", "\n\ndef marker_one() -> int:\n    return 1\n"),
    ("write", "tests/test_marker.py", MARKER_TEST),
    ("write", "NOTES-scratch.md", "half-done notes\n"),
    ("append", "todo/store.py", "\n\ndef marker_two() -> int:\n    return 2\n"),
    ("delete", "NOTES-scratch.md", ""),
)
# Its first call, when `state/kill-after` says so, makes that many writes, says it got there
# and waits to be killed; every other call makes them all.
IMPLEMENTER = f"""
import os, sys, time
from pathlib import Path
WRITES = {WRITES!r}
state = Path(sys.argv[1])
sys.stdin.read()
first = (state / "kill-after").is_file() and not (state / "blocked").exists()
count = int((state / "kill-after").read_text()) if first else len(WRITES)
for how, path, text in WRITES[:count]:
    if how == "append":
        with open(path, "a") as f:
            f.write(text)
    elif how == "write":
        Path(path).write_text(text)
    else:
        os.remove(path)
if first:
    (state / "blocked").touch()
    (state / "reached").touch()
    time.sleep(600)
"""


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project as a bare repository, its work on branch `feature`."""
    top = tmp_path_factory.mktemp("origin")
    seed = make_example(top / "seed")
    git(seed, "checkout", "-q", "-b", "feature")
    git(top, "clone", "-q", "--bare", str(seed), str(top / "origin.git"))
    return top / "origin.git"


def _clone(origin: Path, where: Path) -> Path:
    where.parent.mkdir(parents=True)
    git(where.parent, "clone", "-q", "--no-local", "-b", "feature", str(origin), str(where))
    return where


def _implementer(state: Path) -> str:
    script = state / "implementer.py"
    script.write_text(IMPLEMENTER)
    return f"cmd:{sys.executable} {script} {state}"


def _run(root: Path, state: Path):
    return ["run", "T2", "--spec", SPEC, "--implementer", _implementer(state), "--branch", "t2",
            "--yes"]


def _committed(root: Path) -> tuple[str, str]:
    """The tree the run committed on `t2`, and its one commit's files."""
    assert git(root, "rev-list", "--count", "origin/feature..t2") == "1\n"
    return (git(root, "rev-parse", "t2^{tree}").strip(),
            git(root, "show", "--name-only", "--format=", "t2"))


@pytest.fixture(scope="module")
def uninterrupted(origin: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    top = tmp_path_factory.mktemp("uninterrupted")
    root = _clone(origin, top / "c" / "todo-api")
    (top / "state").mkdir()
    done = cli(root, *_run(root, top / "state"), timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    tree, files = _committed(root)
    assert files.split() == [SPEC, "tests/test_marker.py", "todo/store.py"]
    return tree, files


@pytest.mark.long(seconds=42)
@settings(max_examples=3, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(kill_after=st.integers(0, len(WRITES)),
       sig=st.sampled_from([signal.SIGKILL, signal.SIGTERM]))
@example(kill_after=0, sig=signal.SIGKILL)
@example(kill_after=3, sig=signal.SIGTERM)  # the scratch file there, one function doubled
@example(kill_after=len(WRITES), sig=signal.SIGKILL)  # every write made, the scratch gone
def test_a_run_killed_during_implement_resumes_to_the_uninterrupted_commit_in_any_clone(
        origin: Path, uninterrupted: tuple[str, str], kill_after: int, sig: int) -> None:
    top = Path(tempfile.mkdtemp(prefix="killed-implement-"))
    try:
        first = _clone(origin, top / "a" / "todo-api")
        other = _clone(origin, top / "b" / "todo-api")
        state = top / "state"
        state.mkdir()
        (state / "kill-after").write_text(str(kill_after))
        job = warm_cli.popen(_run(first, state), first, env=dict(os.environ))
        try:
            wait_until(lambda: (state / "reached").exists() or job.poll() is not None,
                       what="the implementer at its kill point")
        finally:
            job.send_signal(sig)
            out, err = job.communicate()
        assert job.wait() in (-sig, 128 + sig), out + err
        (other / ".reviewloop").mkdir()
        for store in (first / ".reviewloop").glob("*.sqlite*"):
            shutil.copy2(store, other / ".reviewloop" / store.name)

        here = cli(first, "resume", "--yes", timeout=600)
        assert here.returncode == 0, here.stdout + here.stderr
        assert ("Discarded what the stopped implement step wrote" in here.stderr) == (
            kill_after > 0), here.stderr
        if 3 <= kill_after < len(WRITES):  # the scratch file there (the last write deletes it)
            assert "NOTES-scratch.md" in here.stderr
            # kept first: the message names the ref, which holds the discarded file
            [ref] = git(first, "for-each-ref", "--format=%(refname)",
                        "refs/reviewloop/discarded/").split()
            assert f"Kept first as {ref}: `git restore --source={ref} -- PATH`" in " ".join(
                here.stderr.split()), here.stderr
            assert git(first, "show", f"{ref}:NOTES-scratch.md") == "half-done notes\n"
        same = _committed(first)
        shutil.rmtree(top / "a")  # the starting clone's disk is gone
        there = cli(other, "resume", "--yes", timeout=600)
        assert there.returncode == 0, there.stdout + there.stderr
        elsewhere = _committed(other)
    finally:
        shutil.rmtree(top, ignore_errors=True)

    assert same == uninterrupted
    assert elsewhere == uninterrupted
