"""The suite's checkov, forked from a warm interpreter: the tools folder the reviews under test
use, with the cached checkov's command replaced by a client of `warm_checkov_server.py`.

Importing `checkov.main` is about 3 s of CPU, nearly all of a run on a small fixture, and
the suite's reviews start checkov hundreds of times. The server (one per test worker, under
checkov's own interpreter) imports it once; the client in `bin/checkov` hands it its
arguments, folder, environment and stdin/stdout/stderr and exits with the run's status, so
the review sees the same process contract as with checkov's own script: the same output on
the same pipes, the same exit code, killed with its caller. Every other tool of the folder
is the shared one, linked.

`REVIEWLOOP_COLD_CHECKOV=1` gives the shared folder itself: every checkov run a fresh
process, to show the warm path changes no outcome (`tests/test_warm_checkov.py` compares
the two on every fixture).
"""

from __future__ import annotations

import atexit
import ctypes
import os
import random
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from reviewloop.checks.analyzers.checkov import QUIET_ENV
from reviewloop.checks.analyzers.provision import MARKER, TOOLS
from reviewloop.sandbox.process import project_env

SERVER = Path(__file__).with_name("warm_checkov_server.py")
TOOL = TOOLS["checkov"]
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent ends
# A run forked from the server has the server's string hashing, so the order of what
# checkov keeps in sets (the order of checks in its report, of choices in its usage) is the
# same in every run of a session, where fresh processes each draw their own. Drawn here, at
# random as a fresh process draws it, so a session still meets any order.
HASH_SEED = str(random.SystemRandom().randrange(1, 2**32))

# The client: connects, sends its three streams and its request, exits as the run did.
CLIENT = """#!{python} -IS
# the suite's warm checkov: a client of tests/support/warm_checkov_server.py
import json, os, signal, socket, sys
conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
conn.connect({socket!r})
socket.send_fds(conn, [b"."], [0, 1, 2])
conn.sendall(json.dumps({{"argv": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ),
                          "executable": {executable!r}}}).encode() + b"\\n")
answer = b""
while not answer.endswith(b"\\n"):
    chunk = conn.recv(4096)
    if not chunk:
        sys.exit("the warm checkov server went away")
    answer += chunk
code = json.loads(answer)["returncode"]
if code < 0:  # killed: so is this process, by the same signal
    if -code not in (signal.SIGKILL, signal.SIGSTOP):
        signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
sys.exit(code)
"""


def cold() -> bool:
    return os.environ.get("REVIEWLOOP_COLD_CHECKOV") == "1"


def overlay(shared: Path, under: Path | None = None) -> Path:
    """A tools folder like `shared` (where checkov is installed), in a new folder `under`
    (pytest's, which it clears, when a worker dies before its atexit), whose checkov runs
    are forked from a server started now; the server and the folder go at exit."""
    real = shared / TOOL.folder
    folder = Path(tempfile.mkdtemp(prefix="rl-warm-checkov-", dir=under))
    tools = folder / "tools"
    tools.mkdir()
    # every other tool's folder, installed or not yet (a later fixture may install it)
    names = {entry.name for entry in shared.iterdir()} | {t.folder for t in TOOLS.values()}
    for name in sorted(names - {TOOL.folder}):
        (tools / name).symlink_to(shared / name)
    python = real / "bin" / "python"
    socket_path = folder / "sock"
    log = (folder / "server.log").open("w")
    server = subprocess.Popen([str(python), str(SERVER), str(socket_path)], cwd=folder,
                              env={**project_env(), **QUIET_ENV, "PYTHONHASHSEED": HASH_SEED},
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=log, text=True, preexec_fn=_die_with_parent)
    atexit.register(_stop, server, folder)
    assert server.stdout is not None
    if server.stdout.readline().strip() != "ready":
        raise RuntimeError(f"the warm checkov server did not start: see {folder}/server.log")
    command = TOOL.command_in(tools / TOOL.folder)
    command.parent.mkdir(parents=True)
    shutil.copyfile(real / MARKER, tools / TOOL.folder / MARKER)
    command.write_text(CLIENT.format(python=python, socket=str(socket_path),
                                     executable=str(TOOL.command_in(real))))
    command.chmod(0o755)
    return tools


def _die_with_parent() -> None:
    """In the server, before it starts: killed when the test worker that started it ends,
    however it ends (a killed worker runs no atexit). prctl(2)'s parent is the thread that
    started it: the session's fixture, on the worker's main thread."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _stop(server: subprocess.Popen[str], folder: Path) -> None:
    server.kill()
    server.wait()
    shutil.rmtree(folder, ignore_errors=True)
