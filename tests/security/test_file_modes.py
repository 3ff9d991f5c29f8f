"""A file's executable bit reaches the analyzers as a checkout has it. ruff's EXE rules read it
(EXE001: a shebang in a file that is not executable, EXE002: an executable file with none);
the review wrote every file of a commit without it, so a change that made a file executable
passed silent and every committed script with a shebang drew an EXE001 plain ruff never
reports.

Generated: every file of the product shebang × mode at the base (absent, 644, 755) × mode at
the head × its body edited or not, in one repository, reviewed as a pull request, staged and
in the working tree. What the review shows as the change's must be what plain `ruff check`
newly reports at the head: its findings there that it did not report at the base.

Under `core.fileMode = false` (Git for Windows, WSL and SMB mounts) git reads no executable
bit from the disk: the index keeps its mode, and a working file's bit may differ from what
the base's tree says. The base a finding is compared with takes its mode from git (the
diff's header), not from the working file: a script `100755` at the base, `chmod -x` in the
working tree only, had its base rebuilt not executable, its head's EXE001 read as the base's
too and dropped. Generated there too: the same product, each head mode set on the disk only
or through git (`update-index --chmod`), each checkout's findings plain ruff's in a checkout
of what git records (the working tree as it is)."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.ruff import ruff_command
from tests.support.gitutil import git
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import MODES, reviewed_in

SHEBANG = "#!/usr/bin/env python3\n"
BODY = "def main():\n    return 1\n"
EDITED = "def main():\n    return 2\n"
COMBOS = list(itertools.product((True, False), ("absent", "644", "755"), ("644", "755"),
                                (False, True)))


def _name(shebang: bool, base: str, head: str, edited: bool) -> str:
    return f"{'s' if shebang else 'n'}_{base}_{head}_{'e' if edited else 'u'}.py"


def _chmod(path: Path, mode: str) -> None:
    os.chmod(path, 0o755 if mode == "755" else 0o644)


def _plain(root: Path) -> set[tuple[str, str]]:
    """(file, rule) of plain `ruff check .`'s EXE findings in the checkout at `root`."""
    done = subprocess.run([*ruff_command(), "check", "--no-cache", "--select", "EXE",
                           "--output-format", "json", "--exit-zero", "."],
                          cwd=root, capture_output=True, text=True, check=True)
    return {(Path(row["filename"]).relative_to(root.resolve()).as_posix(), row["code"])
            for row in json.loads(done.stdout)}


def _shown(report: dict) -> set[tuple[str, str]]:
    return {(entry["file"], entry["rule"]) for bucket in ("remaining", "nits")
            for entry in report["findings"][bucket] if str(entry["rule"]).startswith("EXE")}


def _checkout(root: Path, where: Path) -> Path:
    """The index of the repository at `root` checked out into `where` (its modes as git
    records them, whatever `core.fileMode` says of the disk)."""
    git(root, "checkout-index", "-a", f"--prefix={where.as_posix()}/")
    return where


def _changed(root: Path, mode: str) -> set[str]:
    """The files git says the reviewed change touched (`mode`: one of `MODES`, after
    `reviewed_in`), the working tree's new files with them."""
    args = {"working": ("HEAD",), "staged": ("--cached", "HEAD"), "head": ("main", "feature")}
    new = git(root, "ls-files", "--others", "--exclude-standard") if mode == "working" else ""
    return {*git(root, "diff", "--name-only", *args[mode]).split(), *new.split()}


@pytest.mark.parametrize(("mode", "file_mode", "through_git"),
                         [*((m, "true", False) for m in MODES),
                          *((m, "false", g) for m in MODES for g in (False, True))])
def test_the_change_s_findings_are_what_plain_ruff_newly_reports(
        tmp_path: Path, mode: str, file_mode: str, through_git: bool) -> None:
    root = tmp_path / "r"
    base = {_name(*c): (SHEBANG if c[0] else "") + BODY for c in COMBOS if c[1] != "absent"}
    init_repo(root, {"ruff.toml": '[lint]\nextend-select = ["EXE"]\n'})
    git(root, "config", "core.fileMode", file_mode)
    write_files(root, base)
    git(root, "add", "-A")
    for combo in COMBOS:
        if combo[1] != "absent":
            _chmod(root / _name(*combo), combo[1])
            git(root, "update-index", f"--chmod={'+' if combo[1] == '755' else '-'}x",
                _name(*combo))
    git(root, "commit", "-qm", "modes")
    before = _plain(_checkout(root, tmp_path / "base"))
    git(root, "checkout", "-qb", "feature")
    for shebang, base_mode, head_mode, edited in COMBOS:
        name = _name(shebang, base_mode, head_mode, edited)
        if edited or base_mode == "absent":
            (root / name).write_text((SHEBANG if shebang else "") + (EDITED if edited else BODY))
        _chmod(root / name, head_mode)
        if through_git:  # staged now, as `git add` after it keeps it
            git(root, "add", name)
            git(root, "update-index", f"--chmod={'+' if head_mode == '755' else '-'}x", name)
    report = reviewed_in(root, mode)
    after = _plain(root if mode == "working" else _checkout(root, tmp_path / "head"))
    newly = {(path, rule) for path, rule in after - before if path in _changed(root, mode)}
    assert newly, "the product makes no new finding: it tests nothing"
    assert _shown(report) == newly
