"""What a run changed, read from real git: the lines it wrote and removed over the rounds, and
a changed path before and after (a symlink is never followed)."""

from __future__ import annotations

import os
from pathlib import Path

from reviewloop.git.changes import Version, contents, removed_lines, write_diff, written_lines
from reviewloop.git.repository import open_repository
from tests.support.repos import init_repo

TF = ('resource "aws_ebs_volume" "data" {\n  availability_zone = "us-east-1a"\n'
      '  encrypted         = true\n  size              = 40\n}\n')


def _repo(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "r", {"main.tf": TF, "settings.toml": "max_rounds = 2\n"})


def test_a_deleted_line_is_where_the_run_removed_lines_in_every_round(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    repo = open_repository(root)
    baseline = repo.snapshot()
    (root / "main.tf").write_text(TF.replace("  encrypted         = true\n", ""))
    first = write_diff(tmp_path, 1, repo.diff_since(baseline))
    assert removed_lines(repo, first, 1, baseline) == {"main.tf": {2}}
    assert written_lines(repo, first, 1, baseline) == {"main.tf": set()}
    # a fix round that only adds a tag still counts the removal of round 1
    (root / "main.tf").write_text(TF.replace("  encrypted         = true\n", "").replace(
        "  size", '  tags = {}\n  size'))
    second = write_diff(tmp_path, 2, repo.diff_since(repo.snapshot()))
    assert removed_lines(repo, second, 2, baseline) == {"main.tf": {2}}
    assert written_lines(repo, second, 2, baseline) == {"main.tf": {3}}


def test_contents_reads_both_sides_and_never_follows_a_symlink(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    repo = open_repository(root)
    baseline = repo.snapshot()
    (root / "settings.toml").write_text('sandbox = "off"\n')
    (root / "elsewhere.toml").write_text('sandbox = "off"\n')
    os.symlink("elsewhere.toml", root / ".reviewloop.toml")

    found = contents(repo, baseline, ["settings.toml", ".reviewloop.toml", "main.tf", "gone"])

    assert found["settings.toml"] == (Version("max_rounds = 2\n"), Version('sandbox = "off"\n'))
    assert found[".reviewloop.toml"] == (Version(), Version(link=True, target="elsewhere.toml"))
    assert found["main.tf"] == (Version(TF), Version(TF))
    assert found["gone"] == (Version(), Version())
