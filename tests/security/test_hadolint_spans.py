"""hadolint names an instruction by its first line; its findings span the whole instruction
(continuation lines, with the comment and empty lines Docker skips inside one, under either
escape character, and a heredoc's body), so a change inside a multi-line RUN keeps them on
the change. Pure (a recorded report on generated Dockerfiles) and with real hadolint."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.hadolint import to_findings
from reviewloop.git.diff import ChangeSet
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

_inside = st.sampled_from(("", "# a comment", "  # indented comment"))


@st.composite
def runs(draw: st.DrawFn) -> tuple[list[str], int, int]:
    """A Dockerfile's lines, and the first and last line (from 1) of its generated RUN."""
    escape = draw(st.sampled_from(("\\", "`")))
    lines = ["# escape=`"] if escape == "`" else []
    lines += ["FROM debian:12", "USER app"]
    first = len(lines) + 1
    parts = draw(st.lists(st.sampled_from(("apt-get update", "echo a", "sudo true")),
                          min_size=1, max_size=5))
    body = [f"RUN {parts[0]}"]
    for part in parts[1:]:
        body[-1] += f" {escape}"
        body += [draw(_inside)] * draw(st.integers(0, 1)) + [f"    && {part}"]
    if draw(st.booleans()):  # a heredoc after it all
        word, dash = draw(st.sampled_from(("EOF", "END_1"))), draw(st.sampled_from(("", "-")))
        body[-1] += f" && cat <<{dash}{word} > /f"
        body += ["line one", "line two", ("\t" if dash else "") + word]
    lines += body
    return [*lines, 'HEALTHCHECK CMD ["true"]'], first, first + len(body) - 1


@settings(max_examples=300, deadline=None)
@given(runs())
def test_a_finding_spans_its_whole_instruction(made: tuple[list[str], int, int]) -> None:
    lines, first, last = made
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "Dockerfile").write_text("\n".join(lines) + "\n")
        ctx = AnalyzerContext(root=root, changes=ChangeSet(), diff_text="", agent="a",
                              files=("Dockerfile",))
        report = [{"code": "DL3004", "file": str(root / "Dockerfile"), "level": "error",
                   "line": line, "message": "m"} for line in (first - 1, first, last + 1)]
        found = to_findings(report, ctx)
    assert [(f.start_line, f.end_line) for f in found] == [
        (first - 1, first - 1), (first, last), (last + 1, last + 1)], lines



@pytest.mark.pypi
@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(1, 4), st.integers(1, 4))
def test_sudo_added_on_a_continuation_line_is_on_the_change(
        iac_env: Path, steps: int, at: int) -> None:
    at = min(at, steps)
    before = ["FROM debian:12", "USER app", "RUN apt-get update \\"]
    before += [f"    && echo step{i} \\" for i in range(1, steps + 1)]
    before += ["    && echo done", 'HEALTHCHECK CMD ["true"]']
    after = [line.replace(f"echo step{at} ", "sudo chmod 777 /etc/shadow ") for line in before]
    with tempfile.TemporaryDirectory() as scratch:
        repo = Repo(Path(scratch), {"Dockerfile": "\n".join(before) + "\n"})
        diff = repo.change({"Dockerfile": "\n".join(after) + "\n"})
        report = run_for_agent(agent("i", ("hadolint",)), repo.root, diff)
    assert ("DL3004", 3, 4 + steps) in {(f.rule, f.start_line, f.end_line)
                                        for f in report.findings}
    assert "DL3004" not in {f.rule for f in report.outside}
