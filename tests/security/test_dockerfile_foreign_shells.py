"""A Dockerfile's RUN under a `SHELL` of no shell (`["python3", "-c"]`, `["node", "-e"]`,
perl, pwsh) is code of that program, which `docker build` runs. hadolint handed it to
shellcheck as sh, which answered nonsense (`SC2239` on Python, a parse error shown as a
finding on JavaScript), no analyzer of that language read it, and the review said complete.
Now each such RUN is named as not analysed by hadolint, with its line, and shellcheck's
answers on it are dropped; a RUN under a shell (the default, bash, sh through `env`) is
shellchecked as before, and each `FROM` starts again with the default shell.

Generated: Dockerfiles of drawn stages, each with a drawn `SHELL` (or none), RUNs in shell
and exec form and continuation lines, read by `dockerfile_shells.foreign_runs`; and one
review holding a Dockerfile of each foreign program beside a bash control."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.dockerfile_shells import foreign_runs
from tests.support.iac_tools import module_reviews
from tests.support.repos import feature_branch
from tests.support.review_cli import review

# a SHELL's JSON array, and whether its RUNs are some other program's code
SHELLS = {'["python3", "-c"]': True, '["/usr/bin/python3.12", "-c"]': True,
          '["node", "-e"]': True, '["perl", "-e"]': True,
          '["pwsh", "-Command"]': True, '["cmd", "/S", "/C"]': True,
          '["/bin/bash", "-o", "pipefail", "-c"]': False, '["sh", "-c"]': False,
          '["/usr/bin/env", "bash", "-c"]': False, '["/bin/dash", "-c"]': False,
          '["zsh", "-c"]': False}  # zsh: shellcheck's SC1071 names it
RUNS = (("RUN echo one", True), ("RUN [\"echo\", \"exec\"]", False),
        ("RUN --mount=type=cache,target=/c do_it", True),
        ("RUN first \\", True))  # a continuation line follows


@st.composite
def dockerfiles(draw: st.DrawFn) -> tuple[list[str], dict[int, str]]:
    """A Dockerfile of 1–3 stages, and the first line of each RUN under a foreign SHELL."""
    lines: list[str] = []
    expected: dict[int, str] = {}
    for _ in range(draw(st.integers(1, 3))):
        lines.append("FROM alpine:3.20")
        shell: str | None = None
        for _ in range(draw(st.integers(1, 5))):
            if draw(st.booleans()):
                shell = draw(st.sampled_from(sorted(SHELLS)))
                lines.append(f"SHELL {shell}")
            run, shell_form = draw(st.sampled_from(RUNS))
            lines.append(run)
            if shell is not None and SHELLS[shell] and shell_form:
                expected[len(lines)] = " ".join(json.loads(shell))
            if run.endswith("\\"):
                lines.append("  and more")
    return lines, expected


@settings(max_examples=300, deadline=None, derandomize=True)
@given(dockerfiles())
def test_a_run_under_a_foreign_shell_is_found_with_its_program(
        drawn: tuple[list[str], dict[int, str]]) -> None:
    lines, expected = drawn
    assert foreign_runs(lines) == expected


PROGRAMS = {"python": ('["python3", "-c"]',
                       'import subprocess, os; subprocess.call(os.environ["H"], shell=True)'),
            "node": ('["node", "-e"]', 'require("child_process").execSync(process.env.H)'),
            "perl": ('["perl", "-e"]', 'system($ENV{H})')}
HEAD = "FROM python:3.12-slim@sha256:" + "0" * 64 + "\nUSER nobody\n"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, iac_tools: Path) -> dict[str, Any]:
    files: dict[str | bytes, bytes] = {
        f"{name}/Dockerfile": f"{HEAD}SHELL {shell}\nRUN {code}\n".encode()
        for name, (shell, code) in PROGRAMS.items()}
    files["bash/Dockerfile"] = (f'{HEAD}SHELL ["/bin/bash", "-c"]\nRUN T="$1"; '
                                'rm -rf "$T/"*\n').encode()
    with module_reviews(tmp_path_factory, iac_tools):
        root = feature_branch(tmp_path_factory.mktemp("shells") / "r", files)
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never",
                      "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout))


@pytest.mark.pypi
@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_a_foreign_shell_run_is_named_never_shellchecked(report: dict[str, Any],
                                                         name: str) -> None:
    path = f"{name}/Dockerfile"
    rows = {row["path"]: row for row in report["health"]["files"]}
    shell = " ".join(json.loads(PROGRAMS[name][0]))
    assert any(f"the RUN at line 4 runs under SHELL `{shell}`" in why
               for why in rows[path]["not_read"]), rows[path]
    found = [f for group in ("remaining", "nits", "out_of_scope")
             for f in report["findings"][group] if f["file"] == path]
    assert not any(f["rule"].startswith("SC") for f in found), found
    assert report["health"]["complete"] is False


@pytest.mark.pypi
@pytest.mark.timeout(900)
def test_a_run_under_bash_is_still_shellchecked(report: dict[str, Any]) -> None:
    rules = {f["rule"] for group in ("remaining", "nits")
             for f in report["findings"][group] if f["file"] == "bash/Dockerfile"}
    assert "SC2115" in rules, rules
    row = next(r for r in report["health"]["files"] if r["path"] == "bash/Dockerfile")
    assert row["not_read"] == [], row
