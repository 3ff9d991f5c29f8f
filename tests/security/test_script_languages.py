"""A script is read as the language that runs it. `deploy.sh` starting with a Python
shebang went to shellcheck, which refuses Python (SC1071), and never to bandit: plain
bandit reports its `shell=True`. Bash's start-up files and direnv's `.envrc` (run on every
`cd`) went to no shell analyzer at all, read only by the secrets scan, while shellcheck
finds their `rm -rf "$DIR/"`. Now a shell script's name yields to its shebang, and those
files are shell scripts by name. Other names keep their language whatever the first line:
`#!` opens a comment in Python, HCL and JavaScript, so a shebang must not take a file away
from its analyzers. Generated: names x shebangs, and real reviews."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git.languages import (
    INTERPRETERS,
    PYTHON,
    SHELL,
    SHELL_FILES,
    SHELLS,
    SUFFIXES,
    by_shebang,
    language,
)
from tests.support.repos import feature_branch
from tests.support.review_cli import review

# a shell's name (zsh's, fish's too) yields to the shebang: `x.zsh` with `#!/bin/bash` is bash
SHELL_SUFFIXES = sorted(s for s, lang in SUFFIXES.items() if lang in SHELLS)
OTHER_SUFFIXES = sorted(s for s, lang in SUFFIXES.items() if lang not in SHELLS)
STEM = st.text("abcdefghijklmnopqrstuvwxyz_-", min_size=1, max_size=10)
FOLDER = st.sampled_from(("", "bin/", "scripts/deploy/", "home/user/"))


@st.composite
def shebangs(draw: st.DrawFn) -> bytes:
    """A first line naming an interpreter, directly, through `env` or `env -S`, with a
    version and arguments."""
    name = draw(st.sampled_from(sorted(INTERPRETERS)))
    version = draw(st.sampled_from(("", "3", "3.12", "20"))) if name in ("python", "node") \
        else ""
    form = draw(st.sampled_from(("/usr/bin/{}", "/usr/bin/env {}", "/usr/bin/env -S {} -u")))
    return f"#!{form.format(name + version)}\n".encode()


@settings(max_examples=400, deadline=None)
@given(folder=FOLDER, stem=STEM, suffix=st.sampled_from(SHELL_SUFFIXES), bang=shebangs())
def test_a_shell_scripts_shebang_says_its_language(folder: str, stem: str, suffix: str,
                                                   bang: bytes) -> None:
    assert language(f"{folder}{stem}{suffix}", bang + b"x\n") == by_shebang(bang), bang


@settings(max_examples=400, deadline=None)
@given(folder=FOLDER, stem=STEM, suffix=st.sampled_from(OTHER_SUFFIXES), bang=shebangs())
def test_another_name_keeps_its_language_under_any_shebang(folder: str, stem: str,
                                                           suffix: str, bang: bytes) -> None:
    assert language(f"{folder}{stem}{suffix}", bang + b"x\n") == SUFFIXES[suffix], bang


@settings(max_examples=100, deadline=None)
@given(folder=FOLDER, name=st.sampled_from(sorted(SHELL_FILES)),
       start=st.sampled_from((b"", b"export A=1\n", b"# comment\n")))
def test_start_up_files_are_shell_scripts(folder: str, name: str, start: bytes) -> None:
    assert language(f"{folder}{name}", start) == SHELL


@pytest.mark.pypi
@pytest.mark.timeout(900)
@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(suffix=st.sampled_from(SHELL_SUFFIXES), start_up=st.sampled_from(sorted(SHELL_FILES)),
       bang=shebangs().filter(lambda b: by_shebang(b) == PYTHON))
def test_a_review_reads_each_with_its_languages_analyzers(
        tmp_path_factory: pytest.TempPathFactory, shellcheck_tools: Path, suffix: str,
        start_up: str, bang: bytes) -> None:
    body = b"import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
    files: dict[str | bytes, bytes] = {f"bin/deploy{suffix}": bang + body,
                                       f"home/{start_up}": b'DIR="$1"\nrm -rf "$DIR/"\n'}
    root = feature_branch(tmp_path_factory.mktemp("r") / "r", files)
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    found = {(e["finding"]["file"], e["finding"]["rule"]) for e in report["ledger"]["entries"]}
    assert (f"bin/deploy{suffix}", "B602") in found, found
    assert (f"home/{start_up}", "SC2115") in found, found
    assert (f"home/{start_up}", "SC2148") not in found  # it never has a shebang
    rows = {row["path"]: row for row in report["health"]["files"]}
    assert any(a.startswith("shellcheck") for a in rows[f"home/{start_up}"]["analysed_by"])
    assert report["health"]["complete"] is True, report["verdict"]
