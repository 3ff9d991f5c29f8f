"""A script is read by its shell's analyzer however its shebang is spelled. A suffix-less
`bin/deploy` starting with a UTF-8 BOM before `#!/bin/bash` (the kernel refuses it, and the
shell that started it runs it itself), or with `#!/usr/bin/env --split-string=bash` (GNU
env's long `-S`), was read by the secrets scan only: the review passed, complete, while
plain shellcheck reports its `rm -rf $DIR/*` (SC2115; the fuzzer's D37b). Now the BOM is
passed over and env's split string is read as env reads it.

Generated: an interpreter path (direct, `/usr/local`, a Nix store, busybox) or `env` with
its options (`-S`, `-S` in a cluster `-iS`/`-Sbash`, `--split-string=`, `-i`, `-u NAME`,
`--`), spaces after `#!`, flags after the shell, a BOM, CRLF line ends: each file of a
review one spelling, and every one of them is shellcheck's, with its SC2115 found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reviewloop.git.languages import SHELL, language
from tests.support.repos import branch_repo
from tests.support.review_cli import review

pytestmark = pytest.mark.pypi

SHELLS = ("bash", "sh", "dash", "ksh")
# how the line reaches the shell, `{}` its name
DIRECT = ("/bin/{}", "/usr/bin/{}", "/usr/local/bin/{}", "/nix/store/abc123-x-5.2/bin/{}")
THROUGH_ENV = ("/usr/bin/env {}", "/usr/bin/env -S {}", "/usr/bin/env -S{}",
               "/usr/bin/env -iS {}", "/usr/bin/env -iS{}", "/usr/bin/env --split-string={}",
               "/usr/bin/env --split-string {}", "/usr/bin/env -i {}",
               "/usr/bin/env -u HOME {}", "/usr/bin/env -S -u HOME {}",
               "/usr/bin/env -vS {}", "/bin/env -S {}")
BODY = "rm -rf $DIR/*\n"


@st.composite
def spellings(draw: st.DrawFn) -> bytes:
    """A shebang line and a shell body, as some editor or author wrote them."""
    form = draw(st.sampled_from(DIRECT + THROUGH_ENV))
    shell = draw(st.sampled_from(SHELLS))
    flags = draw(st.sampled_from(("", " -e", " -eu", " -x")))
    space = draw(st.sampled_from(("", " ", "\t")))
    bom = draw(st.sampled_from(("", "\ufeff")))
    end = draw(st.sampled_from(("\n", "\r\n")))
    return f"{bom}#!{space}{form.format(shell)}{flags}{end}{BODY.replace(chr(10), end)}" \
        .encode()


@settings(max_examples=300, deadline=None)
@given(text=spellings())
def test_every_spelling_is_a_shell_script(text: bytes) -> None:
    assert language("bin/deploy", text) == SHELL, text


@settings(max_examples=3, deadline=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],  # a shrink reruns minute-long reviews
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(spellings(), min_size=4, max_size=8, unique=True))
def test_a_review_reads_every_spelling_with_shellcheck(
        tmp_path_factory: pytest.TempPathFactory, shellcheck_tools: Path,
        texts: list[bytes]) -> None:
    base = {f"bin/s{n}": b"#!/bin/sh\necho ok\n" for n in range(len(texts))}
    head = {f"bin/s{n}": text for n, text in enumerate(texts)}
    root = branch_repo(tmp_path_factory.mktemp("r") / "r", base, head)
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    found = {(e["finding"]["file"], e["finding"]["rule"]) for e in report["ledger"]["entries"]}
    rows = {row["path"]: row for row in report["health"]["files"]}
    for path, text in head.items():
        assert any(a.startswith("shellcheck") for a in rows[path]["analysed_by"]), (text, rows)
        assert (path, "SC2115") in found and not rows[path]["not_read"], (text, found)
    assert report["health"]["complete"] is True, report["verdict"]


def test_a_bom_before_a_python_shebang_stays_python() -> None:
    """The BOM is passed over whatever the shebang names: `python3 tool` reads past it."""
    assert language("tool", "\ufeff#!/usr/bin/env python3\nx = 1\n".encode()) == "python"
    assert language("tool", "\ufeff# not a shebang\n".encode()) is None
