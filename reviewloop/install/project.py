"""`reviewloop init`: plan the files a project needs, then write only what is missing.

A file that exists is never overwritten: the settings file and the pre-commit config are
the user's; the workflow is replaced only with `force` (it is a copy of a template), and then
the file it replaces is kept beside it as `reviewloop-pr.yml.reviewloop-backup` (`.2`, `.3`,
... : the hook's convention, a backup is never overwritten; GitHub runs no such file). The
settings file is `.reviewloop.toml`, or the one `reviewloop --config PATH init` names.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import textwrap
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml

from reviewloop.checks.gates.detect import detect_commands
from reviewloop.config import load_settings
from reviewloop.config_file import read_file_layer
from reviewloop.errors import UserInputError
from reviewloop.git import repo_writes
from reviewloop.git.repo_writes import line_end
from reviewloop.install.githook import free_backup
from reviewloop.install.stack import detect_stack, missing_manager, node_note, python_note

SETTINGS = ".reviewloop.toml"
WORKFLOW = ".github/workflows/reviewloop-pr.yml"
PRE_COMMIT = ".pre-commit-config.yaml"
HOOK_REPO = "https://github.com/reviewloop/reviewloop"
HOOK_ID = "reviewloop"

Action = Literal["create", "update", "keep"]
_EXAMPLE = {"build": "make build", "test": "make test"}
_LOCAL_VENV = (".venv/", "venv/")


@dataclass(frozen=True)
class Change:
    """One file `init` looked at: what it does with it and what the user is told."""

    path: str  # relative to the repository root
    action: Action
    note: str
    text: str | None = None  # the new content for create / update
    backup: str | None = None  # update: where the file it replaces is kept

    @property
    def writes(self) -> bool:
        return self.action != "keep"


def plan(root: Path, *, version: str, workflow: bool = True, pre_commit: bool = False,
         force: bool = False, config: Path | None = None,
         typed: str | None = None) -> list[Change]:
    """Every change `init` would make in `root`, nothing written yet; a file in the way of
    one (a dangling link, a file where a folder goes) is an error before anything is
    written. `config`: the settings file `--config` names (absolute), else `.reviewloop.toml`;
    `typed`: that path as the user gives it to later commands (default: `config`'s own)."""
    if config is not None and names_default(root, config):
        config = None  # `--config .reviewloop.toml`: the file every command reads
    settings = SETTINGS if config is None else shown_path(root, config)
    for path in (settings, *([WORKFLOW] if workflow else []),
                 *([PRE_COMMIT] if pre_commit else [])):
        _check_path(root, path)
    changes = [settings_change(root) if config is None
               else named_settings_change(root, config, typed)]
    if workflow:
        changes.append(workflow_change(root, workflow_template(), force=force))
    if pre_commit:
        changes.append(pre_commit_change(root, version))
    _check_links(root, changes)
    return changes


def _check_links(root: Path, changes: list[Change]) -> None:
    """Refuse (exit 2, naming the link) a file `init` would write, or a backup it would make,
    with a symlink on its way in the repository: a committed `.pre-commit-config.yaml` or
    `.github/workflows` link would have init edit a file anywhere. A settings file named by
    `--config` outside the repository is the user's own choice and is not checked here."""
    paths = [p for c in changes if c.writes for p in (c.path, c.backup)
             if p is not None and not Path(p).is_absolute()]
    repo_writes.check(root, paths, fix="remove or rename that link (init never writes "
                      "through a symlink), or make the change yourself")


def _check_path(root: Path, relative: str) -> None:
    """Refuse a path `init` could not write (or read) as the file it means."""
    target = root / relative
    if target.is_symlink() and not target.exists():
        raise UserInputError(
            "a symbolic link to a file that does not exist; nothing written",
            where=str(target), fix="restore the file it points at, or remove the link "
                                   "and run `reviewloop init` again")
    for folder in list(reversed(Path(relative).parents))[1:]:
        if (root / folder).exists() and not (root / folder).is_dir():
            raise UserInputError(
                f"a file where {relative} needs a folder; nothing written",
                where=str(root / folder),
                fix="move that file away and run `reviewloop init` again")
    if target.is_dir():
        raise UserInputError("a folder where a file goes; nothing written", where=str(target),
                             fix="move that folder away and run `reviewloop init` again")


def apply(root: Path, changes: list[Change]) -> None:
    for change in changes:
        if change.writes and change.text is not None:
            target = root / change.path
            if change.backup is not None:
                target.replace(root / change.backup)
            if Path(change.path).is_absolute():  # `--config` outside the repository
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(change.text, encoding="utf-8")
            else:
                repo_writes.write(root, change.path, change.text)


def shown_path(root: Path, path: Path) -> str:
    """`path` relative to the repository when inside it (as `init` names its files)."""
    path = Path(os.path.normpath(path))  # `sub/../my.toml` is `my.toml`
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def settings_text(root: Path, path: str | None = None) -> str:
    """`.reviewloop.toml` with the build and test commands the project's files suggest;
    `path`: where programs are looked for (default: PATH)."""
    found = detect_commands(root)
    stacks = detect_stack(root)
    missing = missing_manager(root, (*found.build, *found.test), path)
    python = python_note(root, found.test)
    lines = ["# reviewloop settings; see the Configuration section of reviewloop's README.",
             f"# Written by `reviewloop init`: {found.reason}.",
             *([f"# Stack: {_stack_text(root)}."] if stacks else []), *node_note(stacks),
             *_comment("NOTE: " + missing if missing else ""),
             *_comment("NOTE: " + python if python else ""),
             # top-level keys before the first table: TOML reads a key after `[gates]` as
             # `gates.model`, so the commented line must be uncommented where it is
             "", "# model = \"us.anthropic.claude-sonnet-4-5-20250929-v1:0\"  "
             "# unset: offline, analyzers only", "",
             "# Leave build or test out to detect them on every run; [] turns a gate off.",
             "[gates]"]
    for name, commands in (("build", found.build), ("test", found.test)):
        listed = f"{name} = [{', '.join(json.dumps(c) for c in commands)}]"
        if commands and any(c.startswith(_LOCAL_VENV) for c in commands):
            # a local virtualenv is not there on CI or a colleague's clone: keep detecting
            lines.append(f"# {listed}   # found here; uses this clone's virtualenv, so it "
                         "is detected on every run instead")
        elif commands:
            lines.append(listed)
        else:
            lines.append(f"# {name} = [\"{_EXAMPLE[name]}\"]   # none found yet; while unset, "
                         "detected on every run")
    return "\n".join(lines) + "\n"


def _comment(text: str) -> list[str]:
    """`text` as comment lines, commands unbroken (`npm install -g yarn` stays one)."""
    lines = textwrap.wrap(text, 88, break_on_hyphens=False, break_long_words=False,
                          subsequent_indent="  ")
    return [f"# {line}" for line in lines]


def settings_change(root: Path, *, fresh: bool = False, path: str | None = None) -> Change:
    """`.reviewloop.toml`, or with `fresh` the new settings whatever the project holds;
    `path`: where programs are looked for (default: PATH)."""
    # the settings kept must load: a broken file is an error naming its key, not "set up"
    kept = None if fresh else read_file_layer(root, None)
    if kept is not None:
        load_settings(root, environ={})
    if (root / SETTINGS).exists() and not fresh:
        return Change(SETTINGS, "keep", "exists, left as it is")
    if kept is not None:
        # a new .reviewloop.toml would take precedence and silently hide those settings
        return Change(SETTINGS, "keep", "not written: settings live in pyproject.toml "
                                        "[tool.reviewloop]")
    text = settings_text(root, path)
    gates = [line.split(" =")[0] for line in text.splitlines()
             if re.match(r"^(build|test) =", line)]
    note = f"gates: {', '.join(gates)} detected" if gates else "no build or test command found"
    found = detect_commands(root)
    missing = missing_manager(root, (*found.build, *found.test), path)
    note += f"; {missing} (the gates are written as detected)" if missing else ""
    python = python_note(root, found.test)
    note += f"; {python}" if python else ""
    stack = _stack_text(root)
    return Change(SETTINGS, "create", f"{stack}; {note}" if stack else note, text)


def names_default(root: Path, config: Path) -> bool:
    """Whether `config` is the settings file every command reads without `--config`."""
    return config.name == SETTINGS and config.parent.resolve() == root.resolve()


def named_settings_change(root: Path, config: Path, typed: str | None = None) -> Change:
    """`--config PATH`: that file kept when it exists (it must load), else written there —
    and read only by commands given the same `--config` (`typed`, the path as the user gives
    it from where they are; default: `config`), which the note says."""
    shown = shown_path(root, config)
    if config.exists():
        load_settings(root, environ={}, config_file=config)
        return Change(shown, "keep", "exists, left as it is (the file --config names)")
    if config.name == "pyproject.toml":
        raise UserInputError(
            "--config names a pyproject.toml that does not exist; nothing written",
            where=str(config), fix="name a .toml file for init to write, or add a "
                                   "[tool.reviewloop] table to that pyproject.toml yourself")
    created = settings_change(root, fresh=True)
    given = shlex.quote(str(config) if typed is None else typed)
    return Change(shown, "create", f"{created.note}; read only when a command is given "
                                   f"`--config {given}`", created.text)


def _stack_text(root: Path) -> str:
    return ", ".join(f"{s.name} ({s.evidence})" for s in detect_stack(root))


def workflow_template() -> str:
    return (resources.files("reviewloop") / "workflows" / "reviewloop-pr.yml").read_text(
        encoding="utf-8")


def workflow_change(root: Path, template: str, *, force: bool) -> Change:
    target = root / WORKFLOW
    if not target.exists():
        return Change(WORKFLOW, "create", "reviews every pull request; pin "
                      "reviewloop/reviewloop@v0 in it to your release's commit SHA "
                      "(docs/github-action.md: \"Where the action comes from, and "
                      "pinning it\") — until then zizmor and the review flag it", template)
    if target.read_text(encoding="utf-8", errors="replace") == template:
        return Change(WORKFLOW, "keep", "up to date")
    if force:
        backup = free_backup(target)
        kept = shown_path(root, backup)
        return Change(WORKFLOW, "update", f"replaced with this version's template; the file it "
                                          f"replaces is kept as {kept}", template, kept)
    return Change(WORKFLOW, "keep", "differs from this version's template; left as it is "
                                    "(--force replaces it)")


def pre_commit_entry(version: str, indent: str = "  ") -> str:
    """The `repos:` item that runs the reviewloop hook, at the list's own indentation."""
    body = [f"- repo: {HOOK_REPO}", f"  rev: v{version}", "  hooks:", f"    - id: {HOOK_ID}"]
    return "\n".join(indent + line for line in body) + "\n"


def pre_commit_change(root: Path, version: str) -> Change:
    target = root / PRE_COMMIT
    if not target.exists():
        return Change(PRE_COMMIT, "create", "runs `reviewloop review --staged` before commits",
                      "repos:\n" + pre_commit_entry(version))
    try:
        text = target.read_bytes().decode("utf-8")  # line ends as they are: CRLF kept
    except UnicodeDecodeError as exc:
        raise UserInputError(
            f"not UTF-8 text (byte {exc.start}); nothing written", where=str(target),
            fix="save it as UTF-8 (pre-commit reads it so) and run `reviewloop init "
                "--pre-commit` again") from None
    config = _load_yaml(text)
    if config is None or not isinstance(config.get("repos"), list):
        return Change(PRE_COMMIT, "keep", "has no readable `repos:` list; add this entry "
                                          "yourself:\n" + pre_commit_entry(version))
    if _has_hook(config["repos"]):
        return Change(PRE_COMMIT, "keep", "already runs the reviewloop hook")
    merged = _append_repo(text, version)
    if merged is None:
        flow = re.search(r"^repos:[ \t]*\[", text, flags=re.MULTILINE)
        why = ("`repos:` is a flow-style list (`[...]`), which an entry cannot be appended to"
               if flow else "`repos:` is not the last key")
        return Change(PRE_COMMIT, "keep", f"{why}; add this entry yourself:\n"
                      + pre_commit_entry(version))
    return Change(PRE_COMMIT, "update", "reviewloop hook added to `repos:`", merged)


def _load_yaml(text: str) -> dict | None:
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return loaded if isinstance(loaded, dict) else None


def _has_hook(repos: list) -> bool:
    return any(isinstance(hook, dict) and hook.get("id") == HOOK_ID
               for repo in repos if isinstance(repo, dict)
               for hook in (repo.get("hooks") or []))


def _append_repo(text: str, version: str) -> str | None:
    """Append the entry as text (comments and layout stay), only when the result parses
    to the same config with exactly one more repo."""
    items = re.findall(r"^([ \t]*)- +repo:", text, flags=re.MULTILINE)
    indent = items[0] if items else "  "
    end = line_end(text)  # the entry in the file's own line ends: the user's lines stay
    entry = pre_commit_entry(version, indent).replace("\n", end)
    merged = text + ("" if text.endswith("\n") else end) + entry
    before, after = _load_yaml(text), _load_yaml(merged)
    if before is None or after is None or not isinstance(after.get("repos"), list):
        return None
    if after["repos"][:-1] != before["repos"] or not _has_hook(after["repos"][-1:]):
        return None
    return merged
