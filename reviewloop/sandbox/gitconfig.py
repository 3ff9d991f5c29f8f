"""The git configuration a sandboxed command sees: the host's identity (`user.name`,
`user.email`) and its `safe.directory` entries, nothing else.

A global or system git config can hold credentials — `url.https://<token>@github.com/
.insteadOf`, a credential helper, an `http.extraHeader` — so commands never read the real
files: bubblewrap shows this file as the sandbox's `~/.gitconfig`, names it in
`GIT_CONFIG_GLOBAL` and sets `GIT_CONFIG_NOSYSTEM` (`sandbox/bubblewrap.py`).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
        section, _, name = key.partition(".")
        quoted = value.replace("\\", "\\\\").replace('"', '\\"')
        sections.setdefault(section, []).append(f'\t{name} = "{quoted}"')
    return "".join(f"[{section}]\n" + "\n".join(lines) + "\n"
                   for section, lines in sections.items())


@contextmanager
def identity_file(cwd: Path) -> Iterator[Path]:
    """A temporary file with the host's identity-only git config for commands run in `cwd`,
    removed when the `with` ends (after the command: bubblewrap binds it at start)."""
    handle, name = tempfile.mkstemp(prefix="reviewloop-gitconfig-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(render(identity_entries(cwd)))
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)
