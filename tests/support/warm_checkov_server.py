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

import contextlib
import importlib.util
import json
import os
import select
import signal
import socket
import sys
import tempfile
import traceback
import warnings
from pathlib import Path
from typing import Any


def _sibling(name: str) -> Any:
    """`name`.py of this folder, loaded by its path: the folder is not on checkov's module
    path (its `github.py` would stand in for PyGithub's `github`)."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


warm = _sibling("warm_server")  # the fork loop and the interpreter's exit, shared


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
    return warm.finish(code)


def _manage(conn: socket.socket, given: tuple[dict[str, Any], list[int]]) -> None:
    """In the manager: fork the run, then wait for whichever comes first, its end or the
    caller's (the socket closing), which ends the run."""
    request, fds = given
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    pid = os.fork()
    if pid == 0:
        conn.close()
        os._exit(_run(request, fds))
    _close(given)
    with contextlib.suppress(OSError):  # here too: the caller may go before the run sets it
        os.setpgid(pid, pid)
    ended = os.pidfd_open(pid)
    ready, _, _ = select.select([ended, conn], [], [])
    if ended not in ready:  # the caller is gone: so is its run
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    _, raw = os.waitpid(pid, 0)
    with contextlib.suppress(OSError):
        conn.sendall(json.dumps({"returncode": warm.status(raw)}).encode() + b"\n")


def _request(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    _, fds, _, _ = socket.recv_fds(conn, 1, 3)
    try:
        if len(fds) != 3:
            raise ValueError(f"{len(fds)} streams passed, not 3")
        return json.loads(warm.read_line(conn)), list(fds)
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise


def _close(given: tuple[dict[str, Any], list[int]]) -> None:
    for fd in given[1]:
        os.close(fd)


def serve(path: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=SyntaxWarning)
        import checkov.main  # noqa: F401 - the import every run would make
    warm.serve_forks(path, _request, _manage, release=_close)


if __name__ == "__main__":
    warm.off_path(__file__)  # this script's folder is not on checkov's path
    serve(sys.argv[1])
