"""The shellcheck analyzers: which files are shell scripts, directives blanked before the run
(reviewloop judges them), no `.shellcheckrc` from the tree, and the security/maintainability
split of one run."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.shellcheck import scripts, without_directives
from reviewloop.git.diff import parse_diff
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

SCRIPT = """\
#!/bin/bash
# shellcheck disable=SC2086,SC2164
rm -rf $1
cd /tmp
# shellcheck shell=bash disable=SC2115
rm -rf "$2/"
"""


def test_shell_scripts_by_suffix_or_shebang(tmp_path: Path) -> None:
    files = {"a.sh": "echo\n", "b.bash": "echo\n", "bin/deploy": "#!/usr/bin/env bash\necho\n",
             "bin/tool": "#!/bin/sh\necho\n", "bin/py": "#!/usr/bin/env python3\n",
             "notes.txt": "echo\n", "z.zsh": "#!/bin/zsh\necho\n"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    ctx = AnalyzerContext(root=tmp_path, changes=parse_diff(""), diff_text="", agent="a",
                          files=tuple(files))
    assert scripts(ctx) == ["a.sh", "b.bash", "bin/deploy", "bin/tool"]


def test_directives_are_blanked_and_their_other_settings_kept() -> None:
    assert without_directives(SCRIPT).splitlines() == [
        "#!/bin/bash", "#", "rm -rf $1", "cd /tmp", "# shellcheck shell=bash", 'rm -rf "$2/"']


@pytest.mark.pypi
def test_one_run_split_by_reviewer_with_the_tree_s_directives_and_rc_ignored(
        tmp_path: Path, shellcheck_tools: Path) -> None:
    repo = Repo(tmp_path / "repo", {".shellcheckrc": "disable=all\n"})
    diff = repo.change({"deploy.sh": SCRIPT})

    security = run_for_agent(agent("s", ("shellcheck-security",)), repo.root, diff)
    upkeep = run_for_agent(agent("m", ("shellcheck",)), repo.root, diff)

    assert security.complete and upkeep.complete
    assert sorted((f.rule, f.start_line, f.severity.value) for f in security.findings) == [
        ("SC2086", 3, "should_fix"), ("SC2115", 6, "must_fix")]
    assert [(f.rule, f.start_line, f.severity.value) for f in upkeep.findings] == [
        ("SC2164", 4, "should_fix")]
    assert upkeep.findings[0].file == "deploy.sh"
    assert upkeep.findings[0].rationale.endswith("https://www.shellcheck.net/wiki/SC2164")


def test_a_syntax_error_shellcheck_parses_past_is_a_finding_and_the_file_is_read(
        tmp_path: Path, shellcheck_tools: Path) -> None:
    """Only a parse that fails (SC1072, with the SC1073 and SC1050 that say where) leaves a
    script unread; a missing space inside `[ ]` (SC1035) or a carriage return (SC1017) is an
    error plain shellcheck reports in a script it checks all the same."""
    repo = Repo(tmp_path / "repo")
    diff = repo.change({"space.sh": "#!/bin/bash\nif [1 -eq 1 ]; then echo ok; fi\n",
                        "dos.sh": "#!/bin/bash\necho hi\r\n",
                        "broken.sh": "#!/bin/bash\nif true then\n  echo ok\n"})

    upkeep = run_for_agent(agent("m", ("shellcheck",)), repo.root, diff)

    assert {(f.file, f.rule, f.severity.value) for f in upkeep.findings
            if f.rule in ("SC1035", "SC1017")} == {("space.sh", "SC1035", "should_fix"),
                                                   ("dos.sh", "SC1017", "should_fix")}
    # the failed parse's errors say why broken.sh was not read (its SC1010 warning stays)
    assert {f.rule for f in upkeep.findings if f.file == "broken.sh"}.isdisjoint(
        {"SC1072", "SC1073", "SC1050"})
    assert {path for h in upkeep.health for path in h.unread} == {"broken.sh"}
