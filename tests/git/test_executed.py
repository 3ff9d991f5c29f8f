"""`git.executed`: how `./file` runs an executable file. Generated over names and first
lines: a shell's shebang over any name is that shell (beside the name's language), no
shebang on a file of no language is `sh` (execve's ENOEXEC fallback), and a file whose name
or shebang already says its shell, a binary, an empty file or a name of a kind is nothing
more. A no-shebang file reads as `sh` only when it reads as a script (`shell_shaped`): first
statements of scripts x comment leads x line ends, against prose, data, markup and binaries
with the same execute bits, and kinds x modes in one real change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git.executed import executable, made_executable, runs_as, shell_shaped
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


# first statements a no-shebang shell script starts with, after any comments and blank lines
SCRIPT_STARTS = ('TARGET="$1"', "set -euo pipefail", "export PATH=/opt/bin:$PATH",
                 "cd \"$(dirname \"$0\")\"", "main() {\n  echo hi\n}", "if [ -f x ]; then",
                 "for f in *.txt; do echo \"$f\"; done", "[ -n \"$CI\" ] && exit 0",
                 ". ./env.sh", ": \"${PORT:=8080}\"", "./configure --prefix=/usr",
                 "/usr/bin/env python3 -m tool", "npm install", "make", "(cd web && npm ci)",
                 "{ echo a; echo b; } > out", "\"$@\"", "readonly DIR=/srv",
                 "local_var=1", "arr[0]=x", "PATH+=:/x", "exec \"$@\"")
# texts with +x that are no script: prose, data, markup
NOT_SCRIPTS = ("MIT License\n\nCopyright (c) 2026 A. Person",
               "Apache License\n                           Version 2.0, January 2004",
               "Permission is hereby granted, free of charge, to any person obtaining a copy",
               "This project is a tool.\nIt does things.", "Lorem ipsum dolor sit amet.",
               '{"name": "x", "version": 1}', '[\n  {"a": 1}\n]', "name,age\nbob,3",
               "<?xml version=\"1.0\"?>\n<root/>", "<!DOCTYPE html>\n<html></html>",
               "---\nkey: value", "ID\tName\n1\tbob", "the end.", "1,2,3\n4,5,6",
               "# only a comment\n\n# and another")
COMMENTS = st.sampled_from(("", "# deploy the app\n", "\n\n", "#\n# a header\n#\n  \n"))
BINARIES = st.one_of(
    st.binary(min_size=1, max_size=300).filter(lambda b: b"\0" in b),
    st.binary(min_size=4, max_size=300).filter(
        lambda b: _not_utf8(b) and b.strip()),
    st.sampled_from((b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", b"\x1f\x8b\x08\0\0\0\0\0",
                     b"PK\x03\x04\x14\0\0\0", "café".encode("latin-1") + b" au lait\n")))


def _not_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.reason != "unexpected end of data"
    return False


@given(name=st.sampled_from(BARE_NAMES), lead=COMMENTS, start=st.sampled_from(SCRIPT_STARTS),
       rest=bodies, crlf=st.booleans())
def test_a_no_shebang_script_of_any_first_statement_runs_as_sh(
        name: str, lead: str, start: str, rest: str, crlf: bool) -> None:
    text = f"{lead}{start}\n{rest}"
    assert runs_as(name, (text.replace("\n", "\r\n") if crlf else text).encode()) == SHELL


@given(name=st.sampled_from((*BARE_NAMES, "LICENSE", "COPYING", "data/records")),
       lead=COMMENTS, text=st.sampled_from(NOT_SCRIPTS), crlf=st.booleans())
def test_prose_or_data_with_execute_bits_is_no_script(name: str, lead: str, text: str,
                                                      crlf: bool) -> None:
    body = f"{lead}{text}\n"
    assert runs_as(name, (body.replace("\n", "\r\n") if crlf else body).encode()) is None


@given(name=st.sampled_from((*BARE_NAMES, "LICENSE", "blob")), data=BINARIES)
def test_a_binary_or_a_file_not_utf8_is_never_a_script(name: str, data: bytes) -> None:
    assert runs_as(name, data) is None


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(st.tuples(
    st.sampled_from(("script", "prose", "data", "binary")), st.sampled_from((0o644, 0o755)),
    st.integers(0, 10**6)), min_size=1, max_size=8))
def test_only_executable_scripts_go_to_the_shells_analyzers(
        tmp_path_factory: pytest.TempPathFactory, files: list[tuple[str, int, int]]) -> None:
    """File kinds x modes in one real repository's change: the analyzers of `sh`
    (shellcheck) are given exactly the executable files that read as scripts."""
    from reviewloop.checks.analyzers.base import AnalyzerContext
    from reviewloop.git.diff import parse_diff
    from tests.support.analyzers import Repo

    kinds = {"script": SCRIPT_STARTS, "prose": NOT_SCRIPTS[:5], "data": NOT_SCRIPTS[5:14]}
    repo = Repo(tmp_path_factory.mktemp("r") / "repo")
    wanted, paths = set(), []
    for n, (kind, mode, seed) in enumerate(files):
        path = f"bin/{kind}_{n}"
        target = repo.root / path
        target.parent.mkdir(exist_ok=True)
        if kind == "binary":
            target.write_bytes(b"\x7fELF\x02\x01\x01\0" + seed.to_bytes(4, "big") * 20)
        else:
            options = kinds[kind]
            target.write_text(f"{options[seed % len(options)]}\n", encoding="utf-8")
        os.chmod(target, mode)
        paths.append(path)
        if kind == "script" and mode == 0o755:
            wanted.add(path)
    diff = repo.change({})
    ctx = AnalyzerContext(root=repo.root, changes=parse_diff(diff), diff_text=diff,
                          agent="a", files=tuple(paths))
    assert set(ctx.files_for(SHELL)) == wanted


@settings(max_examples=80, deadline=None, derandomize=True)
@given(command=st.sampled_from(["docker build -t app", 'cp -r "$1"', "python3 -m pip install -e",
                                "git add", "rsync -a src/", "ls", "find", "tar czf out.tgz"]),
       target=st.sampled_from([".", ".."]), quote=st.sampled_from(["", "\\", "'", '"']),
       lead=st.sampled_from(["", "# build it\n", "\n\n"]))
def test_a_command_whose_last_word_is_a_folder_dot_is_a_script(
        command: str, target: str, quote: str, lead: str) -> None:
    """A review found `docker build -t app .`, `git add .` or `\\rm -rf x` as an executable's
    first line read as a sentence (its full stop) or as no statement, so the script went to no
    shellcheck and nothing said so. A lone `.`/`..` is a folder; a backslash or quotes around
    a command only keep an alias out."""
    name, _, rest = command.partition(" ")
    named = f"\\{name}" if quote == "\\" else f"{quote}{name}{quote}"
    assert shell_shaped(f"{lead}{named} {rest} {target}".replace("  ", " ").encode())
    assert not shell_shaped(f"{lead}This file is {name} data.".encode())
