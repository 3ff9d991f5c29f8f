"""`review --output` and `--sarif` into a folder that does not exist yet: the folder is
made (as ruff does); a path that cannot be written is refused before the review."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.review_cli import repo, review


def test_output_and_sarif_create_their_folders(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "app.py").write_text("VALUE = 2\n")
    done = review(root, "--format", "json", "--output", "nodir/deeper/r.json",
                  "--sarif", str(tmp_path / "other" / "r.sarif"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads((root / "nodir/deeper/r.json").read_text())["verdict"]
    assert json.loads((tmp_path / "other/r.sarif").read_text())["version"] == "2.1.0"


def test_an_output_under_a_file_is_refused_before_the_review(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "app.py").write_text("VALUE = 2\n")
    (tmp_path / "taken").write_text("a file, not a folder")
    done = review(root, "--output", str(tmp_path / "taken" / "r.json"))
    assert done.returncode == 2, done.stdout + done.stderr
    said = " ".join(done.stderr.split())
    assert (f"cannot create the folder for --output {tmp_path / 'taken' / 'r.json'}: "
            f"{tmp_path / 'taken'} is a file") in said
    assert done.stdout == ""  # refused before the review: no panel, no report
