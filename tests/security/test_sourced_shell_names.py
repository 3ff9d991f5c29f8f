"""Shell code a shell runs by its name or folder, with no shebang, is shell: ksh's start-up
files, the system's (`/etc/bash.bashrc`, `/etc/profile`), a dotfile repository's copies
without their dot, `.local` variants, `*.envrc`, X sessions' files, `PKGBUILD`/`APKBUILD`,
husky's hooks and bash-completion's files. Each was read by the secrets scan alone: its
`rm -rf "$T/"*` (SC2115) lost, the review complete (f_abs D7). Generated: names x folders;
then a real review of a few."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git.languages import (
    RECIPES,
    SHELL,
    SHELL_FOLDERS,
    SOURCED,
    UNCHECKED_FOLDERS,
    UNCHECKED_SHELL_FILES,
    UNCHECKED_SOURCED,
    language,
)
from tests.support.repos import feature_branch
from tests.support.review_cli import review

FOLDER = st.sampled_from(("", "home/user/", "dotfiles/", "config/shell/"))
STARTS = st.sampled_from((b"", b"export A=1\n", b"# comment\n", b'alias ll="ls -l"\n'))


@st.composite
def sourced_names(draw: st.DrawFn) -> str:
    """A path a shell sources by name: a start-up file with or without its dot and with a
    `.local` tail, a recipe, a `*.envrc`, or a file of a folder a shell reads whole."""
    kind = draw(st.sampled_from(("start-up", "recipe", "envrc", "folder")))
    if kind == "start-up":
        stem = draw(st.sampled_from(sorted(SOURCED - {"profile"})))
        return (f"{draw(FOLDER)}{draw(st.sampled_from(('.', '')))}{stem}"
                f"{draw(st.sampled_from(('', '.local')))}")
    if kind == "recipe":
        return f"{draw(st.sampled_from(('', 'pkg/')))}{draw(st.sampled_from(sorted(RECIPES)))}"
    if kind == "envrc":
        return f"{draw(FOLDER)}{draw(st.sampled_from(('x', 'dev', 'ci')))}.envrc"
    hook = draw(st.sampled_from(("pre-commit", "commit-msg", "pre-push", "tool")))
    folder = draw(st.sampled_from(sorted(SHELL_FOLDERS)))
    return f"{draw(st.sampled_from(('', 'etc/')))}{folder}/{hook}"


@settings(max_examples=300, deadline=None)
@given(path=sourced_names(), start=STARTS)
def test_a_file_a_shell_sources_by_name_is_shell(path: str, start: bytes) -> None:
    assert language(path, start) == SHELL, path


@st.composite
def unchecked_names(draw: st.DrawFn) -> tuple[str, str]:
    """(a path zsh or csh runs by its name or folder, that shell): a start-up file with or
    without its dot, with a `.local` tail, the system's, or a file of `.zshrc.d/`."""
    folder = draw(FOLDER | st.sampled_from(("etc/", "etc/zsh/")))
    if draw(st.booleans()):
        dir_name, shell = draw(st.sampled_from(sorted(UNCHECKED_FOLDERS.items())))
        return f"{folder}{dir_name}/{draw(st.sampled_from(('aliases', '10-git', 'x')))}", shell
    stem, shell = draw(st.sampled_from(sorted(UNCHECKED_SOURCED.items())))
    return (f"{folder}{draw(st.sampled_from(('.', '')))}{stem}"
            f"{draw(st.sampled_from(('', '.local')))}", shell)


@settings(max_examples=300, deadline=None)
@given(named=unchecked_names(), start=STARTS)
def test_a_start_up_file_of_a_shell_no_analyzer_reads_is_that_shell(
        named: tuple[str, str], start: bytes) -> None:
    """fz1 D1: `zshrc` (a dotfile repository's copy), `etc/zsh/zshrc`, `.zshrc.d/x` were
    nobody's, while `.zshrc` is named as not analysed; so are they now. A bash shebang
    still makes one shell that shellcheck reads."""
    path, shell = named
    assert language(path, start) == shell, path
    assert language(path, b"#!/bin/bash\n" + start) == SHELL, path


def test_the_lists_agree_and_generic_names_stand() -> None:
    assert {f".{stem}" for stem in UNCHECKED_SOURCED} >= set(UNCHECKED_SHELL_FILES) \
        - {".login", ".logout"}
    for path in ("login", "src/logout", ".zshrc.d/README.md", ".bashrc.d/notes.txt"):
        assert language(path, b"") is None, path  # too generic, or a named kind


def test_profile_is_shell_where_a_shell_reads_it_and_other_files_stand() -> None:
    assert language("etc/profile", b"") == language(".profile", b"") == SHELL
    assert language("src/profile", b"x = 1\n") is None  # a file `profile` elsewhere: any
    assert language(".husky/README.md", b"# hooks\n") is None  # a named kind stands
    # a shebang wins over a shell's name, as for `deploy.sh`
    assert language(".husky/pre-commit", b"#!/usr/bin/env python3\n") == "python"


@pytest.mark.pypi
@pytest.mark.timeout(900)
@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paths=st.lists(sourced_names(), min_size=4, max_size=6, unique=True))
def test_a_review_reads_them_with_shellcheck(
        tmp_path_factory: pytest.TempPathFactory, shellcheck_tools: Path,
        paths: list[str]) -> None:
    files: dict[str | bytes, bytes] = dict.fromkeys(paths, b'T="$1"\nrm -rf "$T/"*\n')
    root = feature_branch(tmp_path_factory.mktemp("r") / "r", files)
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    found = {(e["finding"]["file"], e["finding"]["rule"]) for e in report["ledger"]["entries"]}
    rows = {row["path"]: row for row in report["health"]["files"]}
    for path in paths:
        assert (path, "SC2115") in found, (path, found)
        assert any(a.startswith("shellcheck") for a in rows[path]["analysed_by"]), rows[path]
    assert report["health"]["complete"] is True, report["verdict"]
