"""`reviewloop install-hook`: a git pre-commit hook for projects that do not use pre-commit.

reviewloop's part of the hook is a block of POSIX shell between two marker lines, so
reviewloop can tell its own lines from anyone else's: an update or `--uninstall` rewrites
only that block and keeps the lines the user added around it; a foreign hook is never
replaced without `force`, and then it is kept beside it as `pre-commit.reviewloop-backup`
(`.2`, `.3`, ... when that name is taken: a backup is never overwritten).
"""

from __future__ import annotations

import shlex
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from reviewloop.errors import UserInputError
from reviewloop.git.hooks import HooksFolder

MARKER = "# reviewloop-managed pre-commit hook"
END_MARKER = "# end of reviewloop-managed pre-commit hook"
BACKUP_SUFFIX = ".reviewloop-backup"
COMMAND = "review --staged --fail-on must_fix"
_SHEBANG = "#!/bin/sh"


def hook_block(python: str = sys.executable) -> list[str]:
    """reviewloop's lines: `reviewloop` from PATH, else the interpreter it was installed
    with. No `exec`, so lines the user adds after the block still run."""
    return [
        MARKER,
        "# Written by `reviewloop install-hook`; `reviewloop install-hook --uninstall` removes it.",
        "# Reviews the staged change and stops the commit on must-fix findings",
        "# (skip once with `git commit --no-verify`). Lines outside this block are yours.",
        "if command -v reviewloop >/dev/null 2>&1; then",
        f"    reviewloop {COMMAND} || exit $?",
        "else",
        # -P: the repository's own top-level packages (a `click/`, a `git.py`) must not
        # shadow reviewloop's imports when the hook runs from the repository root
        f"    {shlex.quote(python)} -P -m reviewloop {COMMAND} || exit $?",
        "fi",
        END_MARKER,
    ]


def hook_script(python: str = sys.executable) -> str:
    """The whole hook file as a fresh install writes it."""
    return "\n".join([_SHEBANG, *hook_block(python), ""])


def hook_dir(folder: Path) -> Path:
    """Where the hook goes in git's hooks `folder`: husky (v9) points git at its generated
    `_` dispatcher, which runs the user's hooks one level up, so reviewloop's goes there."""
    return folder.parent if _husky(folder) else folder


def _husky(folder: Path) -> bool:
    return folder.name == "_" and (folder.parent.name == ".husky" or (folder / "h").is_file())


def husky_gap(folder: Path) -> str | None:
    """Why git, pointed at husky's `_` `folder`, runs no pre-commit hook now, or None: the
    dispatcher (`h`) or its `pre-commit` stub is gone (`git clean -fdX` removes the folder,
    which ignores itself), so git finds no `_/pre-commit` until husky writes them again."""
    missing = [name for name in ("h", "pre-commit") if not (folder / name).is_file()]
    if not _husky(folder) or not missing:
        return None
    return (f"git runs the hooks in {folder} (core.hooksPath), which lacks husky's "
            f"{' and '.join(missing)}: no commit runs a hook until husky writes them again "
            "(npm install, or npx husky)")


@dataclass(frozen=True)
class HookResult:
    path: Path
    action: str  # "installed", "updated", "unchanged", "removed", "absent"
    backup: Path | None = None
    kept_lines: bool = False  # the user's own lines around reviewloop's block stayed


def refuse_shared(folder: HooksFolder, *, remove: bool) -> None:
    """Refuse to write into a hooks folder git uses for every repository (a global or
    system `core.hooksPath`) without `--shared`: installing there reviews every commit of
    every repository, and removing it there stops that for all of them."""
    if not folder.shared:
        return
    what = "removing the hook there removes it" if remove else "a hook there runs"
    raise UserInputError(
        f"git's hooks folder here is {folder.path}, from your {folder.scope} git config "
        f"({folder.setting}): {what} for every repository that uses it",
        where="core.hooksPath",
        fix=f"pass --shared to {'uninstall' if remove else 'install'} it there for all of "
            "them, or give this repository its own hooks folder (`git config core.hooksPath "
            ".git/hooks`; your global hooks then no longer run here)")


def install(hooks_dir: Path, *, force: bool = False, script: str | None = None) -> HookResult:
    """Write the hook; refuse to replace a hook reviewloop did not write unless `force`."""
    script = hook_script() if script is None else script
    target = _target(hooks_dir)
    backup = None
    if target.exists() or target.is_symlink():
        current = _read(target)
        if current == script:
            return HookResult(target, "unchanged")
        if MARKER in current:
            return _update(target, current, script)
        if not force:
            raise UserInputError(
                "a pre-commit hook that reviewloop did not write is already installed",
                where=str(target),
                fix="run `reviewloop install-hook --force` to replace it (it is kept as a "
                    f"pre-commit{BACKUP_SUFFIX} file), or add `reviewloop {COMMAND}` to it "
                    "yourself")
        backup = free_backup(target)
        target.replace(backup)
    hooks_dir.mkdir(parents=True, exist_ok=True)
    _write(target, script)
    return HookResult(target, "installed", backup)


def uninstall(hooks_dir: Path) -> HookResult:
    """Remove reviewloop's block (never anyone else's lines) and, when nothing else was in
    the hook, put the newest backed-up hook back."""
    target = _target(hooks_dir)
    if not (target.exists() or target.is_symlink()):
        return HookResult(target, "absent")
    current = _read(target)
    if MARKER not in current:
        raise UserInputError("the pre-commit hook here was not written by reviewloop; "
                             "left as it is", where=str(target))
    before, after = _own_block(target, current)
    rest = before + after
    if not target.is_symlink() and any(line.strip() and line != _SHEBANG for line in rest):
        _write(target, "\n".join(rest) + "\n")
        return HookResult(target, "removed", kept_lines=True)
    target.unlink()  # a symlink: the link goes, the file it points at is the user's
    backups = _backups(target)
    if backups:
        backups[-1].replace(target)
        return HookResult(target, "removed", backups[-1])
    return HookResult(target, "removed")


def _update(target: Path, current: str, script: str) -> HookResult:
    """Replace reviewloop's block in `current` with the one in `script`, the rest kept."""
    before, after = _own_block(target, current)
    new_before, new_after = _split(script)  # type: ignore[misc]  # our script always splits
    block = script.splitlines()[len(new_before):len(script.splitlines()) - len(new_after)]
    head = before if before else new_before
    text = "\n".join([*head, *block, *after]) + "\n"
    if text == current:
        return HookResult(target, "unchanged")
    _write(target, text)
    kept = any(line.strip() and line != _SHEBANG for line in before + after)
    return HookResult(target, "updated", kept_lines=kept)


def _own_block(target: Path, text: str) -> tuple[list[str], list[str]]:
    found = _split(text)
    if found is None:
        raise UserInputError(
            "the pre-commit hook holds reviewloop's marker line but not the end of "
            "reviewloop's block; left as it is", where=str(target),
            fix=f"remove the `{MARKER}` line (or the whole hook) and run "
                "`reviewloop install-hook` again")
    return found


def _split(text: str) -> tuple[list[str], list[str]] | None:
    """The lines before and after reviewloop's block; the block ends at END_MARKER, or (a
    hook from an earlier version, which had none) at its last `exec … -m reviewloop` line."""
    lines = text.splitlines()
    start = lines.index(MARKER) if MARKER in lines else -1
    if start < 0:
        return None
    for end in range(start + 1, len(lines)):
        line = lines[end].strip()
        if line == END_MARKER or (line.startswith("exec ") and " -m reviewloop " in line):
            return lines[:start], lines[end + 1:]
    return None


def _target(hooks_dir: Path) -> Path:
    if hooks_dir.exists() and not hooks_dir.is_dir():
        raise UserInputError("git's hooks folder is a file, not a folder; nothing written",
                             where=str(hooks_dir),
                             fix="move that file away (git runs no hooks from it) and run "
                                 "`reviewloop install-hook` again")
    return hooks_dir / "pre-commit"


def _backups(target: Path) -> list[Path]:
    """The backups beside `target`, oldest first."""
    first = target.with_name(target.name + BACKUP_SUFFIX)
    numbered = sorted((int(p.name.rsplit(".", 1)[1]), p)
                      for p in target.parent.glob(f"{first.name}.*")
                      if p.name.rsplit(".", 1)[1].isdigit())
    return ([first] if first.exists() or first.is_symlink() else []) + [p for _, p in numbered]


def free_backup(target: Path) -> Path:
    """A backup name nothing holds, numbered after the newest one."""
    backups = _backups(target)
    if not backups:
        return target.with_name(target.name + BACKUP_SUFFIX)
    last = backups[-1].name.rsplit(".", 1)[1]
    number = int(last) + 1 if last.isdigit() else 2
    return target.with_name(f"{target.name}{BACKUP_SUFFIX}.{number}")


def _write(target: Path, text: str) -> None:
    target.write_text(text, encoding="utf-8")
    target.chmod(target.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""  # a dangling symlink: not ours
