"""An untracked file over the snapshot's size limit is part of a working-tree change that
the review cannot hold: it is not analysed, and the review says so (verdict `incomplete`,
exit 1, SARIF's `file-not-analysed`, listed among the files), as the same file added with
`git add -N` is. It was left out like a virtualenv: "nothing to review", exit 0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewloop.git.untracked import MAX_UNTRACKED_BYTES
from tests.support.review_cli import repo, review

PAYLOAD = 'import subprocess\nsubprocess.call("ls", shell=True)\n'


def _big(root: Path, name: str = "big.py") -> None:
    with (root / name).open("w") as out:  # never read by the review: only its size
        out.write(PAYLOAD)
        out.truncate(MAX_UNTRACKED_BYTES + 1)


@pytest.mark.parametrize("beside", [False, True])
def test_an_untracked_file_over_the_limit_is_not_analysed_never_nothing(tmp_path, beside):
    root = repo(tmp_path)
    _big(root)
    if beside:
        (root / "app.py").write_text("VALUE = 2\n")
    done = review(root, "--format", "json")
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    data = json.loads(done.stdout)
    assert "incomplete: 1 file not analysed (big.py: changed-files: too large (" \
        in data["verdict"]
    assert data["health"]["complete"] is False
    assert "big.py" in data["files"]["created"]
    sarif = json.loads(review(root, "--format", "sarif").stdout)
    [note] = [n for n in sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
              if n["descriptor"]["id"] == "file-not-analysed"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "big.py"


def test_a_left_out_folder_is_still_no_part_of_the_change(tmp_path):
    root = repo(tmp_path)
    (root / "venv").mkdir()
    (root / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    done = review(root, "--format", "json")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "nothing to review" in done.stdout
