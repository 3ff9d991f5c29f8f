"""Running commands on a project's or a model's behalf: sandboxed, one process group, a hard
timeout, an environment cut down to an allow-list.

The agents' command tool and the gates and analyzers that run project code all come through
`run`, so what "a command reviewloop ran" means is decided once; the walls around it are
`reviewloop.sandbox.bubblewrap`.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping
from contextlib import suppress
from pathlib import Path
from typing import NamedTuple

from reviewloop.sandbox import bubblewrap as sandboxing
from reviewloop.sandbox import live
from reviewloop.sandbox.bubblewrap import Sandbox
from reviewloop.sandbox.gitconfig import identity_file, repository_copies

_KILL_GRACE_S = 5.0
_SECRET_MARKERS = ("SECRET", "TOKEN", "KEY", "PASSWORD", "PASSWD", "CREDENTIAL")
# What a build or test needs from the caller's environment; anything else stays outside
# (`sandbox_env` adds names). A name that looks like a credential is dropped even when listed.
ENV_ALLOW = (
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE", "LC_*", "TERM", "TZ",
    "TMPDIR", "COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "CI", "SOURCE_DATE_EPOCH",
    "VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONPATH", "PYTHONHASHSEED", "PYTHONDONTWRITEBYTECODE",
    "PYTHONUTF8", "PYTHONIOENCODING", "PYTHONUNBUFFERED", "NODE_ENV", "GOPATH", "GOROOT",
    "GOFLAGS", "GOCACHE", "GOMODCACHE", "CARGO_HOME", "RUSTUP_HOME", "JAVA_HOME",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
    "NODE_EXTRA_CA_CERTS", "NODE_V8_COVERAGE", "PYTEST_ADDOPTS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
    "PYENV_VERSION", "PYENV_ROOT",  # which version a pyenv shim runs, and where it lives
)


class CommandRun(NamedTuple):
    """How one shell command ended; `output` is stdout and stderr interleaved."""

    exit_code: int
    output: str
    timed_out: bool
    duration: float


def looks_secret(name: str) -> bool:
    """True for AWS_* and names with SECRET, TOKEN, KEY, PASSWORD, … in them."""
    upper = name.upper()
    return upper.startswith("AWS_") or any(m in upper for m in _SECRET_MARKERS)


def command_env(environ: Mapping[str, str] | None = None, *,
                extra: Iterable[str] = ()) -> dict[str, str]:
    """The environment a command gets: the allow-listed names of `environ` (default: ours)
    minus anything that looks like a credential, plus the names in `extra` as they are
    (the user listed them on purpose), and CI set so runners never wait on a TTY."""
    source = os.environ if environ is None else environ
    extra = tuple(extra)
    env = {name: value for name, value in source.items() if _passed(name) or name in extra}
    env.setdefault("CI", "true")
    # Python's cached bytecode is keyed by its source's size and mtime in whole seconds: an
    # edit that keeps the size within the second (`a - b` -> `a + b`, an agent's fix) would
    # be tested as the old code. Nothing a run starts writes it; a user's own setting stands.
    env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    return env


@functools.lru_cache(maxsize=4096)
def _passed(name: str) -> bool:
    """Whether `name` is allow-listed and does not look like a credential; asked once per
    name (every command a review starts asks it of the whole environment)."""
    return any(fnmatch.fnmatchcase(name, p) for p in ENV_ALLOW) and not looks_secret(name)


def project_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for reviewloop's own tools run on the project (ruff, bandit). A
    Python tool started as `python -m tool` in the reviewed tree would put that tree first on
    its module path: a change's own `textwrap.py` or `yaml/` would be imported in place of
    the standard library's or the tool's dependency, and run. PYTHONSAFEPATH adds nothing."""
    return {**command_env(environ), "PYTHONSAFEPATH": "1"}


def run(command: str, cwd: Path, timeout: float, *, sandbox: Sandbox,
        writable: Iterable[Path] = (), environ: Mapping[str, str] | None = None) -> CommandRun:
    """Run `command` through the shell in `cwd`, inside `sandbox` with `cwd` and `writable`
    writable; never raises for a failing command (SandboxUnavailable when it cannot start)."""
    env = command_env(environ, extra=sandbox.env)
    if sandbox.off:
        return _run(["/bin/sh", "-c", command], cwd, timeout, env)
    env["TMPDIR"] = "/tmp"  # the sandbox's own; the caller's may be hidden
    # no credentials from the host's git config, nor from the repository's
    with identity_file(cwd) as gitconfig, repository_copies(cwd) as configs:
        argv = sandboxing.wrap(sandbox, ["/bin/sh", "-c", command], cwd=cwd,
                               writable=writable, env=env, gitconfig=gitconfig,
                               shown_as=configs)
        return _run(argv, cwd, timeout, env)


def _run(argv: list[str], cwd: Path, timeout: float, env: dict[str, str]) -> CommandRun:
    started = time.monotonic()
    # A new session lets a timeout kill the whole process group, not just the shell:
    # a grandchild holding the pipe open would otherwise hang the wait. bwrap's
    # --die-with-parent takes the sandbox down with it.
    process = subprocess.Popen(
        argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        with live.tracked(process):
            raw, _ = process.communicate(timeout=timeout)
        if live.stopping():  # killed by reviewloop's stop: not the command's result
            raise KeyboardInterrupt(f"{argv[-1]} was stopped with reviewloop")
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
