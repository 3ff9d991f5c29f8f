"""The git configuration a sandboxed command sees: the host's identity (`user.name`,
`user.email`) and its `safe.directory` entries as its global config, and the repository's
own config without its credentials.

A global or system git config can hold credentials — `url.https://<token>@github.com/
.insteadOf`, a credential helper, an `http.extraHeader` — so commands never read the real
files: bubblewrap shows the identity file as the sandbox's `~/.gitconfig`, names it in
`GIT_CONFIG_GLOBAL` and sets `GIT_CONFIG_NOSYSTEM` (`sandbox/bubblewrap.py`). A repository's
`.git/config` holds them too — `actions/checkout` writes the job's token there as an
`http.<url>.extraheader`, remote URLs carry `user:token@` — so each command sees a copy of
it with every such key dropped and every URL's user information cut (`repository_copies`).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from reviewloop.memo import compiled_on_first_use

KEPT = ("user.name", "user.email", "safe.directory")  # what a command may need of git's config
_PATTERN = r"^(user\.(name|email)|safe\.directory)$"


def identity_entries(cwd: Path) -> list[tuple[str, str]]:
    """The kept keys and their values as git resolves them for `cwd` on the host (every
    scope, in git's order; none when git has none or cannot say)."""
    try:
        done = subprocess.run(["git", "config", "--null", "--get-regexp", _PATTERN],
                              cwd=cwd, capture_output=True, check=False, timeout=30,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return []
    entries = []
    for record in done.stdout.decode("utf-8", errors="replace").split("\0"):
        key, _, value = record.partition("\n")
        if key in KEPT and value and "\n" not in value:
            entries.append((key, value))
    return entries


def render(entries: list[tuple[str, str]]) -> str:
    """A git config file holding `entries` (later values of a single-valued key win, as in
    git); values quoted, so no character in them starts a section or a comment."""
    sections: dict[str, list[str]] = {}
    for key, value in entries:
        section, _, rest = key.partition(".")
        middle, _, name = rest.rpartition(".")  # `remote.my.origin.url`: subsection my.origin
        header = f'{section} "{_quoted(middle)}"' if middle else section
        sections.setdefault(header, []).append(f'\t{name} = "{_quoted(value)}"')
    return "".join(f"[{header}]\n" + "\n".join(lines) + "\n"
                   for header, lines in sections.items())


def _quoted(text: str) -> str:
    """`text` inside a git config's double quotes: its escapes for the characters that
    would end or break the value."""
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\t", "\\t").replace("\b", "\\b"))


@contextmanager
def identity_file(cwd: Path) -> Iterator[Path]:
    """A temporary file with the host's identity-only git config for commands run in `cwd`,
    removed when the `with` ends (after the command: bubblewrap binds it at start)."""
    with _temporary(render(identity_entries(cwd))) as path:
        yield path


# keys of a repository config that can carry or fetch a credential, or pull in other files
_dropped = compiled_on_first_use(r"^(credential\.|url\.|include\.|includeif\.)|"
                                 r"^http\..*(extraheader|cookiefile)$", re.IGNORECASE)
_userinfo = compiled_on_first_use(r"^([a-z][a-z0-9+.-]*://)[^/@]*@", re.IGNORECASE)


def repository_configs(cwd: Path) -> list[Path]:
    """The config files of the repository `cwd` is in: its common `config` and, for a
    linked worktree, its own `config.worktree` (those that exist)."""
    try:
        done = subprocess.run(["git", "rev-parse", "--git-common-dir", "--git-dir"], cwd=cwd,
                              capture_output=True, text=True, check=False, timeout=30,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return []
    folders = [(cwd / line).resolve() for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not folders:
        return []
    found = [folders[0] / "config", *(f / "config.worktree" for f in folders)]
    return list(dict.fromkeys(p for p in found if p.is_file()))


def cleaned(config: Path) -> str:
    """`config` without the keys that carry credentials (`_dropped`) and with the user
    information cut from every URL; no include is followed."""
    done = subprocess.run(["git", "config", "--file", str(config), "--no-includes", "--list",
                           "--null"], capture_output=True, check=False, timeout=30,
                          stdin=subprocess.DEVNULL)
    entries = []
    for record in done.stdout.decode("utf-8", errors="replace").split("\0"):
        key, _, value = record.partition("\n")
        if key and not _dropped().search(key):
            entries.append((key, _userinfo().sub(r"\1", value)))
    return render(entries)


@contextmanager
def repository_copies(cwd: Path) -> Iterator[list[tuple[Path, Path]]]:
    """(cleaned copy, real config) for each config of `cwd`'s repository, the copies
    removed when the `with` ends."""
    with ExitStack() as stack:
        pairs = []
        for config in repository_configs(cwd):
            copy = stack.enter_context(_temporary(cleaned(config)))
            pairs.append((copy, config))
        yield pairs


@contextmanager
def _temporary(text: str) -> Iterator[Path]:
    handle, name = tempfile.mkstemp(prefix="reviewloop-gitconfig-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)
