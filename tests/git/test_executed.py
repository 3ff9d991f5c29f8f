"""`git.executed`: how `./file` runs an executable file. Generated over names and first
lines: a shell's shebang over any name is that shell (beside the name's language), no
shebang on a file of no language is `sh` (execve's ENOEXEC fallback), and a file whose name
or shebang already says its shell, a binary, an empty file or a name of a kind is nothing
more."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewloop.git.executed import executable, made_executable, runs_as
from reviewloop.git.languages import CSH, SHELL, ZSH, language

SHELL_BANGS = {"#!/bin/bash": SHELL, "#!/bin/sh -e": SHELL, "#!/usr/bin/env bash": SHELL,
               "#!/usr/bin/env -S bash -eu": SHELL, "#!/bin/dash": SHELL,
               "#!/usr/bin/zsh": ZSH, "#!/bin/tcsh": CSH}
CODE_NAMES = ("tool.py", "tool.pyw", "tool.js", "tool.mjs", "tool.ts", "main.tf",
              "Dockerfile")
BARE_NAMES = ("deploy", "bin/cleanup", "hooks/pre-commit", "run-all", "x")
KIND_NAMES = ("notes.txt", "conf.yaml", "data.json", "README.md")
folders = st.sampled_from(("", "bin/", "a/b/", "scripts/"))
bodies = st.sampled_from(('TARGET="$1"\nrm -rf "$TARGET/"*\n', "echo hi\n", "x=1\n"))


@given(folder=folders, name=st.sampled_from(CODE_NAMES), bang=st.sampled_from(
    sorted(SHELL_BANGS)), body=bodies)
def test_a_shell_shebang_runs_any_other_name_as_that_shell(folder: str, name: str, bang: str,
                                                           body: str) -> None:
    start = f"{bang}\n{body}".encode()
    assert runs_as(f"{folder}{name}", start) == SHELL_BANGS[bang]
    assert runs_as(f"{folder}tool.sh", start) is None  # its name yields to it: one language


@given(folder=folders, name=st.sampled_from(BARE_NAMES), body=bodies,
       bom=st.sampled_from(("", "\ufeff")))
def test_no_shebang_and_no_language_runs_as_sh(folder: str, name: str, body: str,
                                               bom: str) -> None:
    assert language(f"{folder}{name}", body.encode()) is None
    assert runs_as(f"{folder}{name}", body.encode()) == SHELL
    assert runs_as(f"{folder}{name}", f"{bom}#!/usr/bin/env python3\n{body}".encode()) is None


@given(folder=folders, name=st.sampled_from((*KIND_NAMES, *CODE_NAMES)), body=bodies)
def test_a_name_of_a_kind_or_language_without_shebang_is_nothing_more(
        folder: str, name: str, body: str) -> None:
    assert runs_as(f"{folder}{name}", body.encode()) is None


@pytest.mark.parametrize("start", [b"", b"\n  \n", b"\x7fELF\x02\x01\x01\0\0\0" * 40])
def test_an_empty_or_binary_file_runs_as_no_shell(start: bytes) -> None:
    assert runs_as("bin/deploy", start) is None


@pytest.mark.parametrize(("mode", "expected"), [(0o755, True), (0o700, True), (0o645, True),
                                                (0o644, False), (0o600, False)])
def test_executable_is_any_execute_bit_of_a_regular_file(tmp_path: Path, mode: int,
                                                         expected: bool) -> None:
    (tmp_path / "f").write_text("x\n")
    os.chmod(tmp_path / "f", mode)
    os.symlink("f", tmp_path / "link")
    assert executable(tmp_path / "f") is expected
    assert executable(tmp_path / "link") is False  # a link is judged as a link
    assert executable(tmp_path / "none") is False


@pytest.mark.parametrize(("header", "expected"), [
    ("diff --git a/x b/x\nold mode 100644\nnew mode 100755\n", True),
    ("diff --git a/x b/x\r\nold mode 100644\r\nnew mode 100755\r\n", True),
    ("diff --git a/x b/x\nold mode 100755\nnew mode 100644\n", False),
    ("diff --git a/x b/x\nnew file mode 100755\n", False),
    ("diff --git a/x b/x\nindex 1..2 100755\n@@ -1 +1 @@\n-old mode 100644\n+new mode 100755\n",
     False),
])
def test_made_executable_reads_the_header_only(header: str, expected: bool) -> None:
    assert made_executable(header) is expected


_STARTS = st.sampled_from([*(f"{bang}\necho hi\n" for bang in SHELL_BANGS), "echo hi\n", "",
                           "#!/usr/bin/env python3\nprint(1)\n", "\x00\x01binary"])


@given(files=st.lists(st.tuples(st.sampled_from((*CODE_NAMES, *BARE_NAMES, *KIND_NAMES)),
                                _STARTS, st.sampled_from((0o644, 0o755, 0o700, 0o744))),
                      min_size=1, max_size=8, unique_by=lambda f: f[0]))
def test_the_reviews_one_look_is_the_files_own(tmp_path_factory: pytest.TempPathFactory,
                                               files: list[tuple[str, str, int]]) -> None:
    """What a review's analyzers take from its one look at each file (`review.readable`,
    `AnalyzerContext.shells`) is what `runs_as` says of the file itself, mode and bytes."""
    from reviewloop.checks.analyzers.base import AnalyzerContext
    from reviewloop.git.diff import ChangeSet
    from reviewloop.git.languages import head
    from reviewloop.review.readable import Readability

    root = tmp_path_factory.mktemp("tree")
    for name, start, mode in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(start, encoding="utf-8")
        os.chmod(root / name, mode)
    looked = Readability(root)
    paths = tuple(name for name, _, _ in files)
    shells = {p: s for p in paths if (s := looked.shell(p))}
    known = AnalyzerContext(root=root, changes=ChangeSet(), diff_text="", agent="a",
                            files=paths, shells=shells)
    itself = AnalyzerContext(root=root, changes=ChangeSet(), diff_text="", agent="a",
                             files=paths)
    for path in paths:
        expected = runs_as(path, head(root / path)) if executable(root / path) else None
        assert looked.shell(path) == known.runs_as(path) == itself.runs_as(path) == expected
