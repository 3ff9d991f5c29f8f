"""Agent prompt files: a `file://` prompt is read into a model's prompt, so it must resolve,
symlinks followed, inside the repository, the user's config folder or the built-in agents'
folder, and must not be a file that may hold secrets; an `agents_dirs` folder, whose every
file is read as a reviewer, must resolve inside the repository or the user's config folder."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from reviewloop.errors import AgentDefinitionError
from reviewloop.policy.sensitive import is_sensitive

_FILE_URI = "file://"


def user_config_dir() -> Path:
    """The user's own reviewloop folder: `$XDG_CONFIG_HOME/reviewloop`, else ~/.config/…"""
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "reviewloop"


def resolve_prompt(raw: str, path: Path, where: str, allowed: Sequence[Path]) -> str:
    """Inline text, or `file://` + a path relative to the agent file `path` (absolute and ~
    work when they stay inside an allowed folder); `where` is the key's `file:line`."""
    if raw[:len(_FILE_URI)].lower() != _FILE_URI:  # FILE:// is a file too, not the text
        if not raw.strip():
            raise AgentDefinitionError('key "prompt": must not be empty', where=where,
                                       fix='write the prompt inline or as "file://<path>"')
        return raw
    name = raw[len(_FILE_URI):]
    if "\0" in name:
        raise AgentDefinitionError(
            f'key "prompt": the prompt file name {name!r} holds a NUL character', where=where,
            fix='point "prompt" at the prompt file by its name, as "file://<path>"')
    target = Path(name).expanduser()
    target = target if target.is_absolute() else path.parent / target
    _confine_prompt(target, allowed, where)
    try:
        body = target.read_text(encoding="utf-8-sig")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise AgentDefinitionError(
            f'key "prompt": prompt file not found: {target}', where=where,
            fix=f'create it, or point "prompt" at a file relative to {path.parent}') from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AgentDefinitionError(f'key "prompt": cannot read prompt file {target} ({exc})',
                                   where=where, fix="make it a readable UTF-8 text file") from None
    if not body.strip():
        raise AgentDefinitionError(f'key "prompt": prompt file is empty: {target}', where=where,
                                   fix="write the reviewer's instructions into it")
    return body


def _confine_prompt(target: Path, allowed: Sequence[Path], where: str) -> None:
    """A prompt file is read into a model's prompt: it must stay inside the repository or the
    user's config folder once symlinks are followed, and must not be a secret file."""
    real = target.resolve()
    inside = next((r.resolve() for r in allowed if real.is_relative_to(r.resolve())), None)
    folders = " or ".join(str(r) for r in allowed)
    if inside is None:
        via = " (through a symlink)" if real != Path(os.path.abspath(target)) else ""
        raise AgentDefinitionError(
            f'key "prompt": the prompt file {target} resolves outside the repository and the '
            f"user's config folder{via}: {real}", where=where,
            fix=f"move the prompt into {folders} (a real file, not a symlink out), or write "
                "it inline")
    if ".git" in real.relative_to(inside).parts:  # git's config may hold a token
        raise AgentDefinitionError(
            f'key "prompt": the prompt file {target} is inside a .git folder, which is '
            "git's own (its config may hold credentials) and is never put into a prompt",
            where=where, fix="point \"prompt\" at a Markdown file with the reviewer's "
                             "instructions")
    if is_sensitive(real.relative_to(inside)):
        raise AgentDefinitionError(
            f'key "prompt": the prompt file {target} is a sensitive file (it may hold '
            "secrets) and is never put into a prompt", where=where,
            fix="point \"prompt\" at a Markdown file with the reviewer's instructions")


_AGENTS_DIRS = '"agents_dirs" setting'


def confine_agents_dir(path: Path, root: Path, where: str = _AGENTS_DIRS) -> Path:
    """`path` (an `agents_dirs` folder, a file in one, or one of `.kiro/agents`: `where`) if
    it resolves, symlinks followed,
    inside the repository or the user's config folder, as a `file://` prompt must: every
    file there is read as a reviewer whose prompt goes to a model, and a file that is not
    one is quoted in the error."""
    real = path.resolve()
    allowed = (root.resolve(), user_config_dir().resolve())
    if any(real.is_relative_to(folder) for folder in allowed):
        return path
    via = " (through a symlink)" if real != Path(os.path.abspath(path)) else ""
    raise AgentDefinitionError(
        f"{path} resolves outside the repository and the user's config "
        f"folder{via}: {real}", where=where,
        fix=f"keep the reviewers in a folder inside the repository (e.g. .reviewloop/agents) "
            f'or in {user_config_dir()}, and name that folder in "agents_dirs"'
        if where == _AGENTS_DIRS else "keep the reviewer's file itself in the repository "
                                      "(a copy, not a link out of it)")
