"""Heavy analyzers in their own cached environments, installed on first use.

Like pre-commit's hook environments: each tool in `TOOLS` (the one table of pinned
versions, `tool_table.py`) lives in its own folder under the tools folder,
`<tool>-<version>/` — a virtualenv for a PyPI tool, an `npm ci` of reviewloop's shipped
lockfile for an npm tool (ESLint, cdk-nag) — so its pins never meet reviewloop's (checkov
pins a boto3 that langchain-aws cannot use). The folder is `$REVIEWLOOP_TOOLS_DIR`, else
`$XDG_CACHE_HOME/reviewloop/tools`, else `~/.cache/reviewloop/tools`.

An environment counts as cached only once its marker file is written, after the installer
finished and the tool's command exists, so a half-finished install is never used. It is
resumed, not restarted: the virtualenv stays, pip and npm keep what they downloaded in the
tools folder's own caches (`.pip-cache`, `.npm-cache`), and the next attempt fetches only
what is missing (`tool_build.py`). A lock file keeps two processes from building the same
one; the one that waits says whom it waits for. Within one process, every thread that needs
the tool during a review joins one background installer (`install_aside.py`), so each line
is said once per process. `home(tool)` is a cached tool's folder, for
modules that resolve packages from it (cdk-nag for a CDK app).

What the user sees: one line when an install starts (what, where, roughly how long), one
every 30 s while it runs, one when a process waits on another's lock — through `listen`,
which the command line points at its notices. A review waits at most
`REVIEWLOOP_TOOL_INSTALL_WAIT_S` seconds (default 120): past that the install goes on in the
background and the analyzer is reported not run ("still installing"), so the review says it
is partial instead of sitting silent; `reviewloop tools install` waits for as long as it
takes. Once cached, a tool is used without any network. `REVIEWLOOP_TOOLS_OFFLINE=1` forbids
installing (the test suite sets it); pip reads its index settings (PIP_INDEX_URL, pip.conf),
npm its registry settings (.npmrc).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reviewloop.checks.analyzers import npm_env, tool_build
from reviewloop.checks.analyzers.install_aside import install_aside
from reviewloop.checks.analyzers.tool_table import (  # re-exported: the table's one address
    MARKER,
    TOOLS,
    ProvisionError,
    StillInstalling,
    Tool,
    fix_command,
)

__all__ = ["ASIDE", "MARKER", "TOOLS", "ProvisionError", "StillInstalling", "Tool", "cached",
           "ensure", "entries", "fix_command", "foreign", "home", "install", "locate", "on_path",
           "ours", "owner", "stale", "tools_dir", "unavailable"]
log = logging.getLogger(__name__)
PIP_CACHE = tool_build.PIP_CACHE
_CACHES = (tool_build.PIP_CACHE, npm_env.NPM_CACHE)  # downloads, shared: never a stale tool
_VERSION = re.compile(r"[0-9]+(?:\.[0-9]+)*(?:[.+-]?[0-9A-Za-z]+)*")
INSTALL_TIMEOUT_S = 900
REVIEW_WAIT_S = 120.0  # REVIEWLOOP_TOOL_INSTALL_WAIT_S: how long a review waits for one
_BEAT_S = 30.0  # a line this often while an install runs
_OUTPUT_CHARS = 600
ASIDE = ".removing-"  # `.<tool>-<version>.removing-<pid>`: moved aside by `clean`


_listener: Callable[[str], None] = log.warning


def listen(notify: Callable[[str], None]) -> None:
    """Where install notices go (the command line sets its own notice printer)."""
    global _listener
    _listener = notify


def review_wait(environ: Mapping[str, str] | None = None) -> float:
    env = os.environ if environ is None else environ
    try:
        return max(0.0, float(env.get("REVIEWLOOP_TOOL_INSTALL_WAIT_S", REVIEW_WAIT_S)))
    except ValueError:
        return REVIEW_WAIT_S


def tools_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get("REVIEWLOOP_TOOLS_DIR"):
        return Path(env["REVIEWLOOP_TOOLS_DIR"]).expanduser()
    cache = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache).expanduser() / "reviewloop" / "tools"


def offline(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return env.get("REVIEWLOOP_TOOLS_OFFLINE", "").lower() in ("1", "true", "yes")


def cached(tool: Tool, root: Path | None = None) -> Path | None:
    """The tool's command in its finished cached environment, or None. An npm tool's folder
    counts only while it was built from the lockfile reviewloop ships now: an upgrade that
    changes a plugin's pin (not the tool's version) installs it again."""
    env_dir = (root or tools_dir()) / tool.folder
    command = tool.command_in(env_dir)
    fresh = (env_dir / MARKER).is_file() and _outdated(tool, env_dir) is None
    return command if fresh and command.is_file() else None


def _outdated(tool: Tool, env_dir: Path) -> str | None:
    """The pin an npm tool's finished folder was built from, when it is not today's."""
    if not tool.npm:
        return None  # the folder's name is its exact version, the whole requirement
    try:
        built = json.loads((env_dir / MARKER).read_text(encoding="utf-8")).get("requirement")
    except (OSError, ValueError, AttributeError):
        return None  # no marker (not finished) or not ours: judged as before
    return built if isinstance(built, str) and built != tool.pin() else None


def home(tool: Tool, root: Path | None = None) -> Path | None:
    """The finished folder of a cached tool (an npm tool's `node_modules` is in it), or
    None; `ensure` installs it first."""
    return cached(tool, root) and (root or tools_dir()) / tool.folder


def on_path(tool: Tool) -> Path | None:
    """The user's own install (pipx, brew, a CI image): used when nothing is cached. Never
    for an npm tool, whose rule set needs the pinned plugins of its own folder."""
    if tool.npm:
        return None
    found = shutil.which(tool.command)
    return Path(found) if found else None


def locate(tool: Tool, root: Path | None = None) -> Path | None:
    """The command to run for `tool` without installing anything: cache first, then PATH."""
    return cached(tool, root) or on_path(tool)


def ensure(tool: Tool, root: Path | None = None, *,
           notify: Callable[[str], None] | None = None, wait: float | None = None) -> Path:
    """The tool's command, installing its environment on first use; ProvisionError when it is
    neither cached, on PATH, nor installable now. With `wait` (a review), the install runs
    in its own process and StillInstalling is raised once `wait` seconds have passed."""
    found = locate(tool, root)
    if found is not None:
        return found
    base = root or tools_dir()
    if offline():
        raise ProvisionError(
            f"{tool.name} {tool.version} is not cached in {base} and "
            f"REVIEWLOOP_TOOLS_OFFLINE is set; fix: run `{fix_command(tool)}` where "
            f"{tool.registry} is reachable (or point REVIEWLOOP_TOOLS_DIR at a cache that "
            f"has it)")
    if tool.npm and npm_env.npm() is None:
        raise ProvisionError(npm_env.missing_npm(tool.name))
    say = notify or _listener
    if wait is None:
        return install(tool, base, notify=say)
    return install_aside(tool, base, wait, say, done=lambda: cached(tool, base))


def unavailable(tool: Tool) -> str | None:
    """An analyzer's `available()`: None once the tool can run (installing it on first use,
    for at most `review_wait()` seconds), else why not, with the fix command."""
    try:
        ensure(tool, wait=review_wait())
    except ProvisionError as exc:
        return str(exc)
    return None


def install(tool: Tool, root: Path | None = None, *, timeout: float = INSTALL_TIMEOUT_S,
            notify: Callable[[str], None] | None = None, beat: float = _BEAT_S) -> Path:
    """Build the tool's environment (a no-op when it is cached), resuming an unfinished one,
    and return its command; a line is said every `beat` seconds while it builds."""
    base = root or tools_dir()
    say = notify or _listener
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ProvisionError(f"cannot create the tools folder {base}: {exc}; fix: set "
                             f"REVIEWLOOP_TOOLS_DIR to a writable folder") from None
    with _locked(base / f".{tool.folder}.lock", tool, say):
        done = cached(tool, base)
        if done is not None:
            return done
        env_dir = base / tool.folder
        resumed = tool_build.resumable(tool, env_dir)
        if _outdated(tool, env_dir) is not None:
            (env_dir / MARKER).unlink()  # unusable until the new pins are installed
            say(f"updating {tool.name} {tool.version} in {env_dir}: the packages reviewloop "
                f"pins for it changed (usually {tool.typical}; later reviews reuse it offline)")
        else:
            say(f"{'resuming the install of' if resumed else 'installing'} {tool.name} "
                f"{tool.version} into {env_dir} (first use, usually {tool.typical}; later "
                f"reviews reuse it offline)")
        tool_build.build(tool, env_dir, timeout, say, resumed=resumed, beat=beat)
    command = cached(tool, base)
    if command is None:  # pragma: no cover - build writes the marker last
        raise ProvisionError(f"{tool.name} vanished from {base} right after its install")
    return command


@contextmanager
def _locked(path: Path, tool: Tool, say: Callable[[str], None]) -> Iterator[None]:
    """An exclusive lock on `path` (POSIX), holding the owner's pid; a second installer says
    whom it waits for, then waits. The kernel drops the lock of a process that dies."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock, the marker still protects
        yield
        return
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "?"
            say(f"waiting for another reviewloop process (pid {owner}) that is installing "
                f"{tool.name} {tool.version}")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
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
    """reviewloop's tool folders in the cache that no pin in TOOLS names (old versions)."""
    base = root or tools_dir()
    wanted = {tool.folder for tool in TOOLS.values()}
    return [p for p in ours(base) if p.is_dir() and not p.is_symlink()
            and p.name not in wanted and p.name not in _CACHES]


def foreign(root: Path | None = None) -> list[Path]:
    """What is in the tools folder that reviewloop did not make: `clean` leaves it alone."""
    base = root or tools_dir()
    made = set(ours(base))
    return sorted(p for p in base.iterdir() if p not in made) if base.is_dir() else []


def ours(base: Path) -> list[Path]:
    """The entries reviewloop made in the tools folder: a tool's folder `<tool>-<version>`
    (today's pin, or another version holding reviewloop's marker), its lock
    `.<tool>-<version>.lock`, and the download caches."""
    if not base.is_dir():
        return []
    wanted = {tool.folder for tool in TOOLS.values()}
    found = []
    for path in sorted(base.iterdir()):
        if ASIDE in path.name:  # a folder a `clean` moved aside and did not finish removing
            mine = path.is_dir() and not path.is_symlink() and path.name.startswith(".") \
                and owner(Path(path.name[1:].split(ASIDE)[0])) is not None
        elif path.name in _CACHES:
            mine = path.is_dir() and not path.is_symlink()
        elif path.name.startswith(".") and path.name.endswith(".lock"):
            mine = owner(path) is not None and path.is_file() and not path.is_symlink()
        else:
            folder = path.is_dir() and not path.is_symlink()  # a user's file of that name stays
            mine = owner(path) is not None and folder and (path.name in wanted or _marked(path))
        if mine:
            found.append(path)
    return found


def _marked(path: Path) -> bool:
    """A folder an install of reviewloop's worked in: finished, or its virtualenv made."""
    return path.is_dir() and not path.is_symlink() and any(
        (path / mark).is_file() for mark in (MARKER, tool_build.VENV_READY))


def owner(path: Path) -> str | None:
    """The tool whose folder or lock `path` names, `<tool>-<version>` with a version that
    starts with a digit; None for any other name (`eslint-config`, `checkov-policies`)."""
    stem = path.name.removeprefix(".").removesuffix(".lock") if path.name.startswith(".") \
        else path.name
    for name in TOOLS:
        version = stem.removeprefix(f"{name}-")
        if version != stem and _VERSION.fullmatch(version):
            return name
    return None


def _main(argv: list[str]) -> int:
    """`python -m reviewloop.checks.analyzers.provision TOOL_JSON FOLDER`: the background
    installer a review starts; what it says goes to its log, one notice a line."""
    tool, base = Tool(**json.loads(argv[0])), Path(argv[1])
    try:
        install(tool, base, notify=lambda text: print(text, flush=True))
    except ProvisionError as exc:
        print(exc, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
