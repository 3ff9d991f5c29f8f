"""`reviewloop review` with 10,000 reviewer files in the base: the real CLI, offline. The
cap (`[review] max_reviewers`, default 20) keeps the review quick, the warning and the
report name the reviewers that did not run, and the verdict is not clean."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.gitutil import git
from tests.support.review_cli import repo, review


def test_ten_thousand_reviewer_files_are_capped_and_named(tmp_path: Path) -> None:
    root = repo(tmp_path)
    folder = root / ".kiro" / "agents"
    folder.mkdir(parents=True)
    for index in range(10_000):
        name = f"review-x{index:05d}"
        (folder / f"{name}.json").write_text(json.dumps({"name": name, "prompt": "Look."}))
    git(root, "add", ".")
    git(root, "commit", "-qm", "many reviewers")
    (root / "app.py").write_text("VALUE = 2\n")

    done = review(root, "--format", "json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert len(report["reviewers"]) == 20
    said = ("9985 reviewer(s) not run, over [review] max_reviewers = 20: review-x00015, "
            "review-x00016")
    assert any(e.startswith(said) for e in report["escalations"]), report["escalations"]
    assert "and 9975 more" in report["escalations"][-1]
    assert "reviewers not run (over [review] max_reviewers)" in report["verdict"]
    assert said in " ".join(done.stderr.split())  # the warning, as the review starts
