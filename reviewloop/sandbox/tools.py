"""Where a tool's binary really is, to show it in the sandbox read-only.

A tool found on PATH is often a link into a folder the sandbox hides: Homebrew on Linux
(`~/.linuxbrew/bin/helm -> ../Cellar/helm/3.16.0/bin/helm`), a `~/.local/bin` link, a
download under `/tmp`. The sandbox binds each PATH folder back, not the link's target, so
the tool is "not found" inside it. A tool is still started by the path it was found at
(`argv[0]`): a multi-call binary — snap's `/snap/bin/kubectl -> /usr/bin/snap`, busybox —
acts as the tool its name says, and started as its target it is another. `shown` is the
folder of each step from that path to the binary (`hops`), to show read-only with it —
never `/`, a folder the sandbox hides as a whole (`/tmp`, `/home`, `/root`), the user's
home or a folder above it: a tool kept there cannot run sandboxed (`NOT_STARTED` says so,
with the fix)."""

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


_MOST_HOPS = 40  # as the kernel's limit on links followed (ELOOP)


def hops(command: str) -> list[Path]:
    """`command` and each path a link on the way leads to, as the kernel follows them when
    it starts `command`, the binary last."""
    path = Path(command)
    found = [path]
    while path.is_symlink() and len(found) <= _MOST_HOPS:
        try:
            target = Path(os.readlink(path))
        except OSError:
            break
        path = target if target.is_absolute() else path.parent / target
        found.append(path)
    return [*found, real(command)]


def shown(command: str) -> tuple[Path, ...]:
    """The folders of the steps from `command` to its binary (`hops`) to show read-only in
    the sandbox, each real; none that must stay hidden (see the module's note)."""
    folders = dict.fromkeys(hop.parent.resolve() for hop in hops(command))
    return tuple(folder for folder in folders if _showable(folder))


def _showable(folder: Path) -> bool:
    home = Path(os.environ.get("HOME") or str(Path.home())).resolve()
    return not (folder in _WHOLE or home == folder or home.is_relative_to(folder))


def said(tool: str, command: str, error: str) -> str:
    """`NOT_STARTED` for `tool`, found at `command`, the shell having said `error`."""
    folder = real(command).parent
    return NOT_STARTED.format(tool=tool, real=real(command), error=" ".join(error.split()),
                              folder=folder, shown="shown" if _showable(folder) else "hidden")


def not_started(exit_code: int) -> bool:
    """Whether a shell's exit code says the command did not start (126: not executable,
    127: not found) — a Go tool such as helm or kustomize exits 1 on its own errors."""
    return exit_code in (126, 127)
