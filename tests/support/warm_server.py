"""A warm interpreter that forks the reviewloop CLI on request (see `warm_cli.py`).

Started once per test worker with the package (LangGraph, LangChain, boto3 and reviewloop)
imported. For each request it forks a manager, which forks the CLI process and reports the
CLI's pid and then its exit status, so a SIGKILL shows as -9 exactly as with `subprocess`.
The server itself stays single-threaded: forking is only safe from a process without threads.

Protocol, one JSON line each way on a Unix socket per request:
  -> {"argv", "cwd", "env", "stdout", "stderr", "stdin"}    (paths of files)
     and "unshare": true for a CLI in a user namespace of its own (`unshare_user`)
  <- {"pid": N}  then  {"returncode": N}
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import gc
import json
import os
import runpy
import signal
import socket
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from typing import Any

# The modules every command would load anyway: imported once here, not per CLI process.
WARM = ("reviewloop.cli.app", "reviewloop.runs.runner", "reviewloop.runs.review",
        "reviewloop.graph.build", "reviewloop.app.run", "reviewloop.cli.review",
        "langchain_aws", "boto3")


def warm_caches() -> None:
    """What every review computes first, from reviewloop's own data only (nothing of the
    environment, the tree or the plugins a CLI call has): gitleaks' default rule set, ~220
    regexes read and compiled (`skipped()` builds it), ~0.1-0.2 s of each review's CPU.
    Computed here once, each forked CLI has it as a second review in one process has it."""
    from reviewloop.checks.secrets import gitleaks_rules

    gitleaks_rules.skipped()


_CLONE_NEWUSER = 0x10000000


def unshare_user() -> None:
    """Enter a user namespace of its own: even as root, the process keeps no capability to
    override a file's mode (tests/support/readonly.py). Only a single-threaded process may."""
    if ctypes.CDLL(None, use_errno=True).unshare(_CLONE_NEWUSER) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWUSER) refused")


def _run_cli(request: dict) -> int:
    """In the forked CLI process: become `python -m reviewloop ARGV` in CWD with ENV."""
    os.environ.clear()
    os.environ.update(request["env"])
    tempfile.tempdir = None  # found again from this call's TMPDIR, not the server's
    os.chdir(request["cwd"])
    sys.path.insert(0, request["cwd"])  # what `python -m` puts first
    for fd, path, mode in ((0, request["stdin"], os.O_RDONLY),
                           (1, request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                           (2, request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
        opened = os.open(path, mode, 0o600)
        os.dup2(opened, fd)
        os.close(opened)
    sys.argv = ["-m", *request["argv"]]
    code: object = 0
    try:
        if request.get("unshare"):  # where a cold start does it: after its cwd and streams
            unshare_user()
        runpy.run_module("reviewloop", run_name="__main__", alter_sys=True)
    except SystemExit as done:
        code = done.code
    except BaseException:  # noqa: BLE001 - the interpreter prints any uncaught exception
        traceback.print_exc()
        code = 1
    return finish(code)


def finish(code: object) -> int:
    """What interpreter shutdown does before the process ends: threads joined, atexit run,
    streams flushed; SystemExit's code mapped as Python maps it."""
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    return status & 0xFF


def status(raw: int) -> int:
    return -os.WTERMSIG(raw) if os.WIFSIGNALED(raw) else os.WEXITSTATUS(raw)


def _manage(conn: socket.socket, request: dict) -> None:
    """In the manager: fork the CLI, report its pid, wait for it, report how it ended."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    pid = os.fork()
    if pid == 0:
        conn.close()
        os._exit(_run_cli(request))
    conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
    _, raw = os.waitpid(pid, 0)
    conn.sendall(json.dumps({"returncode": status(raw)}).encode() + b"\n")


def read_line(conn: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def serve(path: str) -> None:
    for name in WARM:
        __import__(name)
    warm_caches()
    serve_forks(path, lambda conn: json.loads(read_line(conn)), _manage)


def serve_forks(path: str, read: Callable[[socket.socket], Any],
                manage: Callable[[socket.socket, Any], None],
                release: Callable[[Any], None] = lambda request: None) -> None:
    """Say "ready", then for each connection on the socket at `path`: `read` its request,
    fork a manager that `manage`s it, and `release` what the request holds here. Also the
    warm checkov's loop (`warm_checkov_server.py`)."""
    gc.freeze()  # what the imports made is never collected: children share its pages untouched
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # managers are reaped by the kernel
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    print("ready", flush=True)
    while True:
        conn, _ = listener.accept()
        try:
            request = read(conn)
        except (OSError, ValueError):  # a caller gone before its request was whole
            conn.close()
            continue
        if os.fork() == 0:
            listener.close()
            try:
                manage(conn, request)
            finally:
                os._exit(0)
        conn.close()
        release(request)


def off_path(script: str) -> None:
    """Take `script`'s folder off the module path, where Python put it first (unless
    PYTHONSAFEPATH told it not to)."""
    if sys.path and sys.path[0] == os.path.dirname(os.path.abspath(script)):
        del sys.path[0]


if __name__ == "__main__":
    off_path(__file__)  # this script's folder is not on a real CLI's path
    serve(sys.argv[1])
