"""Content boundary: a symlink in a change is reviewed as a link and its target is never
read, by an analyzer or a reviewer's tool; large and binary files are skipped with a reason
the report lists."""

from __future__ import annotations

import json
from pathlib import Path

from reviewloop.agent.tools import Workspace, code, fs_read, grep
from reviewloop.agent.workspace import ToolRefused
from reviewloop.review.readable import MAX_ANALYZED_BYTES, skipped_files
from tests.support import pr_mode as pr_mode
from tests.support.config_trust import pr_review
from tests.support.pr_mode import (
    feature_repo,  # noqa: F401 - the fixture `repo` here
    git,
)

CANARY = "canary_outside_7c1d"
# bandit's B105 quotes the string in its message: followed, the link would post the canary.
OUTSIDE = f'password = "{CANARY}"\nimport os\n'



def test_a_symlinked_outside_file_reaches_no_comment_sarif_or_summary(
        repo: Path, tmp_path: Path, github_fake) -> None:
    outside = tmp_path / "outside" / "canary.py"
    outside.parent.mkdir()
    outside.write_text(OUTSIDE)
    (repo / "leak.py").symlink_to(outside)
    git(repo, "add", "leak.py")
    git(repo, "commit", "-qm", "add a link")

    done, _ = pr_review(repo, tmp_path, github_fake)

    assert done.returncode == 1, done.stdout + done.stderr  # app.py's shell=True still counts
    posted = json.dumps([call.body for call in github_fake.calls])
    sarif = (tmp_path / "out.sarif").read_text()
    summary = (tmp_path / "summary.md").read_text()
    for text in (posted, sarif, summary, done.stdout, done.stderr):
        assert CANARY not in text
    assert "leak.py: a symlink: reviewed as a link, its target is never read" in summary
    assert not [c for c in pr_mode.posted_inline(github_fake) if c["path"] == "leak.py"]


def test_reviewer_tools_refuse_a_symlink_out_and_grep_skips_it(tmp_path: Path) -> None:
    outside = tmp_path / "canary.py"
    outside.write_text(OUTSIDE)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "leak.py").symlink_to(outside)
    (root / "ok.py").write_text("import os\n")
    ws = Workspace(root)

    for tool in (fs_read, code):
        try:
            tool(ws, "leak.py")
        except ToolRefused as refused:
            assert "leads outside the repository through a symlink" in refused.reason
        else:
            raise AssertionError(f"{tool.__name__} read through the symlink")
    assert CANARY not in grep(ws, "import")
    assert grep(ws, "import") == "ok.py:1: import os"


def test_large_binary_linked_and_secret_files_are_listed_as_not_read(tmp_path: Path) -> None:
    (tmp_path / "big.py").write_text("x = 1\n" * (MAX_ANALYZED_BYTES // 6 + 10))
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "link.py").symlink_to(tmp_path / "big.py")
    (tmp_path / ".envrc").write_text("export TOKEN=x\n")
    (tmp_path / "fine.py").write_text("x = 1\n")

    listed = skipped_files(tmp_path, ["fine.py", "big.py", "logo.png", "link.py", ".envrc",
                                      "deleted.py"], (".env*",))

    size = (tmp_path / "big.py").stat().st_size
    assert listed == [
        ".envrc: may hold secrets: analysed, never sent to a model or committed",
        f"big.py: too large to analyze ({size:,} bytes; the limit is {MAX_ANALYZED_BYTES:,})",
        "link.py: a symlink: reviewed as a link, its target is never read",
        "logo.png: a binary file",
    ]
