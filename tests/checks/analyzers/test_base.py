"""What the adapters share: running a tool, reading its JSON, naming files and titles."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks import interrupts
from reviewloop.checks.analyzers.base import (
    AnalyzerContext,
    AnalyzerError,
    module_missing,
    parse_json,
    run_tool,
    short_title,
)
from reviewloop.checks.paths import repo_path
from reviewloop.git.diff import ChangeSet


def test_run_tool_returns_stdout_for_the_accepted_exit_codes(tmp_path):
    script = "import sys; print('found'); sys.exit(1)"

    assert run_tool([sys.executable, "-c", script], tmp_path, 30) == "found\n"


def test_run_tool_names_the_tool_and_quotes_its_error_on_other_exit_codes(tmp_path):
    script = "import sys; sys.stderr.write('unknown flag --x'); sys.exit(2)"

    with pytest.raises(AnalyzerError, match=r"^python\d?(\.\d+)? exited with 2: unknown flag"):
        run_tool([sys.executable, "-c", script], tmp_path, 30)


def test_run_tool_names_a_module_tool_by_its_module(tmp_path):
    with pytest.raises(AnalyzerError, match=r"^no_such_tool_mod exited with 1: .*No module"):
        run_tool([sys.executable, "-m", "no_such_tool_mod"], tmp_path, 30, ok_codes=(0,))


def test_run_tool_reports_a_timeout_and_a_missing_program(tmp_path):
    with pytest.raises(AnalyzerError, match="did not finish within 1s"):
        run_tool([sys.executable, "-c", "import time; time.sleep(10)"], tmp_path, 1)
    with pytest.raises(AnalyzerError, match="could not start"):
        run_tool([str(tmp_path / "nothing")], tmp_path, 5)


def test_run_tool_keeps_secrets_out_of_the_tools_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MY_API_TOKEN", "hunter2")
    script = "import os; print(os.environ.get('MY_API_TOKEN'), os.environ.get('EXTRA'))"

    out = run_tool([sys.executable, "-c", script], tmp_path, 30, env={"EXTRA": "yes"})

    assert out == "None yes\n"


def test_parse_json_quotes_what_the_tool_printed():
    assert parse_json('{"a": 1}', "x") == {"a": 1}
    with pytest.raises(AnalyzerError, match=r"^bandit printed something that is not JSON"):
        parse_json("Traceback: boom", "bandit")


def test_module_missing_gives_the_install_command():
    assert module_missing("json", "pip install json") is None
    assert module_missing("no_such_mod_xyz", "pip install xyz") == \
        "no_such_mod_xyz is not installed: pip install xyz"


def test_repo_path_makes_tool_file_names_repo_relative(tmp_path):
    assert repo_path(tmp_path, str(tmp_path / "src" / "a.py")) == "src/a.py"
    assert repo_path(tmp_path, "./src/a.py") == "src/a.py"
    assert repo_path(tmp_path, "src/a.py") == "src/a.py"
    assert repo_path(tmp_path, "/elsewhere/a.py") == "/elsewhere/a.py"


def test_short_title_is_one_line_within_the_limit():
    assert short_title("Use of\n  weak   hash") == "Use of weak hash"
    long = short_title("word " * 40)
    assert len(long) == 120 and long.endswith("…")
    assert short_title("   ") == "analyzer finding"


def test_once_computes_a_value_once_per_context(tmp_path):
    calls = []
    ctx = AnalyzerContext(root=tmp_path, changes=ChangeSet(), diff_text="", agent="a")

    def compute():
        calls.append(1)
        return len(calls)

    assert [ctx.once("k", compute), ctx.once("k", compute)] == [1, 1]
    assert ctx.once("other", compute) == 2
    # another context (the base run's, `dataclasses.replace`) computes its own
    assert replace(ctx, root=tmp_path / "base").once("k", compute) == 3


# How a tool can end: Ctrl-C kills it (SIGINT, as Python's KeyboardInterrupt ends too) or a
# shell or npx that traps it exits 130; the others are the tool's own failures or findings.
ENDINGS = {
    "python KeyboardInterrupt": [sys.executable, "-c",
                                 "import os, signal; os.kill(os.getpid(), signal.SIGINT)"],
    "sh killed by SIGINT": ["/bin/sh", "-c", "kill -INT $$"],
    "sh traps and exits 130": ["/bin/sh", "-c", "exit 130"],
    "SIGTERM": ["/bin/sh", "-c", "kill -TERM $$"],
    "exit 2": ["/bin/sh", "-c", "echo usage >&2; exit 2"],
    "exit 129": ["/bin/sh", "-c", "exit 129"],
    "findings": ["/bin/sh", "-c", "echo found; exit 1"],
}


@pytest.mark.parametrize(("ending", "ok_codes", "heard"), [
    (e, ok, heard) for e in ENDINGS for ok in ((0, 1), (0,)) for heard in (True, False)])
def test_a_tool_stopped_by_ctrl_c_is_the_users_interrupt_never_its_failure(
        tmp_path, monkeypatch, ending, ok_codes, heard):
    """The oracle is the shell's own word: `$?` is 130 for a command Ctrl-C ended. It is the
    user's interrupt only when reviewloop heard Ctrl-C too; a tool ending so on its own (a
    wrapper, `timeout -s INT`, CI) is the tool's failure, named, and the review goes on."""
    monkeypatch.setattr(interrupts, "heard", lambda wait=1.0: heard)
    argv = ENDINGS[ending]
    shell = subprocess.run(["/bin/sh", "-c", '"$@"; echo "status $?"', "sh", *argv],
                           capture_output=True, text=True, check=False).stdout
    status = int(shell.rsplit("status ", 1)[1])
    if status == 130 and heard:
        with pytest.raises(KeyboardInterrupt):
            run_tool(argv, tmp_path, 30, ok_codes=ok_codes)
    elif status in ok_codes:
        run_tool(argv, tmp_path, 30, ok_codes=ok_codes)
    else:
        with pytest.raises(AnalyzerError, match="exited with"):
            run_tool(argv, tmp_path, 30, ok_codes=ok_codes)


def test_reviewloop_hears_its_own_ctrl_c_and_nothing_else():
    """`interrupts.listen` notes a SIGINT to the process and still raises KeyboardInterrupt,
    as Python's own handler does; a process that got none has heard nothing."""
    # Python's own handler first, as in a terminal (a shell's background job, as CI may
    # start the suite, ignores SIGINT, and then there is no Ctrl-C to hear)
    script = ("import os, signal, time\nfrom reviewloop.checks import interrupts\n"
              "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
              "interrupts.listen()\nprint(interrupts.heard(0))\n"
              "try:\n    os.kill(os.getpid(), signal.SIGINT)\n    time.sleep(10)\n"
              "    print('not raised')\n"
              "except KeyboardInterrupt:\n    print('raised', interrupts.heard(0))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stdout.split("\n")[:2] == ["False", "raised True"]


# A tool whose worker outlives it holding its output (`sh -c 'worker & …'`, a forked pool):
# the worker writes its pid, then waits. TOOL waits too; LEAVES ends at once, the worker on.
# ESCAPES' worker leaves the tool's process group (a daemon's setsid).
WORKER = "sleep 120 & echo $! > {pids}; "
TOOL, LEAVES = WORKER + "wait", WORKER + "exit 0"
ESCAPES = (f"{shlex.quote(sys.executable)} -c 'import os, time; os.setsid(); time.sleep(120)' & "
           "echo $! > {pids}; wait")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _worker_lives(pids: Path) -> bool:
    """Whether the worker named in `pids` outlived its tool; it is not alive any more. A
    SIGKILL is delivered, not awaited: a killed worker is waited for (up to a minute)."""
    worker = int(pids.read_text())
    for _ in range(3000):
        if not _alive(worker):
            return False
        time.sleep(0.02)  # polling for the kernel to end it, not timing anything
    os.kill(worker, signal.SIGKILL)
    return True


@pytest.mark.parametrize(("tool", "outlives"), [(TOOL, False), (ESCAPES, True)],
                         ids=["in its group", "out of it"])
def test_a_timeout_kills_the_tools_group_and_never_waits_for_a_worker(tmp_path, tool,
                                                                      outlives):
    """The tool and the workers in its group are killed; a worker that left the group is
    not waited for (its output is not read to the end, as `subprocess.run` did not), so it
    cannot hold the review past the tool's timeout."""
    pids = tmp_path / "pids"
    with pytest.raises(AnalyzerError, match="did not finish within"):
        run_tool(["/bin/sh", "-c", tool.format(pids=pids)], tmp_path, 5)
    worker = int(pids.read_text())
    if outlives:  # alive as the call returned: it was not waited for
        assert _alive(worker)
        os.kill(worker, signal.SIGKILL)
    else:
        assert not _worker_lives(pids)


def test_a_stop_kills_each_tools_group_so_its_thread_raises_at_once(tmp_path):
    """A signal to reviewloop reaches no analyzer (each leads a group of its own): the stop
    kills each group, its workers with it (they hold its output open, or the thread waiting
    on it would wait for them), and the tool's thread raises the interrupt, never the tool's
    result. In a process of its own: a stop is once per process."""
    pids = tmp_path / "pids"
    script = (
        "import sys, threading, time, pathlib\n"
        "from reviewloop.checks.analyzers.base import run_tool\n"
        "from reviewloop.sandbox import live\n"
        "said, pids = [], pathlib.Path(sys.argv[3])\n"
        "def tool():\n"
        "    try:\n"
        "        run_tool(['/bin/sh', '-c', sys.argv[1]], pathlib.Path(sys.argv[2]), 300)\n"
        "        said.append('returned')\n"
        "    except KeyboardInterrupt:\n"
        "        said.append('interrupted')\n"
        "worker = threading.Thread(target=tool)\n"
        "worker.start()\n"
        "while not pids.exists() or not pids.read_text():\n"
        "    time.sleep(0.02)\n"
        "live.stop()\n"
        "worker.join()\n"
        "print(said[0])\n")
    for tool in (TOOL, LEAVES):
        pids.unlink(missing_ok=True)
        done = subprocess.run([sys.executable, "-c", script, tool.format(pids=pids),
                               str(tmp_path), str(pids)],
                              capture_output=True, text=True, check=True, timeout=100)
        assert (done.stdout.strip(), _worker_lives(pids)) == ("interrupted", False), \
            (tool, done.stderr)


def test_once_computes_once_for_the_analyzers_asking_side_by_side(tmp_path):
    """An agent's analyzers run side by side on one context (ESLint's steps all ask for the
    base's copies): a second asker waits for the first's answer instead of computing its own
    (a second git reader, three more git processes, as the CI saw now and then)."""
    ctx = AnalyzerContext(root=tmp_path, changes=ChangeSet(), diff_text="", agent="a")
    calls: list[str] = []
    started, release = threading.Event(), threading.Event()

    def compute() -> str:
        calls.append("computed")
        started.set()
        release.wait(timeout=60)  # held until every other caller is asking
        return "copies"

    results: list[str] = []
    first = threading.Thread(target=lambda: results.append(ctx.once("k", compute)))
    first.start()
    assert started.wait(timeout=60)
    others = [threading.Thread(target=lambda: results.append(ctx.once("k", compute)))
              for _ in range(4)]
    for thread in others:
        thread.start()
    release.set()
    for thread in (first, *others):
        thread.join()
    assert results == ["copies"] * 5 and calls == ["computed"]
    assert ctx.once("other", lambda: "apart") == "apart"  # another key: its own answer


_LANGUAGES = ("python", "shell", "javascript", "typescript", None)


@given(st.dictionaries(st.from_regex(r"[a-z]{1,3}(/[a-z]{1,3}){0,2}\.[a-z]{1,2}", fullmatch=True),
                       st.sampled_from(_LANGUAGES), max_size=30),
       st.lists(st.sampled_from(_LANGUAGES[:-1]), max_size=4))
def test_files_for_gives_the_files_of_the_languages_in_their_order(languages, asked):
    """Indexed once by language, the answer is the scan's: every file of one of the asked
    languages, in the order of `files`, each once (a language asked twice too)."""
    files = tuple(languages)
    ctx = AnalyzerContext(root=Path("."), changes=ChangeSet(), diff_text="", agent="a",
                          files=files, languages=languages)

    assert ctx.files_for(*asked) == [p for p in files if languages[p] in asked]
    assert ctx.files_for(*asked) == ctx.files_for(*reversed(asked))


def _scanned(ctx: AnalyzerContext) -> dict[str | None, tuple[str, ...]]:
    """The files by language as each file's `language` and `runs_as` say them, in order."""
    found: dict[str | None, list[str]] = {}
    for path in ctx.files:
        found.setdefault(ctx.language(path), []).append(path)
        if (shell := ctx.runs_as(path)) is not None:
            found.setdefault(shell, []).append(path)
    return {name: tuple(paths) for name, paths in found.items()}


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["a.py", "b.sh", "c", "d.txt", "e/f.py", "g.js"]),
                          st.sampled_from((*_LANGUAGES, "unknown")),
                          st.sampled_from([None, "shell", "python"])),
                max_size=8, unique_by=lambda t: t[0]),
       st.sampled_from(["shells", "no-shells", "none-known", "a-base-run"]))
def test_the_files_by_language_are_each_files_language_and_shell(tmp_path, files, shells):
    """However the review's answers are given (the shells known or looked at, a language
    not told, a base run's copy), `files_for` indexes what `language` and `runs_as` say of
    each file, in the order of `files`."""
    root = tmp_path / f"t{len(list(tmp_path.iterdir()))}"
    root.mkdir()
    for path, _, shell in files:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(f"#!/bin/{'sh' if shell == 'shell' else 'python3'}\nx\n")
        if shell is not None:
            (root / path).chmod(0o755)
    ctx = AnalyzerContext(
        root=root, changes=ChangeSet(), diff_text="", agent="a",
        files=tuple(p for p, _, _ in files),
        languages={p: language for p, language, _ in files if language != "unknown"},
        shells=None if shells == "none-known" else {} if shells == "no-shells" else {
            p: shell for p, _, shell in files if shell is not None},
        tree=tmp_path if shells == "a-base-run" else None)
    assert ctx._by_language == _scanned(ctx)
