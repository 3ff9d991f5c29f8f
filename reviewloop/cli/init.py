"""`reviewloop init` and `reviewloop install-hook`: set a project up, then say what changed."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from reviewloop import __version__
from reviewloop.cli import ui
from reviewloop.errors import ExitCode
from reviewloop.git.hooks import hooks_folder
from reviewloop.git.repository import open_repository
from reviewloop.install import githook, project

_VERB = {"create": "created", "update": "updated", "keep": "unchanged"}


def init(root: Path, *, workflow: bool, pre_commit: bool, force: bool,
         config: Path | None = None) -> int:
    """Write what is missing; a second run changes nothing and says so. `config`: the
    settings file `reviewloop --config PATH` names, read and written instead of the default."""
    repo = open_repository(root)
    target = None if config is None else _as_opened(config)
    typed = None if config is None else _as_typed(config, target)
    if target is not None and project.names_default(repo.root, target):
        typed = target = None
    changes = project.plan(repo.root, version=__version__, workflow=workflow,
                           pre_commit=pre_commit, force=force, config=target, typed=typed)
    project.apply(repo.root, changes)
    out = ui.console()
    for change in changes:
        out.print(f"{_VERB[change.action]:>9}  {change.path} — {change.note}")
    if not any(change.writes for change in changes):
        out.print("nothing to change: this project is already set up")
    else:
        given = "" if typed is None else f"--config {shlex.quote(typed)} "
        out.print(f"next: `reviewloop {given}review` reviews your uncommitted change")
    return ExitCode.OK


def _as_opened(config: Path) -> Path:
    """The file `config` names as the OS opens it from here: its folder's `..` after a
    symlinked folder is that folder's real parent (`sub2/../y.toml`, `sub2` a link), as
    every later `--config` reads it; the name itself is kept (a link stays a link)."""
    whole = Path.cwd() / config
    return whole.parent.resolve() / whole.name


def _as_typed(config: Path, target: Path | None) -> str:
    """The path as the user types it from here, which later commands need: shortened
    (`../my.toml`, not `sub/../my.toml`) only when the short form names the same file."""
    short = os.path.normpath(config)
    return short if _as_opened(Path(short)) == target else str(config)


def install_hook(root: Path, *, force: bool, remove: bool) -> int:
    hooks = githook.hook_dir(hooks_folder(open_repository(root)).path)
    result = githook.uninstall(hooks) if remove else githook.install(hooks, force=force)
    out = ui.console()
    shown = _shown(result.path, root)
    messages = {
        "installed": f"installed {shown}: commits now run `reviewloop {githook.COMMAND}`",
        "updated": f"updated {shown}",
        "unchanged": f"{shown} is up to date",
        "removed": f"removed {shown}",
        "absent": f"no pre-commit hook at {shown}; nothing to remove",
    }
    out.print(messages[result.action])
    if result.kept_lines:
        out.print("only reviewloop's block was " + ("removed" if remove else "rewritten")
                  + "; your own lines in the hook are kept")
    if result.backup is not None:
        verb = "restored the earlier hook from" if remove else "the earlier hook is kept as"
        out.print(f"{verb} {_shown(result.backup, root)}")
    return ExitCode.OK


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
