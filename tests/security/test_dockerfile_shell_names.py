"""A Dockerfile under a shell script's suffix (`Dockerfile.sh`, `api.Dockerfile.bash`) is a
Dockerfile when it starts as one, as checkov's mask reads it; a script under such a name
stays a script.

Before: `d/Dockerfile.sh` holding `FROM alpine:latest` / `USER root` went to shellcheck
alone, which finds nothing in Dockerfile syntax, and the review said complete, while plain
`checkov -d .` reported CKV_DOCKER_7 and CKV_DOCKER_8 on it; thirteen other suffixes
(`.md`, `.json`, `.txt`, …) were already read by content. The shell suffix won because a
`.sh` name is shell by name unless a shebang says otherwise. Now a shell name whose first
instruction is `FROM` or `ARG` (what no shell script starts with) is a Dockerfile, and one
that starts as a script is shell. Generated: every shell suffix, stem and preamble."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.git.languages import DOCKERFILE, SHELL, SUFFIXES, language
from tests.support.iac_tools import module_reviews
from tests.support.repos import feature_branch
from tests.support.review_cli import review

SHELL_SUFFIXES = sorted(s for s, kind in SUFFIXES.items() if kind == SHELL)
STEMS = ("Dockerfile", "dockerfile", "Containerfile", "containerfile")
# a Dockerfile's start before its first instruction: a parser directive, comments, blanks
PREAMBLES = st.lists(st.sampled_from(("# syntax=docker/dockerfile:1\n", "# escape=`\n",
                                      "# build the api\n", "\n")), max_size=3)
FIRST = st.sampled_from(("FROM alpine:3.20\n", "from alpine:3.20 AS build\n",
                         "ARG VERSION=3.20\nFROM alpine:${VERSION}\n"))
SCRIPTS = st.sampled_from(("#!/bin/sh\ndocker build -t api .\n", "set -e\ndocker build .\n",
                           "# build the image\nFROM_IMAGE=alpine\ndocker build .\n",
                           "#!/usr/bin/env bash\nfrom=alpine\n", ""))
SHEBANGS = ("#!/bin/bash\n", "#!/usr/bin/env sh\n", "\ufeff#!/bin/dash\n")
IMAGE = b"FROM alpine:latest\nUSER root\nRUN cd /tmp && echo $HOME\n"
SCRIPT = b"#!/bin/bash\nrm -rf $DIR/*\n"  # shellcheck SC2115


@st.composite
def shell_names(draw: st.DrawFn) -> str:
    """`Dockerfile.sh`, `api.Dockerfile.bash`, `containerfile.ksh`: checkov's mask reads each
    as a Dockerfile, and its suffix is a shell script's."""
    prefix = draw(st.sampled_from(("", "api.", "web.")))
    return f"{prefix}{draw(st.sampled_from(STEMS))}{draw(st.sampled_from(SHELL_SUFFIXES))}"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(name=shell_names(), folder=st.sampled_from(("", "d/")), preamble=PREAMBLES,
       first=FIRST, script=SCRIPTS)
def test_a_shell_name_is_a_dockerfile_when_it_starts_as_one(
        name: str, folder: str, preamble: list[str], first: str, script: str) -> None:
    path = f"{folder}{name}"
    assert language(path, ("".join(preamble) + first).encode()) == DOCKERFILE, path
    assert language(path, script.encode()) == SHELL, (path, script)
    # a shell's shebang before the instructions: the shell runs it (bash runs past a failing
    # `ARG x` line), so it stays a script shellcheck reads
    shebang = SHEBANGS[len(preamble) % len(SHEBANGS)]
    assert language(path, (shebang + "".join(preamble) + first).encode()) == SHELL, path
    # a script's name without a Dockerfile's stem stays shell, whatever it starts with
    assert language(f"{folder}build.{name.rpartition('.')[2]}", first.encode()) == SHELL


def _rules(report: dict, path: str) -> set[str]:
    return {e["finding"]["rule"] for e in report["ledger"]["entries"]
            if e["finding"]["file"] == path}


SUFFIXES_REVIEWED = (".sh", ".bash")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, iac_tools: Path) -> dict[str, Any]:
    """One review of both suffixes' Dockerfile and script, a folder each beside the
    reference: checkov, hadolint and shellcheck read each file alone."""
    files: dict[str | bytes, bytes] = {"ref/Dockerfile": IMAGE}
    for suffix in SUFFIXES_REVIEWED:
        files.update({f"d{suffix}/Dockerfile{suffix}": IMAGE,
                      f"s{suffix}/Dockerfile{suffix}": SCRIPT})
    with module_reviews(tmp_path_factory, iac_tools):
        root = feature_branch(tmp_path_factory.mktemp("names") / "r", files)
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never",
                      "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout))


@pytest.mark.pypi
@pytest.mark.timeout(900)
@pytest.mark.parametrize("suffix", SUFFIXES_REVIEWED)
def test_a_dockerfile_under_a_shell_name_gets_what_a_plain_one_gets(
        report: dict[str, Any], suffix: str) -> None:
    image, script = f"d{suffix}/Dockerfile{suffix}", f"s{suffix}/Dockerfile{suffix}"
    expected = _rules(report, "ref/Dockerfile")
    assert {"CKV_DOCKER_7", "CKV_DOCKER_8", "DL3002"} <= expected, expected
    assert _rules(report, image) == expected
    rows = {row["path"]: row for row in report["health"]["files"]}
    assert not any("shellcheck" in a for a in rows[image]["analysed_by"])
    # a script under the same name is still shellchecked, and no Dockerfile to the tools
    assert "SC2115" in _rules(report, script)
    assert not any(a.startswith(("hadolint", "checkov")) for a in rows[script]["analysed_by"])


@settings(max_examples=200, deadline=None, derandomize=True)
@given(name=shell_names() | st.sampled_from(("api.Dockerfile.txt", "Dockerfile.go",
                                             "web.Containerfile.md", "Dockerfile.prod")),
       preamble=PREAMBLES, first=FIRST, crlf=st.booleans())
def test_a_bom_before_the_first_instruction_is_passed_over(
        name: str, preamble: list[str], first: str, crlf: bool) -> None:
    """A Windows editor's BOM before `FROM` (f_abs D6: `\\ufeffFROM` was no instruction, and
    `api.Dockerfile.txt` went unread, `Dockerfile.sh` to shellcheck alone)."""
    text = "\ufeff" + "".join(preamble) + first
    assert language(name, (text.replace("\n", "\r\n") if crlf else text).encode()) \
        == DOCKERFILE, name
