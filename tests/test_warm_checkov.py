"""The suite's warm checkov (tests/support/warm_checkov.py) behaves as checkov's own command:
the same report on stdout, the same log, the same exit status, in the caller's folder and
environment; and a caller killed on a timeout takes its run down with it."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.checkov import QUIET_ENV
from reviewloop.checks.analyzers.provision import TOOLS
from reviewloop.sandbox.process import project_env
from tests.support import warm_checkov
from tests.support.paths import ROOT

pytestmark = pytest.mark.pypi  # the suite's shared tools cache (tests/support/iac_tools.py)

TOOL = TOOLS["checkov"]
FILES = {
    "infra/main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "logs"\n}\n'
                     'resource "aws_security_group" "ssh" {\n  ingress {\n    from_port = 22\n'
                     '    to_port = 22\n    protocol = "tcp"\n'
                     '    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n',
    "Dockerfile": "FROM ubuntu:latest\nRUN apt-get update\n",
    "stack.yaml": "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n"
                  "    Type: AWS::S3::Bucket\n",
    "pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
                "  - name: c\n    image: nginx\n    securityContext:\n      privileged: true\n",
    "broken.tf": 'resource "x" {\n',
}
ARGS = [
    ["--compact", "--soft-fail", "--skip-download", "-o", "json", "--framework", "terraform",
     "-d", "infra"],
    ["--compact", "--soft-fail", "--skip-download", "-o", "json", "--framework", "dockerfile",
     "cloudformation", "kubernetes", "-f", "Dockerfile", "-f", "stack.yaml", "-f", "pod.yaml"],
    ["--compact", "-o", "json", "--framework", "terraform", "-f", "broken.tf"],  # parse error
    ["--compact", "--framework", "kubernetes", "-f", "pod.yaml"],  # failing checks: exit 1
    ["--no-such-option"],  # argparse: exit 2, usage on stderr
    ["--version"],
]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def _run(command: Path, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # the fresh checkov hashes strings as the warm one does (`warm_checkov.HASH_SEED`), so
    # the two list what checkov keeps in sets in the same order
    env = {**project_env(), **QUIET_ENV, "PYTHONHASHSEED": warm_checkov.HASH_SEED}
    return subprocess.run([str(command), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)


@pytest.mark.parametrize("args", ARGS, ids=lambda a: " ".join(a[-2:]))
def test_output_and_exit_status_are_those_of_checkov_itself(iac_tools: Path, tree: Path,
                                                            args: list[str]) -> None:
    from tests.support.tools_cache import cache_root

    warm = _run(TOOL.command_in(iac_tools / TOOL.folder), args, tree)
    fresh = _run(TOOL.command_in(cache_root() / TOOL.folder), args, tree)
    assert (warm.returncode, _report(warm.stdout), warm.stderr) == \
        (fresh.returncode, _report(fresh.stdout), fresh.stderr)


def _report(text: str) -> object:
    """A JSON report with every list in one order: checkov runs its checks in parallel, so
    two fresh runs list them in different orders."""
    try:
        return _ordered(json.loads(text))
    except ValueError:
        return text


def _ordered(value: object) -> object:
    if isinstance(value, dict):
        return {key: _ordered(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted((_ordered(item) for item in value), key=json.dumps)
    return value


def test_the_suite_s_checkov_is_the_warm_one(iac_tools: Path) -> None:
    """Else the comparison above compares checkov with itself (REVIEWLOOP_COLD_CHECKOV)."""
    from tests.support.tools_cache import cache_root

    assert iac_tools != cache_root()
    assert "warm checkov" in TOOL.command_in(iac_tools / TOOL.folder).read_text()


def _stuck(iac_tools: Path, tree: Path) -> subprocess.Popen[bytes]:
    """A run that cannot end by itself: it opens a FIFO nobody writes."""
    (tree / "stuck").mkdir()
    os.mkfifo(tree / "stuck" / "Dockerfile")
    return subprocess.Popen(
        [str(TOOL.command_in(iac_tools / TOOL.folder)), "--framework", "dockerfile", "-f",
         "stuck/Dockerfile"], cwd=tree, env={**project_env(), **QUIET_ENV},
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_run_killed_by_a_signal_reads_as_that_signal(iac_tools: Path, tree: Path) -> None:
    """As from checkov's own process: the OOM killer's SIGKILL is -9 to the review."""
    caller = _stuck(iac_tools, tree)
    with pytest.raises(subprocess.TimeoutExpired):
        caller.communicate(timeout=5)
    (run,) = [pid for pid in _in(tree) if pid != caller.pid]
    os.kill(run, signal.SIGKILL)
    caller.communicate(timeout=120)
    assert caller.returncode == -signal.SIGKILL


def test_a_caller_gone_before_its_request_leaves_the_server_serving(iac_tools: Path,
                                                                    tree: Path) -> None:
    for half in (b"", b"{"):
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(str(iac_tools.parent / "sock"))
        if half:
            socket.send_fds(conn, [b"."], [0, 1, 2])
            conn.sendall(half)
        conn.close()
    done = _run(TOOL.command_in(iac_tools / TOOL.folder), ["--version"], tree)
    assert (done.returncode, done.stdout.strip()) == (0, TOOL.version)


def test_callers_killed_at_any_moment_leave_no_run_behind(iac_tools: Path, tree: Path) -> None:
    """Killed at once, some callers go before their run has made its process group: those
    runs must end too (they would wait on their FIFO for ever)."""
    (tree / "stuck").mkdir()
    os.mkfifo(tree / "stuck" / "Dockerfile")
    request = json.dumps({"argv": ["--framework", "dockerfile", "-f", "stuck/Dockerfile"],
                          "cwd": str(tree), "env": {**project_env(), **QUIET_ENV},
                          "executable": "checkov"}).encode() + b"\n"
    with open(os.devnull, "r+b") as null:
        for _ in range(20):  # the request whole, then the caller gone at once
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.connect(str(iac_tools.parent / "sock"))
            socket.send_fds(conn, [b"."], [null.fileno()] * 3)
            conn.sendall(request)
            conn.close()
    # the server takes requests in order: once this one is answered, all twenty were taken
    assert _run(TOOL.command_in(iac_tools / TOOL.folder), ["--version"], tree).returncode == 0
    while left := _in(tree):
        for pid in left:
            _gone(pid)


def _in(folder: Path) -> list[int]:
    """The processes whose working folder is `folder`."""
    found = []
    for cwd in Path("/proc").glob("[0-9]*/cwd"):
        with contextlib.suppress(OSError):
            if os.readlink(cwd) == str(folder.resolve()):
                found.append(int(cwd.parent.name))
    return found


def test_a_killed_caller_takes_its_run_down(iac_tools: Path, tree: Path) -> None:
    """A run that cannot end by itself, its caller killed as a review's timeout kills it:
    the pipes close, so the reader is not left waiting."""
    caller = _stuck(iac_tools, tree)
    with pytest.raises(subprocess.TimeoutExpired):  # still running: it holds its pipes
        caller.communicate(timeout=5)
    caller.send_signal(signal.SIGKILL)
    caller.communicate(timeout=120)  # every writer of the pipes is gone
    assert caller.returncode == -signal.SIGKILL


def test_the_server_ends_with_the_worker_that_started_it(iac_tools: Path, tmp_path: Path
                                                         ) -> None:
    """A test worker killed outright runs no atexit: its server must not live on."""
    from tests.support.tools_cache import cache_root

    worker = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom pathlib import Path\n"
         "from tests.support.warm_checkov import overlay\n"
         "overlay(Path(sys.argv[1]), Path(sys.argv[2]))\nprint('up', flush=True)\n"
         "sys.stdin.read()\n", str(cache_root()), str(tmp_path)], cwd=ROOT,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # lives until killed
    assert worker.stdout is not None and worker.stdout.readline().strip() == "up"
    (server,) = _children(worker.pid)
    worker.kill()
    worker.wait()
    _gone(server)


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _gone(pid: int) -> None:
    """Wait (a hang guard of 2 minutes, not a timing) until `pid` has ended."""
    try:
        ended = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    ready, _, _ = select.select([ended], [], [], 120)
    assert ready, f"the warm checkov server {pid} outlived its worker"
