"""A `cmd:` implementer's output is shown line by line as it comes, and kept for the summary.

Real subprocesses. "As it comes" is proven without a clock: the command waits for a file
that only the line callback creates after seeing its first line, so buffered output would
leave it waiting (and failing) instead of finishing."""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from reviewloop.cli.panel import to_rich
from reviewloop.implement.implementer import implement_with_command
from reviewloop.reports.report import RunSummary

HANDSHAKE = """import os, sys, time
print("first line", flush=True)
deadline = time.monotonic() + 60
while not os.path.exists(sys.argv[1]):
    if time.monotonic() > deadline:
        print("not streamed: the first line was not seen", file=sys.stderr)
        sys.exit(3)
    time.sleep(0.02)
print("warning on stderr", file=sys.stderr, flush=True)
print("second line", flush=True)
"""


def script(tmp_path: Path, text: str) -> str:
    path = tmp_path / "agent.py"
    path.write_text(text)
    return f"{sys.executable} {path}"


def test_lines_are_shown_while_the_command_still_runs(tmp_path: Path) -> None:
    seen_file = tmp_path / "seen"
    shown: list[str] = []

    def echo(line: str) -> None:
        shown.append(line.rstrip("\n"))
        if line.startswith("first line"):
            seen_file.write_text("yes")  # the command goes on only after this

    result = implement_with_command(f"{script(tmp_path, HANDSHAKE)} {seen_file}", "the task",
                                    tmp_path, task_id="1", echo=echo)
    assert result.ok, result.summary
    assert shown[0] == "first line"
    assert set(shown) == {"first line", "warning on stderr", "second line"}
    assert "first line" in result.summary and "second line" in result.summary
    assert "warning on stderr" in result.summary


def test_default_output_goes_to_stderr_prefixed_with_the_task(tmp_path: Path, capfd) -> None:
    command = script(tmp_path, "import sys\ntask = sys.stdin.read()\n"
                               "print('read', len(task), 'chars')\n"
                               "print('oops', file=sys.stderr)\n")
    result = implement_with_command(command, "x" * 10, tmp_path, task_id="2.1")
    out, err = capfd.readouterr()
    assert result.ok and "read 10 chars" in result.summary
    assert out == ""
    assert "[2.1] read 10 chars\n" in err and "[2.1] oops\n" in err


def test_a_failing_command_reports_its_exit_code_and_output(tmp_path: Path) -> None:
    command = script(tmp_path, "import sys\nprint('half done')\nsys.exit(4)\n")
    result = implement_with_command(command, "", tmp_path, echo=lambda line: None)
    assert not result.ok
    assert "exited 4" in result.summary and "half done" in result.summary


@settings(max_examples=8, deadline=None, derandomize=True)
@given(st.integers(1, 126), st.sampled_from(("", "\n", "  \n\t\n", "\r\n\n")),
       st.sampled_from(("stdout", "stderr")))
def test_a_failing_command_that_wrote_nothing_says_so_in_the_panel(
        tmp_path_factory, code: int, blank: str, stream: str) -> None:
    """An escalation showed "`…` exited 5:" and a blank line: the output it announced was
    empty. Generated: exit codes, and outputs of nothing or blanks only on either stream."""
    folder = tmp_path_factory.mktemp("blank")
    command = script(folder, f"import sys\nsys.stdin.read()\nsys.{stream}.write({blank!r})\n"
                             f"sys.exit({code})\n")
    result = implement_with_command(command, "", folder, echo=lambda line: None)
    assert not result.ok
    assert result.summary == f"`{command}` exited {code}, with no output"
    summary = RunSummary(task_id="1", escalations=[f"implementer failed: {result.summary}"])
    console = Console(width=400, record=True, file=io.StringIO())
    console.print(to_rich(summary))
    shown = [line.strip(" │") for line in console.export_text().splitlines()]
    at = next(at for at, line in enumerate(shown) if "implementer failed" in line)
    assert shown[at].endswith(f"exited {code}, with no output"), shown
    assert shown[at + 1].startswith("╰"), shown  # no blank line after it: the panel's end


def test_a_timeout_kills_the_command_and_what_it_started(tmp_path: Path) -> None:
    child = tmp_path / "child.pid"
    command = script(tmp_path, "import subprocess, sys, pathlib\n"
                               "p = subprocess.Popen([sys.executable, '-c', "
                               "'import time; time.sleep(120)'])\n"
                               f"pathlib.Path({str(child)!r}).write_text(str(p.pid))\n"
                               "print('started', flush=True)\np.wait()\n")
    shown: list[str] = []
    # long enough for the child to start however loaded the machine is
    result = implement_with_command(command, "", tmp_path, timeout=10, echo=shown.append)
    assert not result.ok and "timed out after 10s" in result.summary
    assert shown == ["started\n"]
    pid = int(child.read_text())
    deadline = time.monotonic() + 30  # SIGKILL is delivered when the process is next run
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid), f"the command's child {pid} survived the timeout"


def alive(pid: int) -> bool:
    """Running, not gone and not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def test_a_127_from_inside_a_program_that_is_there_is_an_attempt_like_another(
        tmp_path: Path) -> None:
    """Exit 127 means "no such program" only when the command's program is not there: a
    wrapper script that exists and exits 127 (a tool it calls is missing) failed this
    attempt, which may be retried; a program that is not there is final (not retried)."""
    wrapper = tmp_path / "agent.sh"
    wrapper.write_text("#!/bin/sh\nno-such-tool-here-xyz\n", encoding="utf-8")
    wrapper.chmod(0o755)

    inside = implement_with_command(f"./{wrapper.name}", "task", tmp_path, echo=lambda _: None)
    missing = implement_with_command("no-such-agent-xyz --go", "task", tmp_path,
                                     echo=lambda _: None)

    assert not inside.ok and not inside.final and "exited 127" in inside.summary
    assert not missing.ok and missing.final and "command not found" in missing.summary
