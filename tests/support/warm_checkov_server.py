"""A warm checkov that forks a checkov run on request (see `warm_checkov.py`).

Runs under the interpreter of checkov's own cached environment with `checkov.main`
imported: that import is about 3 s of CPU, nearly all of a small run, and the suite starts
checkov hundreds of times. For each request the server forks a manager, which forks the run
and waits for it; the run is `Checkov().run()` exactly as checkov's own `bin/checkov` calls
it, in the caller's folder and environment, writing to the caller's stdin/stdout/stderr
(passed over the socket). When the caller goes away (killed on a timeout) the manager kills
the run's process group, so the pipes its reader waits on close.

Protocol on a Unix socket, per request: one byte with the caller's fds 0, 1 and 2, then one
JSON line {"argv", "cwd", "env"}; back, one JSON line {"returncode": N} (-N: killed by
signal N).
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import os
import select
import signal
import socket
import sys
import tempfile
import threading
import traceback
import warnings
from typing import Any


def _run(request: dict[str, Any], fds: list[int]) -> int:
    """In the forked run: become `checkov ARGV` in CWD with ENV on the caller's streams."""
    os.setpgid(0, 0)  # the manager kills the whole group (checkov forks its runners)
    for fd, given in zip((0, 1, 2), fds, strict=True):
        os.dup2(given, fd)
        os.close(given)
    os.environ.clear()
    os.environ.update(request["env"])
    tempfile.tempdir = None  # found again from this run's TMPDIR, not the server's
    os.chdir(request["cwd"])
    sys.argv = [request["executable"], *request["argv"]]
    code: object = 0
    try:
        from checkov.common.util.env_vars_config import env_vars_config
        from checkov.main import Checkov

        env_vars_config.__init__()  # type: ignore[misc] - read from this run's environment
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=SyntaxWarning)
            code = Checkov(argv=request["argv"]).run()  # its default is import-time argv
    except SystemExit as done:
        code = done.code
    except BaseException:  # noqa: BLE001 - as the interpreter: print it, exit 1
        traceback.print_exc()
        code = 1
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _status(raw: int) -> int:
    return -os.WTERMSIG(raw) if os.WIFSIGNALED(raw) else os.WEXITSTATUS(raw)


def _manage(conn: socket.socket, request: dict[str, Any], fds: list[int]) -> None:
    """In the manager: fork the run, then wait for whichever comes first, its end or the
    caller's (the socket closing), which ends the run."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    pid = os.fork()
    if pid == 0:
        conn.close()
        os._exit(_run(request, fds))
    for fd in fds:
        os.close(fd)
    ended = os.pidfd_open(pid)
    ready, _, _ = select.select([ended, conn], [], [])
    if ended not in ready:  # the caller is gone: so is its run
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    _, raw = os.waitpid(pid, 0)
    with contextlib.suppress(OSError):
        conn.sendall(json.dumps({"returncode": _status(raw)}).encode() + b"\n")


def _request(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    _, fds, _, _ = socket.recv_fds(conn, 1, 3)
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return json.loads(data), list(fds)


def serve(path: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=SyntaxWarning)
        import checkov.main  # noqa: F401 - the import every run would make
    gc.freeze()  # what the import made is never collected: runs share its pages untouched
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # managers are reaped by the kernel
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    print("ready", flush=True)
    while True:
        conn, _ = listener.accept()
        request, fds = _request(conn)
        if os.fork() == 0:
            listener.close()
            try:
                _manage(conn, request, fds)
            finally:
                os._exit(0)
        conn.close()
        for fd in fds:
            os.close(fd)


if __name__ == "__main__":
    del sys.path[0]  # this script's folder is not on checkov's path
    serve(sys.argv[1])
