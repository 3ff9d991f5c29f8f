"""Running commands on a project's behalf: one process group, a hard timeout, a scrubbed env.

Both the agents' command tool and the gates and analyzers that run project code come
through `run`, so what "a command reviewloop ran" means is decided once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import NamedTuple

_KILL_GRACE_S = 5.0
_SECRET_MARKERS = ("SECRET", "TOKEN", "KEY", "PASSWORD", "PASSWD", "CREDENTIAL")


class CommandRun(NamedTuple):
    """How one shell command ended; `output` is stdout and stderr interleaved."""

    exit_code: int
    output: str
    timed_out: bool
    duration: float


def scrubbed_env(env: Mapping[str, str] | None = None, *,
                 keep_paths: bool = True) -> dict[str, str]:
    """The environment minus anything that looks like a credential (AWS_*, *TOKEN*, …).

    With `keep_paths`, a name ending in PATH (`KEYCHAIN_PATH`) stays: a path is not a
    credential. Without it, such a name is dropped too when it looks like one.
    """
    source = os.environ if env is None else env
    kept = {}
    for name, value in source.items():
        upper = name.upper()
        secret = upper.startswith("AWS_") or any(m in upper for m in _SECRET_MARKERS)
        if not secret or (keep_paths and upper.endswith("PATH")):
            kept[name] = value
    return kept


def project_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for project code (tests, builds, analyzers): no credential, not even
    a path to a key, and CI set so runners never wait on a TTY or enter watch mode."""
    env = scrubbed_env(environ, keep_paths=False)
    env.setdefault("CI", "true")
    return env


def run(command: str, cwd: Path, timeout: float, env: Mapping[str, str]) -> CommandRun:
    """Run `command` through the shell in `cwd`; never raises for a failing command."""
    started = time.monotonic()
    # A new session lets a timeout kill the whole process group, not just the shell:
    # a grandchild holding the pipe open would otherwise hang the wait.
    process = subprocess.Popen(
        command, shell=True, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, env=dict(env), start_new_session=True)
    try:
        raw, _ = process.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        _kill_group(process)
        try:
            raw, _ = process.communicate(timeout=_KILL_GRACE_S)
        except subprocess.TimeoutExpired:  # a child escaped the group and holds the pipe
            process.kill()
            raw = b""
        timed_out = True
    except BaseException:  # Ctrl-C: the new session would not get the signal itself
        _kill_group(process)
        process.wait()
        raise
    output = raw.decode("utf-8", errors="replace")
    return CommandRun(process.returncode, output, timed_out, time.monotonic() - started)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
