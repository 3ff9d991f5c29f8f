"""`reviewloop install-hook`: a git pre-commit hook for projects that do not use pre-commit.

The hook is a short POSIX shell script with a marker line, so reviewloop can tell its own
hook from anyone else's: a foreign hook is never replaced without `force`, and then it is
kept beside it as `pre-commit.reviewloop-backup`.
"""

from __future__ import annotations

import shlex
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from reviewloop.errors import UserInputError

MARKER = "# reviewloop-managed pre-commit hook"
BACKUP_SUFFIX = ".reviewloop-backup"
COMMAND = "review --staged --fail-on must_fix"


def hook_script(python: str = sys.executable) -> str:
    """The hook: `reviewloop` from PATH, else the interpreter reviewloop was installed with."""
    return "\n".join([
        "#!/bin/sh",
        MARKER,
        "# Written by `reviewloop install-hook`; `reviewloop install-hook --uninstall` removes it.",
        "# Reviews the staged change and stops the commit on must-fix findings",
        "# (skip once with `git commit --no-verify`).",
        "if command -v reviewloop >/dev/null 2>&1; then",
        f"    exec reviewloop {COMMAND}",
        "fi",
        # -P: the repository's own top-level packages (a `click/`, a `git.py`) must not
        # shadow reviewloop's imports when the hook runs from the repository root
        f"exec {shlex.quote(python)} -P -m reviewloop {COMMAND}",
        "",
    ])


@dataclass(frozen=True)
class HookResult:
    path: Path
    action: str  # "installed", "updated", "unchanged", "removed", "absent"
    backup: Path | None = None


def install(hooks_dir: Path, *, force: bool = False, script: str | None = None) -> HookResult:
    """Write the hook; refuse to replace a hook reviewloop did not write unless `force`."""
    script = hook_script() if script is None else script
    target = hooks_dir / "pre-commit"
    backup = None
    if target.exists() or target.is_symlink():
        current = _read(target)
        if current == script:
            return HookResult(target, "unchanged")
        if MARKER not in current:
            if not force:
                raise UserInputError(
                    "a pre-commit hook that reviewloop did not write is already installed",
                    where=str(target),
                    fix="run `reviewloop install-hook --force` to replace it (it is kept as "
                        f"pre-commit{BACKUP_SUFFIX}), or add `reviewloop {COMMAND}` to it "
                        "yourself")
            backup = target.with_name("pre-commit" + BACKUP_SUFFIX)
            target.replace(backup)
    action = "updated" if target.exists() else "installed"
    hooks_dir.mkdir(parents=True, exist_ok=True)
    target.write_text(script, encoding="utf-8")
    target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return HookResult(target, action, backup)


def uninstall(hooks_dir: Path) -> HookResult:
    """Remove reviewloop's hook (never anyone else's) and put a backed-up hook back."""
    target = hooks_dir / "pre-commit"
    if not target.exists():
        return HookResult(target, "absent")
    if MARKER not in _read(target):
        raise UserInputError("the pre-commit hook here was not written by reviewloop; "
                             "left as it is", where=str(target))
    target.unlink()
    backup = target.with_name("pre-commit" + BACKUP_SUFFIX)
    if backup.exists():
        backup.replace(target)
        return HookResult(target, "removed", backup)
    return HookResult(target, "removed")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""  # a dangling symlink: not ours
