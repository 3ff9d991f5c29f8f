"""`python -m reviewloop ARGS` for tests, as a real process forked from a warm interpreter.

Most of a CLI test's CPU went to importing LangGraph, LangChain and boto3 in every process
(about 2 s each, hundreds of processes). `warm_server.py` imports them once per test worker
and forks each CLI process from there: a separate process with its own pid, cwd,
environment, stdin/stdout/stderr and exit status (SIGKILL reads -9), running the same
`reviewloop/__main__.py`. Tests that check the interpreter's own start (the demo, the
installed entry point, terminals) keep spawning `python -m reviewloop` themselves.

`REVIEWLOOP_COLD_CLI=1` spawns a fresh interpreter for every call instead: the same tests,
the slow way, to show the warm path changes no outcome.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.support.warm_server import unshare_user

SERVER = Path(__file__).with_name("warm_server.py")
_lock = threading.Lock()
_server: dict[str, object] = {}


def cold() -> bool:
    return os.environ.get("REVIEWLOOP_COLD_CLI") == "1"


def _socket_path() -> str:
    """The worker's server, started on first use (again if it died)."""
    with _lock:
        proc = _server.get("proc")
        if isinstance(proc, subprocess.Popen) and proc.poll() is None:
            return str(_server["path"])
        home = tempfile.mkdtemp(prefix="rl-warm-")
        path = os.path.join(home, "sock")
        log = open(os.path.join(home, "server.log"), "w")  # noqa: SIM115 - lives with the server
        proc = subprocess.Popen([sys.executable, str(SERVER), path], cwd=home,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                                text=True)
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the warm CLI server did not start: see {home}/server.log")
        _server.update(proc=proc, path=path, home=home)
        atexit.register(_stop, proc, home)
        return path


def _stop(proc: subprocess.Popen, home: str) -> None:
    proc.kill()
    proc.wait()
    shutil.rmtree(home, ignore_errors=True)


class Process:
    """A CLI process forked by the warm server, used like a `subprocess.Popen` whose
    stdout and stderr are captured (`communicate`)."""

    def __init__(self, args: Sequence[str], cwd: str | os.PathLike[str],
                 env: Mapping[str, str] | None = None, stdin: str | None = None,
                 unshare: bool = False):
        self.args = [sys.executable, "-m", "reviewloop", *args]
        self._files = Path(tempfile.mkdtemp(prefix="rl-cli-"))
        (self._files / "stdin").write_text(stdin or "")
        request = {"argv": list(args), "cwd": str(Path(cwd).resolve()),
                   "env": dict(os.environ if env is None else env),
                   "unshare": unshare,
                   **{name: str(self._files / name) for name in ("stdin", "stdout", "stderr")}}
        self._conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._conn.connect(_socket_path())
        self._conn.sendall(json.dumps(request).encode() + b"\n")
        self._buffer = b""
        self.pid: int = json.loads(self._line(None))["pid"]
        self.returncode: int | None = None

    def _line(self, timeout: float | None) -> bytes:
        while b"\n" not in self._buffer:
            ready, _, _ = select.select([self._conn], [], [], timeout)
            if not ready:
                raise subprocess.TimeoutExpired(self.args, timeout or 0)
            chunk = self._conn.recv(65536)
            if not chunk:
                raise RuntimeError("the warm CLI server went away")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                self.wait(timeout=0)
            except subprocess.TimeoutExpired:
                return None
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self.returncode = int(json.loads(self._line(timeout))["returncode"])
            self._conn.close()
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):  # ended, not yet reported: as Popen
                os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        self.wait(timeout)
        out, err = ((self._files / name).read_text(errors="replace")
                    for name in ("stdout", "stderr"))
        shutil.rmtree(self._files, ignore_errors=True)
        return out, err


def popen(args: Sequence[str], cwd: str | os.PathLike[str],
          env: Mapping[str, str] | None = None) -> Process | subprocess.Popen:
    """A running CLI process (stdin empty; stdout and stderr captured, text)."""
    if cold():
        return subprocess.Popen([sys.executable, "-m", "reviewloop", *args], cwd=cwd, env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    return Process(args, cwd, env)


def run(args: Sequence[str], cwd: str | os.PathLike[str],
        env: Mapping[str, str] | None = None, timeout: float | None = None,
        check: bool = False, input: str | None = None, unshare: bool = False
        ) -> subprocess.CompletedProcess[str]:
    """`subprocess.run([python, -m, reviewloop, *args], capture_output=True, text=True)`;
    `unshare`: the process in a user namespace of its own (`warm_server.unshare_user`)."""
    if cold():
        return subprocess.run([sys.executable, "-m", "reviewloop", *args], cwd=cwd, env=env,
                              input=input, stdin=None if input is not None else subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout, check=check,
                              preexec_fn=unshare_user if unshare else None)
    process = Process(args, cwd, env, stdin=input, unshare=unshare)
    try:
        out, err = process.communicate(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
    done = subprocess.CompletedProcess(process.args, process.wait(), out, err)
    if check:
        done.check_returncode()
    return done
