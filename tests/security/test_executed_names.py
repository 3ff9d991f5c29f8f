"""What a file runs as, beyond its own name: its mode and the folder links of the tree.

* An executable file with no shebang and no language runs as `sh` (execve fails with
  ENOEXEC and the shell that started it runs it), added so or made executable by a
  mode-only change; an executable `tool.py`/`.js`/`.mjs`/`.ts` with a shell's shebang runs
  as that shell (`./tool.py`), whatever Python or JavaScript reads in it (a polyglot). Both
  were read by the secrets scan (or their name's analyzers) alone: now shellcheck reads them
  and its findings count.
* A folder symlink the change did not touch (`.husky -> tools/hooks`) makes each changed
  file under the folder a shell script by the name it gives it: it is named not analysed.

Generated: each review holds every variant — drawn folders, names, shebangs — in one
repository, reviewed as a commit, as the index and as the working tree; controls (a
mode-644 copy, a folder link whose name makes nothing) must stay as they were.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.gitutil import git
from tests.support.review_cli import MODES, reviewed_in

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]

BODY = 'TARGET="$1"\nrm -rf "$TARGET/"*\n'  # SC2115 on line 2
SHELL_BANGS = ("#!/bin/bash", "#!/bin/sh", "#!/usr/bin/env bash", "#!/usr/bin/env -S bash -e")
# a polyglot body per suffix, and the line of its SC2115 under a shebang
POLYGLOTS = {
    ".py": ("''':'\nTARGET=\"$1\"\nrm -rf \"$TARGET/\"*\nexit 0\n':'''\nimport sys\n"
            "VERSION = 1\n", 4),
    ".js": ('// 2>/dev/null; TARGET="$1"; rm -rf "$TARGET/"*; exit 0\n'
            "export const version = 1;\n", 2),
}
POLYGLOTS[".mjs"] = POLYGLOTS[".ts"] = POLYGLOTS[".js"]
# (link, the real folder's path relative to the link's folder, the real folder)
FOLDER_LINKS = ((".husky", "tools/hooks", "tools/hooks"),
                ("etc/bash_completion.d", "../tools/compl", "tools/compl"),
                ("web/.husky", "../tools/web-hooks", "tools/web-hooks"))
folders = st.sampled_from(("", "bin/", "tools/ci/"))
stems = st.sampled_from(("deploy", "cleanup", "run-all", "release_it"))


@dataclass(frozen=True)
class Variant:
    """A changed file, how the change leaves it, and what the review must say of it."""

    path: str
    text: str
    mode: int
    line: int | None  # SC2115's line, or None: a file shellcheck must not read
    base: bool = False  # in the base already (mode 644), the change only makes it 755
    named: str | None = None  # the link name it must be named not analysed under


@st.composite
def variants(draw: st.DrawFn) -> list[Variant]:
    out = [Variant(f"{draw(folders)}{draw(stems)}0", BODY, 0o755, 2),
           Variant(f"{draw(folders)}{draw(stems)}1", BODY, 0o755, 2, base=True),
           Variant(f"{draw(folders)}{draw(stems)}2", BODY, 0o644, None)]  # a control
    for index, (suffix, (text, line)) in enumerate(sorted(POLYGLOTS.items())):
        bang = draw(st.sampled_from(SHELL_BANGS))
        out.append(Variant(f"{draw(folders)}tool{index}{suffix}", f"{bang}\n{text}", 0o755,
                           line))
    for index, (link, _, real) in enumerate(FOLDER_LINKS):
        name = f"{draw(stems)}-{index}"
        out.append(Variant(f"{real}/{name}", BODY, 0o644, None, base=True,
                           named=f"{link}/{name}"))
    out.append(Variant(f"tools/plain/{draw(stems)}", BODY, 0o644, None, base=True))
    return out


def _repository(root: Path, files: list[Variant]) -> None:
    """`main` with the base's files and links, `feature` checked out with the change left
    in the working tree (`reviewed_in` stages or commits it)."""
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "README.md").write_text("project\n")
    for file in files:
        if file.base:
            _write(root, file.path, "echo base\n" if file.mode == 0o644 else file.text, 0o644)
    for link, text, real in (*FOLDER_LINKS, ("scripts", "tools/plain", "tools/plain")):
        (root / real).mkdir(parents=True, exist_ok=True)
        (root / link).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(text, root / link)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "feature")
    for file in files:
        _write(root, file.path, file.text, file.mode)


def _write(root: Path, path: str, text: str, mode: int) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text)
    os.chmod(root / path, mode)


@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # the same tools each
@given(files=variants())
def test_what_runs_as_a_shell_script_is_read_or_named(shellcheck_tools: Path, mode: str,
                                                      files: list[Variant]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "r"
        _repository(root, files)
        report = reviewed_in(root, mode)
    remaining = {(f["rule"], f["file"], f["start_line"])
                 for f in report["findings"]["remaining"]}
    rows = {r["path"]: r for r in report["health"]["files"]}
    for file in files:
        read = "shellcheck-security (review-security)" in rows.get(file.path, {}).get(
            "analysed_by", [])
        if file.line is not None:
            assert ("SC2115", file.path, file.line) in remaining, (file, remaining)
            assert read, rows.get(file.path)
        else:
            assert not read and not any(f == file.path for _, f, _ in remaining), file
        unread = " ".join(rows.get(file.path, {}).get("not_read", []))
        if file.named is not None:
            assert f"{file.named}, a symlink the change did not touch, makes it a shell " \
                   f"file" in unread, rows.get(file.path)
        else:
            assert unread == "", rows.get(file.path)
    assert report["health"]["complete"] is False  # the folder links' files
