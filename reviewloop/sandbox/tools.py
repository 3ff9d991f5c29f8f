"""Where a tool's binary really is, to show it in the sandbox read-only.

A tool found on PATH is often a link into a folder the sandbox hides: Homebrew on Linux
(`~/.linuxbrew/bin/helm -> ../Cellar/helm/3.16.0/bin/helm`), a `~/.local/bin` link, a
download under `/tmp`. The sandbox binds each PATH folder back, not the link's target, so
the tool is "not found" inside it. `real` is the binary itself, `shown` the folder to show
read-only with it — never `/`, a folder the sandbox hides as a whole (`/tmp`, `/home`,
`/root`), the user's home or a folder above it: a tool kept there cannot run sandboxed
(`NOT_STARTED` says so, with the fix)."""

from __future__ import annotations

import os
from pathlib import Path

_WHOLE = frozenset(Path(p) for p in ("/", "/tmp", "/var/tmp", "/run", "/home", "/root"))
NOT_STARTED = ("{tool} ({real}) could not start in the sandbox ({error}); the sandbox hides "
               "your home, /home, /root and /tmp (and what a tool needs from them), and shows "
               "a tool's own folder read-only only when it is none of them nor above your "
               "home ({folder}: {shown}); fix: install {tool} outside them (/usr/local/bin, "
               "or /opt/{tool} linked from a folder on PATH), or set sandbox = \"off\"")


def real(command: str) -> Path:
    """The binary `command` (a path, perhaps a link) leads to."""
    return Path(command).resolve()


def shown(command: str) -> tuple[Path, ...]:
    """The real folder of `command` to show read-only in the sandbox; none when it is one
    that must stay hidden (see the module's note)."""
    folder = real(command).parent
    home = Path(os.environ.get("HOME") or str(Path.home())).resolve()
    if folder in _WHOLE or home == folder or home.is_relative_to(folder):
        return ()
    return (folder,)


def said(tool: str, command: str, error: str) -> str:
    """`NOT_STARTED` for `tool`, found at `command`, the shell having said `error`."""
    folder = real(command).parent
    return NOT_STARTED.format(tool=tool, real=real(command), error=" ".join(error.split()),
                              folder=folder, shown="shown" if shown(command) else "hidden")


def not_started(exit_code: int) -> bool:
    """Whether a shell's exit code says the command did not start (126: not executable,
    127: not found) — a Go tool such as helm or kustomize exits 1 on its own errors."""
    return exit_code in (126, 127)
