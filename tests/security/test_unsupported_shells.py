"""Scripts shellcheck will not check: a `.sh` file whose shebang names zsh, fish, csh, python…
gets SC1071 ("ShellCheck only supports sh/bash/dash/ksh/'busybox sh' scripts") and nothing
else, and a Dockerfile whose SHELL names such a shell gets it on each RUN from hadolint's
shellcheck. Each is named as not read (with the lines, for hadolint), never a finding of a
file counted as analysed; a script for a shell it checks is read as before."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

pytestmark = pytest.mark.pypi

# the interpreters shellcheck answers SC1071 for (an unknown one, `node`, is SC1008 and
# checked as sh), of languages reviewloop has no analyzer of: a `.sh` file whose shebang
# names Python is Python (`git.languages.language`) and never reaches shellcheck
REFUSED = ("zsh", "fish", "csh", "tcsh", "perl", "ruby", "awk")
CHECKED = ("sh", "bash", "dash", "ksh")
BODY = "rm -rf /$X\neval $1\n"


def _shebang(interpreter: str) -> st.SearchStrategy[str]:
    return st.sampled_from((f"#!/bin/{interpreter}", f"#!/usr/bin/env {interpreter}",
                            f"#!/usr/local/bin/{interpreter}"))


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # the same tools each
@given(st.sampled_from(REFUSED).flatmap(_shebang), st.sampled_from(CHECKED).flatmap(_shebang))
def test_a_script_shellcheck_refuses_is_named_as_not_read(
        shellcheck_tools: Path, refused: str, checked: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        repo = Repo(Path(scratch))
        diff = repo.change({"other.sh": f"{refused}\n{BODY}", "ok.sh": f"{checked}\n{BODY}"})
        for name in ("shellcheck", "shellcheck-security"):
            report = run_for_agent(agent("a", (name,)), repo.root, diff)
            health = next(h for h in report.health if h.name == name)
            assert set(health.unread) == {"other.sh"}, health
            # zsh, fish, csh, tcsh are named without being given to it (`git.languages`)
            assert health.unread["other.sh"].startswith(("did not check it (line 1: SC1071",
                                                         "did not check it (SC1071: a "))
            assert "other.sh" not in {f.file for f in report.findings}
            if name == "shellcheck-security":  # SC2086, SC2115
                assert "ok.sh" in {f.file for f in report.findings}



@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(("zsh", "fish", "csh", "tcsh")), st.sampled_from(CHECKED),
       st.integers(1, 3))
def test_runs_hadolint_s_shellcheck_refuses_are_named_by_line(
        iac_env: Path, refused: str, checked: str, runs: int) -> None:
    """hadolint's own rules still ran (DL3004 on `sudo`): the file is named for the RUNs its
    shellcheck did not check, whose lines the reason lists."""
    head = "FROM debian:12\nUSER app\n"
    lines = [f'SHELL ["/bin/{refused}", "-c"]'] + ["RUN sudo rm -rf /$X"] * runs
    lines += [f'SHELL ["/bin/{checked}", "-c"]', "RUN rm -rf /$X", 'HEALTHCHECK CMD ["true"]']
    with tempfile.TemporaryDirectory() as scratch:
        repo = Repo(Path(scratch))
        diff = repo.change({"img/Dockerfile": head + "\n".join(lines) + "\n",
                            "ok/Dockerfile": head + "RUN rm -rf /$X\n"})
        report = run_for_agent(agent("i", ("hadolint",)), repo.root, diff)
    health = next(h for h in report.health if h.name == "hadolint")
    assert set(health.unread) == {"img/Dockerfile"}, health
    where = ", ".join(str(4 + i) for i in range(runs))
    assert f"checked nothing of the RUN at line {where} (SC1071" in health.unread["img/Dockerfile"]
    found = {(f.file, f.rule) for f in report.findings}
    assert ("img/Dockerfile", "DL3004") in found and ("ok/Dockerfile", "SC2086") in found
    assert not any(rule == "SC1071" for _, rule in found)
