"""`git.kept_modes`: the working-tree review takes a mode the disk cannot show from the index,
as git does. Under `core.fileMode = false` a script made executable with `git update-index
--chmod=+x` stayed 0644 on disk and was never shellchecked (fz3 D2); under `core.symlinks =
false` a retargeted link, a text file on disk, was read as Python holding its target's path
and counted analysed (fz3 D3). Generated: setting x content x name; the oracle is git's own
`ls-files -s`. An export of a tree (no checkout) keeps its modes on disk and asks nothing."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.git.diff import parse_diff
from reviewloop.git.executed import runs_as
from reviewloop.git.kept_modes import EXECUTABLE, LINK, kept_modes
from reviewloop.git.repository import open_repository
from reviewloop.review.matrix import file_checks
from reviewloop.review.readable import SYMLINK_REASON, Readability
from tests.support.gitutil import git
from tests.support.js_tools import shellcheck_tools as shellcheck_tools  # the fixture
from tests.support.repos import init_repo, write
from tests.support.review_cli import review

SCRIPTS = {  # name -> content `./name` runs as a shell script
    "deploy": 'dir=$1\nrm -rf "$dir/"\n', "bin/clean": 'set -e\ncd "$1" && rm -rf ./*\n',
    "tool.py": '#!/bin/bash\nrm -rf "$1/"\n', "scripts/go.js": "#!/usr/bin/env bash\nexport X=1\n",
}
LINKS = ("run.py", "lib/mod.py", "cfg.yaml", "deploy.sh")
TARGETS = ("lib/code.txt", "notes/x.md", "../outside.txt")


def _checkout(tmp: Path, settings_off: tuple[str, ...]) -> Path:
    root = init_repo(tmp / "r", {"README.md": "x\n"})
    for name in settings_off:
        git(root, "config", f"core.{name}", "false")
    return root


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(sorted(SCRIPTS)), committed=st.booleans(),
       file_mode=st.booleans())
def test_an_index_executable_script_runs_as_its_shell_whatever_the_disk_bit(
        tmp_path_factory, name: str, committed: bool, file_mode: bool) -> None:
    root = _checkout(tmp_path_factory.mktemp("r"), () if file_mode else ("fileMode",))
    text = SCRIPTS[name]
    shell = runs_as(name, text.encode())
    assert shell is not None
    write(root, name, text)
    os.chmod(root / name, 0o644)
    git(root, "add", name)
    git(root, "update-index", "--chmod=+x", name)
    if committed:
        git(root, "commit", "-qm", "script")
    mode = git(root, "ls-files", "-s", name).split()[0]
    assert mode == EXECUTABLE  # git's own view: the commit records it executable
    assert not os.stat(root / name).st_mode & stat.S_IXUSR  # and the disk does not show it
    told = kept_modes(root).get(name)
    # under core.fileMode = true git takes the bit from the disk: there the index's stays its own
    assert told == (None if file_mode else EXECUTABLE)
    assert Readability(root).shell(name) == (None if file_mode else shell)


@settings(max_examples=30, deadline=None)
@given(link=st.sampled_from(LINKS), old=st.sampled_from(TARGETS), new=st.sampled_from(TARGETS),
       symlinks=st.booleans())
def test_a_link_checked_out_as_text_stays_a_link(tmp_path_factory, link: str, old: str,
                                                 new: str, symlinks: bool) -> None:
    root = _checkout(tmp_path_factory.mktemp("r"), () if symlinks else ("symlinks",))
    write(root, "lib/code.txt", "import subprocess\nsubprocess.call(cmd, shell=True)\n")
    write(root, link, old)  # a checkout without symlinks: the link's text
    blob = git(root, "hash-object", "-w", link).strip()
    git(root, "update-index", "--add", "--cacheinfo", f"120000,{blob},{link}")
    git(root, "add", "lib/code.txt")
    git(root, "commit", "-qm", "link")
    write(root, link, new + "/" if old == new else new)  # retargeted, as such a checkout does
    expected = None if symlinks else LINK
    assert kept_modes(root).get(link) == expected
    readable = Readability(root)
    assert (readable.analyzable(link) == SYMLINK_REASON) is (not symlinks)
    if symlinks:
        return  # core.symlinks = true: the text file replaces the link, as `git add` records
    repo = open_repository(root)
    changes = parse_diff(repo.diff_since(repo.head_snapshot()))
    health = file_checks(root, changes)
    assert link not in health.files or link in health.unread, health  # never "analysed"
    if link.endswith((".py", ".sh")):  # code by its name, text by its target's: named
        assert link in health.unread, health
    assert not readable.readable(link)


def test_an_export_without_a_checkout_keeps_its_own_modes(tmp_path: Path) -> None:
    write(tmp_path, "deploy", "rm -rf /\n")
    assert kept_modes(tmp_path) == {}
    inner = _checkout(tmp_path / "outer", ("fileMode", "symlinks"))
    write(inner, "sub/deploy", "rm -rf /\n")
    assert kept_modes(inner / "sub") == {}  # not a checkout's top: a folder inside one


def test_the_working_review_shellchecks_an_index_executable_script(
        tmp_path: Path, shellcheck_tools: Path) -> None:
    root = _checkout(tmp_path, ("fileMode",))
    write(root, "deploy", 'dir=$1\nrm -rf "$dir/"\n')
    git(root, "add", "deploy")
    git(root, "update-index", "--chmod=+x", "deploy")
    done = review(root, "--format", "json", "--output", str(tmp_path / "r.json"))
    report = json.loads((tmp_path / "r.json").read_text())
    assert done.returncode == 1, done.stderr[-2000:]
    assert any(f["file"] == "deploy" and f.get("rule") == "SC2115"
               for f in report["findings"]["remaining"]), report["findings"]
