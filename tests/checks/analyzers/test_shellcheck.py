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
